/**
 * The AWS-quota lower bound shared by the benchmarks: the fewest requests the paged APIs allow, and the
 * least time AWS's rate limits allow for them (the simulator's AWS preset, src/sim/quotas.ts). The data
 * layer (bench/data-layer.ts) and the whole analysis (bench/report-size.ts) are measured against it.
 */
import type { AwsTarget } from '../src/activities/aws-clients';
import { AWS_QUOTA_PRESET } from '../src/sim/quotas';
import type { Scenario } from '../src/sim/scenario';

export interface TargetCounts {
  target: AwsTarget;
  instances: number;
  databases: number;
  volumes: number;
  snapshots: number;
}

/** CloudWatch queries the checks need per resource (bench/data-layer.ts `metricQueriesFor` builds them), 500 to a GetMetricData call. */
export const METRIC_QUERIES = { instance: 4, database: 3, bucket: 2 } as const;
export const METRIC_QUERIES_PER_CALL = 500;

/** The fewest calls each paged API allows: one page per account and region at least, then page-size steps. */
export function lowerBounds(targets: TargetCounts[]): Record<string, number> {
  const sum = (f: (t: TargetCounts) => number) => targets.reduce((n, t) => n + f(t), 0);
  const pages = (count: number, pageSize: number) => Math.max(1, Math.ceil(count / pageSize));
  return {
    'ec2:DescribeInstances': sum((t) => pages(t.instances, 1000)),
    'ec2:DescribeVolumes': sum((t) => pages(t.volumes, 500)),
    'ec2:DescribeSnapshots': sum((t) => pages(t.snapshots, 1000)),
    'ec2:DescribeAddresses': targets.length,
    'rds:DescribeDBInstances': sum((t) => pages(t.databases, 100)),
  };
}

const inTarget = (target: AwsTarget) => (x: { account: string; region: string }) => x.account === target.account && x.region === target.region;

/** Tagging: the resources with tags in an account and Region, 100 a page. */
export function taggingPages(scenario: Scenario, target: AwsTarget): number {
  const here = (items: { account: string; region: string; tags: Record<string, string> }[]) =>
    items.filter((x) => inTarget(target)(x) && Object.keys(x.tags).length > 0).length;
  return Math.max(1, Math.ceil((here(scenario.instances) + here(scenario.volumes) + here(scenario.databases)) / 100));
}

/** Bucket configuration: AWS Config, 100 recorded buckets a call, per account and Region with buckets. */
export function configPages(scenario: Scenario): number[] {
  const out: number[] = [];
  for (const a of scenario.accounts)
    for (const region of scenario.regions) {
      const here = scenario.buckets.filter((b) => b.account === a.id && b.region === region);
      if (here.length) out.push(Math.max(1, Math.ceil(here.filter((b) => b.recordedByConfig !== false).length / 100)));
    }
  return out;
}

/** Buckets AWS Config has not recorded: S3's two per-bucket reads each (versioning, lifecycle). */
export function unrecordedBuckets(scenario: Scenario): number {
  return scenario.buckets.filter((b) => b.recordedByConfig === false).length;
}

/**
 * The least time AWS's quotas allow: every rate-limited bucket (per operation, account and region) must
 * spend (calls - burst) / rate seconds; buckets run in parallel, so the bound is the slowest one.
 * `s3BucketCalls`: S3's bucket-level reads, which share one per-account budget.
 */
export function quotaBoundSeconds(perTarget: { op: string; calls: number }[], s3BucketCalls: number): number {
  const rule = (op: string) =>
    AWS_QUOTA_PRESET.find((r) => r.operation === op || (r.operation.endsWith('*') && op.startsWith(r.operation.slice(0, -1))))!;
  const seconds = perTarget.map(({ op, calls }) => {
    const { ratePerSecond, burst } = rule(op);
    return Math.max(0, calls - (burst ?? ratePerSecond)) / ratePerSecond;
  });
  return Math.max(...seconds, s3BucketCalls / rule('s3:GetBucketVersioning').ratePerSecond);
}

/**
 * The bound for a scenario, from its resources alone (what any implementation must ask AWS for):
 * CloudWatch metrics, tagging and Config pages per account and Region, S3 reads for unrecorded buckets.
 */
export function scenarioQuotaBoundSeconds(scenario: Scenario): number {
  const targets = scenario.accounts.flatMap((a) => scenario.regions.map((region) => ({ account: a.id, region })));
  const metricCalls = targets.map((t) => {
    const here = inTarget(t);
    const queries =
      scenario.instances.filter(here).length * METRIC_QUERIES.instance +
      scenario.databases.filter(here).length * METRIC_QUERIES.database +
      scenario.buckets.filter(here).length * METRIC_QUERIES.bucket;
    return Math.ceil(queries / METRIC_QUERIES_PER_CALL);
  });
  return quotaBoundSeconds(
    [
      ...metricCalls.map((calls) => ({ op: 'monitoring:GetMetricData', calls })),
      ...targets.map((t) => ({ op: 'tagging:GetResources', calls: taggingPages(scenario, t) })),
      ...configPages(scenario).map((calls) => ({ op: 'config:SelectResourceConfig', calls })),
    ],
    2 * unrecordedBuckets(scenario),
  );
}
