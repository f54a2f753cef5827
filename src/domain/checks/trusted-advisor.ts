/**
 * Trusted Advisor's cost-optimizing checks (AWS Support API) as findings. Pure functions.
 *
 * A check result's flagged resources carry positional metadata named by the check's metadata columns
 * (DescribeTrustedAdvisorChecks); we read columns by name, so a reordering does not break us. Each
 * known check maps to a finding check of its own (`ta-...`), the resource it names (instance ID,
 * volume ID, public IP, DB identifier, bucket), its dollar figure where Trusted Advisor gives one, and
 * the native checks it corroborates — the parent's merge folds a Trusted Advisor finding into our own
 * finding about the same resource, citing both sources.
 */
import Big from 'big.js';
import type { Finding, FindingAction } from '../findings';
import { cents, monthlyFromHourly, priceKey, priceOf, type PriceBook } from '../pricing';
import { cli, ec2ConsoleUrl, makeFinding, rdsConsoleUrl, resourceOf } from './common';

export interface TrustedAdvisorCheckDescription {
  id: string;
  name: string;
  category: string;
  metadata: string[];
}

export interface TrustedAdvisorFlaggedResource {
  resourceId: string;
  region?: string;
  status?: string;
  isSuppressed?: boolean;
  metadata: (string | null)[];
}

export interface TrustedAdvisorCheckResult {
  checkId: string;
  status?: string;
  flaggedResources: TrustedAdvisorFlaggedResource[];
  estimatedMonthlySavings?: number;
}

type Row = (column: string) => string | undefined;

/** How a metadata column reads into typed evidence: "1.2%" and "14+ days" are numbers, "Yes" a boolean. */
type ColumnType = 'number' | 'boolean' | 'text';

