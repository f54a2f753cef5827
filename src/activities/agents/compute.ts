/**
 * The EC2 agent's activities: instances, EBS volumes, Elastic IPs and snapshots of one account and
 * region per activity, then one activity that finishes the agent's list.
 *
 * Per account and region: four listings (at the APIs' largest pages), prices from the Price List, and
 * CloudWatch in two passes of 500-query calls — CPU p95 and maximum for every instance the checks can
 * judge, then network (quiet instances), CPU credits (busy burstable ones) and volume operations
 * (attached data volumes): at most four queries per instance. The findings go to the store; the
 * workflow gets counts.
 *
 * Finishing: the parts are merged (Cost Explorer's rightsizing recommendations fold into our findings),
 * orphaned snapshots are priced at their billed size from Cost Explorer's resource-level data (one
 * query for the whole analysis), and the ranked list is stored.
 */
import { GetCostAndUsageWithResourcesCommand } from '@aws-sdk/client-cost-explorer';
import Big from 'big.js';
import type { AgentKind } from '../../domain/agents';
import {
  eligibility,
  evaluateInstances,
  typesToPrice,
  wantsCpu,
  wantsCredits,
  wantsNetwork,
  type InstanceMetrics,
} from '../../domain/checks/ec2';
import {
  evaluateAddresses,
  evaluateSnapshots,
  evaluateVolumes,
  wantsVolumeOps,
  withBilledSize,
  type HostFacts,
} from '../../domain/checks/ebs';
import { DAY_MS, atLeastDaysBefore, dayStart } from '../../domain/checks/common';
import { mergeFindings, summariseFindings } from '../../domain/checks/merge';
import { thresholdsForReport, type Thresholds } from '../../domain/checks/thresholds';
import type { Finding, FindingsSummary } from '../../domain/findings';
import { costExplorerPeriodProblem, dayOf, daysInMonth, lastFinalDay } from '../../domain/calendar';
import { addDays } from '../../domain/period';
import type { MissingAccess } from '../../domain/report';
import { countRequest, emptyUsage, type AwsUsage } from '../../domain/usage';
import type { AwsClientFactory, AwsTarget } from '../aws-clients';
import type { InventoryReads } from '../inventory-reads';
import { getMetricData, metricQueryId, type MetricQuery, type MetricSeries } from '../metric-data';
import { collectPages, whileHeartbeating } from '../paging';
import { findingsKey, type ArtefactStore } from '../store';
import { accountFilter } from '../spend';
import { PriceReader, type PriceQueries } from './pricing';
import {
  coverageKey,
  declinedKey,
  countBy,
  describeCounts,
  needsOf,
  partKey,
  readPart,
  unlessDenied,
  type FindingsPart,
  type PartSummary,
} from './common';

export interface AgentDeps {
  clients: AwsClientFactory;
  /** Inventories listed once per analysis and worker, shared by the EC2, RDS and tagging agents. */
  inventories: InventoryReads;
  /** Identical price queries of one analysis, made once per worker. */
  priceQueries: PriceQueries;
  store: ArtefactStore;
  thresholds: Thresholds;
  /** The clock "today" comes from (tests set the sample account's anchor date). */
  now: () => Date;
}

export interface TargetInput {
  analysisId: string;
  target: AwsTarget;
  /** The analysis day (YYYY-MM-DD): metric windows end at its midnight. */
  asOf: string;
}

export interface FinishInput {
  analysisId: string;
  agent: AgentKind;
  accounts: string[];
  asOf: string;
  /** Store keys of the parts to merge. */
  parts: string[];
}

export interface FinishOutput {
  findings: FindingsSummary;
  /** The thresholds the agent's checks used, for the report. */
  thresholds: Record<string, number | string>;
  usage: AwsUsage;
  notes: string[];
  missing: MissingAccess[];
}

/** Findings an agent result carries inline; the parent reads the full lists from the store. */
export const AGENT_INLINE_FINDINGS = 10;

const DAY_S = 86_400;

export interface MetricWindow {
  start: Date;
  end: Date;
  seconds: number;
}

export function metricWindow(asOf: string, days: number): MetricWindow {
  const end = new Date(dayStart(asOf));
  return { start: new Date(end.getTime() - days * DAY_MS), end, seconds: days * DAY_S };
}

/** Builds GetMetricData queries with IDs CloudWatch accepts, remembering what each one is for. */
export class QueryBook<K> {
  readonly queries: MetricQuery[] = [];
  readonly purposes: K[] = [];

  add(purpose: K, namespace: string, metricName: string, dimensions: Record<string, string>, stat: string, period: number): void {
    this.queries.push({ id: metricQueryId(this.queries.length), namespace, metricName, dimensions, stat, period });
    this.purposes.push(purpose);
  }

  /** Each query's series with its purpose. */
  *results(series: Map<string, MetricSeries>): Generator<[K, MetricSeries]> {
    for (let i = 0; i < this.queries.length; i++) {
      yield [this.purposes[i] as K, series.get(this.queries[i]!.id) ?? { timestamps: [], values: [] }];
    }
  }
}

/** Add daily values into a per-day map (two metrics of one resource summed day by day). */
function addDaily(into: Map<number, number>, s: MetricSeries): void {
  s.timestamps.forEach((t, i) => into.set(t, (into.get(t) ?? 0) + (s.values[i] as number)));
}

const INSTANCE_METRIC_CHECKS = ['ec2-idle', 'ec2-overprovisioned', 'ec2-burstable-credits', 'ec2-asg-underutilized', 'ebs-idle'];

export function createComputeActivities(deps: AgentDeps) {
  const { clients, store } = deps;
  const t = deps.thresholds;

  async function analyseEc2Target(input: TargetInput): Promise<PartSummary> {
    const { target, asOf, analysisId } = input;
    const where = `${target.account}/${target.region}`;
    const usage = emptyUsage();
    const missing: MissingAccess[] = [];
    const notes: string[] = [];

    const [instances, volumes, addresses, snapshots] = await Promise.all([
      unlessDenied(missing, where, ['ec2-idle', 'ec2-overprovisioned', 'ec2-previous-generation', 'ec2-stopped-long', 'ebs-idle'], () =>
        deps.inventories.instances(analysisId, target, usage),
      ),
      unlessDenied(missing, where, ['ebs-unattached', 'ebs-idle', 'ebs-gp2-to-gp3', 'ebs-io1-to-gp3', 'snapshot-orphaned'], () =>
        deps.inventories.volumes(analysisId, target, usage),
      ),
      unlessDenied(missing, where, ['eip-unassociated'], () => deps.inventories.addresses(analysisId, target, usage)),
      unlessDenied(missing, where, ['snapshot-orphaned'], () => deps.inventories.snapshots(analysisId, target, usage)),
    ]);

    // Prices for what this account and region holds.
    const prices = new PriceReader(clients, usage, { queries: deps.priceQueries, analysisId });
    const pricesOk = await unlessDenied(missing, where, ['savings of every check'], async () => {
      for (const os of ['Linux', 'Windows'] as const) {
        const types = new Set<string>();
        for (const i of instances ?? []) {
          if ((i.platform === 'windows') !== (os === 'Windows')) continue;
          if (i.state === 'running' && eligibility(i, asOf, t.ec2) !== 'spot') for (const type of typesToPrice(i.instanceType)) types.add(type);
        }
        if (types.size) await prices.instanceTypes(target.region, types, os);
      }
      if ((volumes?.length ?? 0) > 0 || (snapshots?.length ?? 0) > 0) await prices.blockStorage(target.region);
      if ((addresses?.length ?? 0) > 0) await prices.publicIpv4(target.region);
      return true;
    });
    if (!pricesOk) notes.push(`${where}: no prices, so no savings could be computed`);

    // CloudWatch, pass 1: CPU p95 and maximum over the window.
    const window = metricWindow(asOf, t.ec2.metricWindowDays);
    const metrics = new Map<string, InstanceMetrics>();
    let metricsAllowed = instances !== undefined;
    const cpuQueries = new QueryBook<{ id: string; stat: 'p95' | 'max' }>();
    for (const i of instances ?? []) {
      if (!wantsCpu(i, asOf, t.ec2)) continue;
      const dims = { InstanceId: i.instanceId };
      cpuQueries.add({ id: i.instanceId, stat: 'p95' }, 'AWS/EC2', 'CPUUtilization', dims, 'p95', window.seconds);
      cpuQueries.add({ id: i.instanceId, stat: 'max' }, 'AWS/EC2', 'CPUUtilization', dims, 'Maximum', window.seconds);
    }
    const cpuSeries = await unlessDenied(missing, where, INSTANCE_METRIC_CHECKS, () =>
      whileHeartbeating(getMetricData(clients, target, cpuQueries.queries, window, usage)),
    );
    if (cpuSeries === undefined) metricsAllowed = false;
    for (const [purpose, s] of cpuSeries ? cpuQueries.results(cpuSeries) : []) {
      if (s.values.length === 0) continue;
      const m = metrics.get(purpose.id) ?? {};
      if (purpose.stat === 'p95') m.cpuP95 = s.values[0];
      else m.cpuMax = Math.max(...s.values);
      metrics.set(purpose.id, m);
    }

    // Pass 2: network of quiet instances, credits of busy burstable ones, operations of data volumes.
    const stoppedLong = new Set(
      (instances ?? [])
        .filter((i) => i.state === 'stopped' && atLeastDaysBefore(asOf, i.stoppedAt, t.ec2.stoppedDays))
        .map((i) => i.instanceId),
    );
    const hosts = new Map<string, HostFacts>(
      (instances ?? []).map((i) => [
        i.instanceId,
        { instanceId: i.instanceId, state: i.state, ...(i.rootDeviceName ? { rootDeviceName: i.rootDeviceName } : {}) },
      ]),
    );
    type Second = { kind: 'network' | 'credit-balance' | 'surplus'; id: string } | { kind: 'ops'; id: string };
    const second = new QueryBook<Second>();
    const daily = DAY_S;
    if (metricsAllowed) {
      for (const i of instances ?? []) {
        const m = metrics.get(i.instanceId);
        if (!m) continue;
        const dims = { InstanceId: i.instanceId };
        if (wantsNetwork(i, m, asOf, t.ec2)) {
          second.add({ kind: 'network', id: i.instanceId }, 'AWS/EC2', 'NetworkIn', dims, 'Sum', daily);
          second.add({ kind: 'network', id: i.instanceId }, 'AWS/EC2', 'NetworkOut', dims, 'Sum', daily);
        } else if (wantsCredits(i, m, asOf, t.ec2)) {
          second.add({ kind: 'credit-balance', id: i.instanceId }, 'AWS/EC2', 'CPUCreditBalance', dims, 'Minimum', window.seconds);
          second.add({ kind: 'surplus', id: i.instanceId }, 'AWS/EC2', 'CPUSurplusCreditsCharged', dims, 'Sum', window.seconds);
        }
      }
      for (const v of volumes ?? []) {
        const host = v.attachedTo ? hosts.get(v.attachedTo) : undefined;
        if (!wantsVolumeOps(v, host, stoppedLong, asOf, t.ebs)) continue;
        const dims = { VolumeId: v.volumeId };
        second.add({ kind: 'ops', id: v.volumeId }, 'AWS/EBS', 'VolumeReadOps', dims, 'Sum', daily);
        second.add({ kind: 'ops', id: v.volumeId }, 'AWS/EBS', 'VolumeWriteOps', dims, 'Sum', daily);
      }
    }
    const secondSeries = metricsAllowed
      ? await unlessDenied(missing, where, INSTANCE_METRIC_CHECKS, () =>
          whileHeartbeating(getMetricData(clients, target, second.queries, window, usage)),
        )
      : undefined;
    if (metricsAllowed && secondSeries === undefined) metricsAllowed = false;
    const network = new Map<string, Map<number, number>>();
    const ops = new Map<string, Map<number, number>>();
    for (const [purpose, s] of secondSeries ? second.results(secondSeries) : []) {
      if (purpose.kind === 'network' || purpose.kind === 'ops') {
        const into = purpose.kind === 'network' ? network : ops;
        const days = into.get(purpose.id) ?? new Map<number, number>();
        addDaily(days, s);
        into.set(purpose.id, days);
      } else if (s.values.length > 0) {
        const m = metrics.get(purpose.id) ?? {};
        if (purpose.kind === 'credit-balance') m.creditBalanceMin = Math.min(...s.values);
        else m.surplusCreditsCharged = s.values.reduce((a, b) => a + b, 0);
        metrics.set(purpose.id, m);
      }
    }
    for (const [id, days] of network) {
      const m = metrics.get(id);
      if (m) m.networkDaily = [...days.values()];
    }

    // The checks.
    const book = prices.book;
    const instanceResult = instances
      ? evaluateInstances({
          instances,
          volumes,
          metrics: metricsAllowed ? metrics : undefined,
          prices: book,
          asOf,
          thresholds: t.ec2,
        })
      : undefined;
    const findings: Finding[] = [...(instanceResult?.findings ?? [])];
    if (volumes) {
      const result = evaluateVolumes({
        volumes,
        hosts,
        stoppedLong: instanceResult?.stoppedLong ?? stoppedLong,
        dailyOps: metricsAllowed ? new Map([...ops].map(([id, days]) => [id, [...days.values()]])) : undefined,
        prices: book,
        asOf,
        thresholds: t.ebs,
      });
      findings.push(...result.findings);
      if (result.unpriced) notes.push(`${where}: ${result.unpriced} volume(s) without a price`);
    }
    if (addresses) {
      findings.push(
        ...evaluateAddresses({
          addresses,
          instanceStates: instances ? new Map(instances.map((i) => [i.instanceId, i.state])) : undefined,
          prices: book,
        }),
      );
    }
    if (snapshots && volumes) {
      findings.push(
        ...evaluateSnapshots({ snapshots, volumeIds: new Set(volumes.map((v) => v.volumeId)), prices: book, asOf, thresholds: t.ebs }),
      );
    }
    if (instanceResult && Object.keys(instanceResult.declined).length)
      notes.push(`${where}: no recommendation for ${describeCounts(instanceResult.declined)}`);

    // What we evaluated here, so the parent can tell "we looked and found nothing" from "we did not look".
    const coverage: string[] = [];
    if (instances) coverage.push(`ec2-state/${where}`);
    if (instances && metricsAllowed) coverage.push(`ec2-utilisation/${where}`);
    if (volumes && metricsAllowed && instances) coverage.push(`ebs/${where}`);
    if (addresses && instances) coverage.push(`eip/${where}`);

    const key = partKey(analysisId, 'ec2', `${target.account}-${target.region}`);
    // Declines count only where the data was there: a coverage kind we did not get is no opinion.
    const declined = (instanceResult?.declinedResources ?? []).filter((d) => coverage.includes(`${d.kind}/${where}`));
    await store.putJson(key, { findings, coverage, declined } satisfies FindingsPart);
    return {
      key,
      target,
      findings: findings.length,
      monthlySavings: findings.reduce((sum, f) => sum.plus(f.monthlySavings), new Big(0)).toString(),
      usage,
      missing,
      notes,
    };
  }

  /**
   * Billed sizes of snapshots from Cost Explorer's resource-level data (the last 14 days): the usage
   * of the last final day, in GB-months a day, times that month's days.
   */
  async function billedSnapshotSizes(
    accounts: string[],
    asOf: string,
    snapshots: Finding[],
    usage: AwsUsage,
  ): Promise<Map<string, number>> {
    const sizes = new Map<string, number>();
    const day = lastFinalDay(asOf);
    // An analysis as of a past day can reach back past resource-level data: say so rather than ask.
    const outside = costExplorerPeriodProblem({ start: day, end: addDays(day, 1) }, dayOf(deps.now()), { resourceLevel: true });
    if (outside) throw Object.assign(new Error(`not asked for ${day}: ${outside}`), { type: 'DataUnavailable' });
    const monthDays = daysInMonth(day);
    const arnOf = (f: Finding) => `arn:aws:ec2:${f.resource.region}:${f.resource.account}:snapshot/${f.resource.id}`;
    const arns = snapshots.map(arnOf);
    for (let i = 0; i < arns.length; i += 500) {
      const chunk = arns.slice(i, i + 500);
      const initial: Record<string, number> = {};
      const { value, requests } = await collectPages({
        listing: `ce:GetCostAndUsageWithResources/snapshots/${i}`,
        action: 'ce:GetCostAndUsageWithResources',
        initial,
        fetchPage: (NextPageToken: string | undefined, abortSignal: AbortSignal) =>
          clients.costExplorer().send(
            new GetCostAndUsageWithResourcesCommand({
              TimePeriod: { Start: day, End: addDays(day, 1) },
              Granularity: 'DAILY',
              Metrics: ['UsageQuantity'],
              Filter: {
                And: [
                  accountFilter(accounts),
                  { Dimensions: { Key: 'SERVICE', Values: ['EC2 - Other'] } },
                  { Dimensions: { Key: 'RESOURCE_ID', Values: chunk } },
                ],
              },
              GroupBy: [{ Type: 'DIMENSION', Key: 'RESOURCE_ID' }],
              ...(NextPageToken ? { NextPageToken } : {}),
            }),
            { abortSignal },
          ),
        fold: (acc, page) => {
          for (const period of page.ResultsByTime ?? [])
            for (const g of period.Groups ?? []) {
              const id = g.Keys?.[0];
              const amount = Number(g.Metrics?.['UsageQuantity']?.Amount ?? 'NaN');
              if (id && Number.isFinite(amount)) acc[id] = (acc[id] ?? 0) + amount;
            }
          return acc;
        },
        nextToken: (page) => page.NextPageToken,
      });
      countRequest(usage, 'ce:GetCostAndUsageWithResources', requests, 'billed sizes of orphaned snapshots (resource-level data)');
      for (const [arn, gbMonthPerDay] of Object.entries(value)) sizes.set(arn, Math.round(gbMonthPerDay * monthDays * 1e6) / 1e6);
    }
    return new Map(snapshots.flatMap((f) => (sizes.has(arnOf(f)) ? [[f.id, sizes.get(arnOf(f)) as number]] : [])));
  }

  /** Merge an agent's parts, refine what needs the whole picture, store the list, return its summary. */
  async function finishAgentFindings(input: FinishInput): Promise<FinishOutput> {
    const parts = await Promise.all(input.parts.map((key) => readPart(store, key)));
    const usage = emptyUsage();
    const notes: string[] = [];
    const missing: MissingAccess[] = [];
    let findings = mergeFindings([
      { agent: input.agent, findings: parts.flatMap((p) => p.findings), coverage: parts.flatMap((p) => p.coverage) },
    ]).findings;

    const snapshots = findings.filter((f) => f.check === 'snapshot-orphaned');
    if (input.agent === 'ec2' && snapshots.length > 0) {
      try {
        const sizes = await billedSnapshotSizes(input.accounts, input.asOf, snapshots, usage);
        findings = findings.map((f) => (sizes.has(f.id) ? withBilledSize(f, sizes.get(f.id) as number) : f));
        const unsized = snapshots.length - sizes.size;
        if (unsized > 0)
          notes.push(`${unsized} orphaned snapshot(s) not in Cost Explorer's resource-level data: their savings are the source volume's size, an upper bound`);
      } catch (err) {
        const needs = needsOf(err);
        if (!needs && !isDataUnavailable(err)) throw err;
        if (needs) missing.push({ needs, checks: ['snapshot-orphaned (billed size)'] });
        notes.push(
          `Orphaned snapshots are priced at their source volume's size, an upper bound: Cost Explorer's resource-level data was not available (${err instanceof Error ? err.message : String(err)})`,
        );
      }
      findings = mergeFindings([{ agent: input.agent, findings }]).findings;
    }

    const key = findingsKey(input.analysisId, input.agent);
    await store.putJson(key, findings);
    await store.putJson(coverageKey(input.analysisId, input.agent), [...new Set(parts.flatMap((p) => p.coverage))].sort());
    await store.putJson(declinedKey(input.analysisId, input.agent), parts.flatMap((p) => p.declined ?? []));
    const byCheck = countBy(findings.map((f) => f.check));
    if (findings.length) notes.unshift(`${findings.length} findings: ${describeCounts(byCheck)}`);
    const groups: (keyof Thresholds)[] = input.agent === 'ec2' ? ['ec2', 'ebs', 'commitments'] : input.agent === 'rds' ? ['rds', 'commitments'] : [];
    return {
      findings: summariseFindings(findings, AGENT_INLINE_FINDINGS, key),
      thresholds: thresholdsForReport(t, groups),
      usage,
      notes,
      missing,
    };
  }

  /** The analysis day for the metric windows: today by the activities' clock (read once per agent). */
  function analysisDay(): Promise<string> {
    return Promise.resolve(dayOf(deps.now()));
  }

  return { analyseEc2Target, finishAgentFindings, analysisDay };
}

function isDataUnavailable(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    const type = (e as { type?: unknown }).type;
    if (type === 'DataUnavailable' || type === 'InvalidRequest' || type === 'OptInRequired') return true;
  }
  return false;
}