function readColumn(value: string, type: ColumnType): string | number | boolean | undefined {
  if (type === 'text') return value;
  if (type === 'boolean') return /^(yes|true|enabled)$/i.test(value.trim()) ? true : /^(no|false|disabled)$/i.test(value.trim()) ? false : undefined;
  const match = /-?[\d,]*\.?\d+/.exec(value);
  const n = match ? Number(match[0].replace(/,/g, '')) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

interface Mapping {
  check: string;
  resourceType: string;
  action: FindingAction;
  id(row: Row, flagged: TrustedAdvisorFlaggedResource): string | undefined;
  name?: string;
  type?: string;
  /** Column holding a dollar figure, e.g. "$140.16". */
  savings?: string;
  /** Columns copied into the evidence, as evidence key → [column, how to read it]; the key names the unit. */
  evidence?: Record<string, [string, ColumnType]>;
  title(row: Row, id: string): string;
  recommendation(id: string, region: string, savings: string): string;
  command?(id: string, region: string): string;
  console?(id: string, region: string): string;
}

/** What a Trusted Advisor check corroborates: our checks on the same resource, and the coverage kind that says we looked. */
export interface TrustedAdvisorRelation {
  check: string;
  related: string[];
  /** Our agents record `${coverage}/${account}/${region}` when they evaluated that kind of resource there. */
  coverage?: string;
}

function arnTail(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  const match = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d*:(.+)$/.exec(arn);
  const rest = match?.[1] ?? arn;
  return rest.split('/').pop();
}

function s3Bucket(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  return arn.startsWith('arn:aws:s3:::') ? arn.slice('arn:aws:s3:::'.length).split('/')[0] : arn;
}

const MAPPINGS: Readonly<Record<string, Mapping & TrustedAdvisorRelation>> = {
  Qch7DwouX1: {
    check: 'ta-ec2-low-utilization',
    related: ['ec2-idle', 'ec2-overprovisioned', 'ec2-previous-generation', 'ec2-burstable-credits'],
    coverage: 'ec2-utilisation',
    resourceType: 'ec2-instance',
    action: 'stop',
    id: (row) => row('Instance ID'),
    name: 'Instance Name',
    type: 'Instance Type',
    savings: 'Estimated Monthly Savings',
    evidence: {
      cpuAverage14dPercent: ['14-Day Average CPU Utilization', 'number'],
      networkIoAverage14dMB: ['14-Day Average Network I/O', 'number'],
      lowUtilizationDays: ['Number of Days Low Utilization', 'number'],
    },
    title: (row) => `Low utilization (Trusted Advisor): ${row('Number of Days Low Utilization') ?? 'several'} low days of 14`,
    recommendation: (id, _r, savings) => `Trusted Advisor flags ${id} as low utilization: stop or downsize it (${cents(savings)} USD a month by its estimate).`,
    command: (id, region) => cli('aws', 'ec2', 'stop-instances', '--region', region, '--instance-ids', id),
    console: (id, region) => ec2ConsoleUrl(region, `InstanceDetails:instanceId=${id}`),
  },
  c18d2gz150: {
    check: 'ta-ec2-stopped',
    related: ['ec2-stopped-long'],
    coverage: 'ec2-state',
    resourceType: 'ec2-instance',
    action: 'terminate',
    id: (row) => arnTail(row('Resource')),
    title: () => 'Stopped for more than 30 days (Trusted Advisor)',
    recommendation: (id) => `Trusted Advisor flags ${id} as stopped for more than 30 days: snapshot its volumes and terminate it.`,
    command: (id, region) => cli('aws', 'ec2', 'terminate-instances', '--region', region, '--instance-ids', id),
    console: (id, region) => ec2ConsoleUrl(region, `InstanceDetails:instanceId=${id}`),
  },
  DAvU99Dc4C: {
    check: 'ta-ebs-underutilized',
    related: ['ebs-unattached', 'ebs-idle', 'ebs-io1-to-gp3', 'ebs-gp2-to-gp3', 'ec2-stopped-long'],
    coverage: 'ebs',
    resourceType: 'ebs-volume',
    action: 'delete',
    id: (row) => row('Volume ID'),
    name: 'Volume Name',
    type: 'Volume Type',
    savings: 'Monthly Storage Cost',
    evidence: { sizeGiB: ['Volume Size', 'number'], volumeTypeName: ['Volume Type', 'text'] },
    title: () => 'Underutilized EBS volume (Trusted Advisor): unattached or under 1 IOPS a day',
    recommendation: (id, _r, savings) => `Trusted Advisor flags ${id} as unattached or unused: snapshot and delete it (${cents(savings)} USD a month).`,
    command: (id, region) =>
      `${cli('aws', 'ec2', 'create-snapshot', '--region', region, '--volume-id', id)} && ${cli('aws', 'ec2', 'delete-volume', '--region', region, '--volume-id', id)}`,
    console: (id, region) => ec2ConsoleUrl(region, `VolumeDetails:volumeId=${id}`),
  },
  Z4AUBRNSmz: {
    check: 'ta-eip-unassociated',
    related: ['eip-unassociated'],
    coverage: 'eip',
    resourceType: 'elastic-ip',
    action: 'release',
    id: (row) => row('IP Address'),
    title: (_row, ip) => `Elastic IP ${ip} not associated with a running instance (Trusted Advisor)`,
    recommendation: (ip, _r, savings) => `Release ${ip} unless something depends on it: ${cents(savings)} USD a month.`,
    command: (ip, region) =>
      `${cli('aws', 'ec2', 'describe-addresses', '--region', region, '--public-ips', ip, '--query', 'Addresses[0].AllocationId', '--output', 'text')} | xargs -I{} aws ec2 release-address --region ${region} --allocation-id {}`,
  },
  Ti39halfu8: {
    check: 'ta-rds-idle',
    related: ['rds-idle', 'rds-multi-az-nonprod', 'rds-gp2-to-gp3', 'rds-overprovisioned'],
    coverage: 'rds-connections',
    resourceType: 'rds-instance',
    action: 'delete',
    id: (row) => row('DB Instance Name'),
    type: 'Instance Type',
    savings: 'Estimated Monthly Savings (On Demand)',
    evidence: {
      daysSinceLastConnection: ['Days Since Last Connection', 'number'],
      multiAz: ['Multi-AZ', 'boolean'],
      allocatedStorageGiB: ['Storage Provisioned (GB)', 'number'],
    },
    title: (row) => `Idle DB instance (Trusted Advisor): ${row('Days Since Last Connection') ?? '7+'} days without a connection`,
    recommendation: (id, _r, savings) => `Trusted Advisor flags ${id} as idle: final snapshot and delete (${cents(savings)} USD a month).`,
    command: (id, region) =>
      cli('aws', 'rds', 'delete-db-instance', '--region', region, '--db-instance-identifier', id, '--final-db-snapshot-identifier', `${id}-final`),
    console: (id, region) => rdsConsoleUrl(region, id),
  },
  c18d2gz100: {
    check: 'ta-s3-no-lifecycle',
    related: ['s3-no-lifecycle'],
    coverage: 's3',
    resourceType: 's3-bucket',
    action: 'add-lifecycle-rule',
    id: (row) => s3Bucket(row('Resource')),
    title: () => 'Bucket without a lifecycle policy (Trusted Advisor)',
    recommendation: (id) => `Add a lifecycle policy to ${id} (transition or expire objects it no longer needs in STANDARD).`,
  },
  c18d2gz171: {
    check: 'ta-s3-versioned-no-lifecycle',
    related: ['s3-versioned-no-noncurrent-expiration'],
    coverage: 's3',
    resourceType: 's3-bucket',
    action: 'add-lifecycle-rule',
    id: (row) => s3Bucket(row('Resource')),
    title: () => 'Versioned bucket without a lifecycle policy (Trusted Advisor)',
    recommendation: (id) => `Add a rule expiring noncurrent versions to ${id}.`,
  },
  c1cj39rr6v: {
    check: 'ta-s3-no-abort-multipart',
    related: ['s3-no-abort-multipart'],
    coverage: 's3',
    resourceType: 's3-bucket',
    action: 'add-lifecycle-rule',
    id: (row) => row('Bucket Name') ?? s3Bucket(row('Bucket ARN')),
    title: () => 'No rule aborting incomplete multipart uploads (Trusted Advisor)',
    recommendation: (id) => `Add an AbortIncompleteMultipartUpload rule (7 days) to ${id}.`,
  },
  hjLMh88uM8: {
    check: 'ta-elb-idle',
    related: [],
    resourceType: 'load-balancer',
    action: 'delete',
    id: (row) => row('Load Balancer Name'),
    savings: 'Estimated Monthly Savings',
    evidence: { reason: ['Reason', 'text'] },
    title: (row) => `Idle load balancer (Trusted Advisor): ${row('Reason') ?? 'no traffic'}`,
    recommendation: (id, _r, savings) => `Delete the load balancer ${id} if nothing uses it (${cents(savings)} USD a month).`,
  },
};

export const TRUSTED_ADVISOR_RELATIONS: Readonly<Record<string, TrustedAdvisorRelation>> = Object.fromEntries(
  Object.values(MAPPINGS).map((m) => [m.check, { check: m.check, related: m.related, ...(m.coverage ? { coverage: m.coverage } : {}) }]),
);

/** "$1,234.56" → "1234.56"; undefined when the text holds no amount. */
export function parseDollars(text: string | null | undefined): string | undefined {
  if (!text) return undefined;
  const match = /-?\$?\s*([\d,]+(?:\.\d+)?)/.exec(text);
  if (!match) return undefined;
  return new Big(match[1]!.replace(/,/g, '')).toString();
}

/** The check IDs of the cost-optimizing category, from DescribeTrustedAdvisorChecks. */
export function costOptimizingChecks(checks: readonly TrustedAdvisorCheckDescription[]): TrustedAdvisorCheckDescription[] {
  return checks.filter((c) => c.category === 'cost_optimizing');
}

/** Regions whose idle public IPv4 price the Elastic IP check needs (Trusted Advisor gives no dollar figure). */
export function regionsNeedingIpv4Price(results: readonly TrustedAdvisorCheckResult[]): string[] {
  const regions = new Set<string>();
  for (const r of results) {
    if (r.checkId !== 'Z4AUBRNSmz') continue;
    for (const f of r.flaggedResources) if (f.region) regions.add(f.region);
  }
  return [...regions];
}

/** Findings from one check's result in one account. Suppressed and "ok" resources are skipped. */
export function trustedAdvisorFindings(
  account: string,
  check: TrustedAdvisorCheckDescription,
  result: TrustedAdvisorCheckResult,
  prices: PriceBook,
): Finding[] {
  const mapping = MAPPINGS[check.id];
  const out: Finding[] = [];
  for (const flagged of result.flaggedResources) {
    if (flagged.isSuppressed || flagged.status === 'ok') continue;
    const row: Row = (column) => {
      const at = check.metadata.indexOf(column);
      const value = at >= 0 ? flagged.metadata[at] : undefined;
      return value === null || value === undefined || value === '' ? undefined : value;
    };
    const region = flagged.region || row('Region') || row('Region/AZ')?.replace(/[a-z]$/, '') || 'global';
    const source = `trusted-advisor:${check.id}`;
    if (!mapping) {
      const savings = parseDollars(row(check.metadata.find((c) => /Estimated Monthly Savings/i.test(c)) ?? '')) ?? '0';
      out.push(
        makeFinding({
          check: `ta-${check.id}`,
          agent: 'trusted-advisor',
          sources: [source],
          resource: resourceOf(account, region, flagged.resourceId, undefined, {}),
          title: `${check.name} (Trusted Advisor)`,
          evidence: Object.fromEntries(
            check.metadata.flatMap((column, i) => (flagged.metadata[i] ? [[column, String(flagged.metadata[i])]] : [])),
          ),
          action: 'review',
          recommendation: `Trusted Advisor's "${check.name}" flags this resource; review it in the Trusted Advisor console.`,
          monthlySavings: savings,
          confidence: 'low',
          consoleUrl: 'https://console.aws.amazon.com/trustedadvisor/home#/category/cost-optimizing',
        }),
      );
      continue;
    }
    const id = mapping.id(row, flagged);
    if (!id) continue;
    let savings = mapping.savings ? (parseDollars(row(mapping.savings)) ?? '0') : '0';
    if (check.id === 'Z4AUBRNSmz') {
      const hourly = priceOf(prices, priceKey.idlePublicIpv4(region));
      if (hourly !== undefined) savings = monthlyFromHourly(hourly);
    }
    const evidence: Finding['evidence'] = { trustedAdvisorCheck: check.name };
    for (const [key, [column, type]] of Object.entries(mapping.evidence ?? {})) {
      const text = row(column);
      const value = text === undefined ? undefined : readColumn(text, type);
      if (value !== undefined) evidence[key] = value;
    }
    const command = mapping.command?.(id, region);
    const consoleUrl = mapping.console?.(id, region);
    out.push(
      makeFinding({
        check: mapping.check,
        agent: 'trusted-advisor',
        sources: [source],
        resource: resourceOf(account, region, id, (mapping.type && row(mapping.type)) || mapping.resourceType, {}, mapping.name ? row(mapping.name) : undefined),
        title: mapping.title(row, id),
        evidence,
        action: mapping.action,
        recommendation: mapping.recommendation(id, region, savings),
        monthlySavings: savings,
        confidence: 'medium',
        ...(command ? { cliCommand: command } : {}),
        ...(consoleUrl ? { consoleUrl } : {}),
      }),
    );
  }
  return out;
}
