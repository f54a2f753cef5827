/**
 * The Cost Explorer request plan's reads: daily cost of the analysed accounts grouped by up to two
 * dimensions (GetCostAndUsage, DAILY, UnblendedCost), each grouping read once and every coarser view cut
 * from it (src/domain/daily-costs.ts).
 *
 * Three layers keep requests down:
 * - identical reads of one analysis in one worker process share one request (SharedRequests);
 * - every read lands in the store, per tenant, accounts and grouping (`cost-cache/…`): later reads of the
 *   same analysis — on any worker — take its days from there, and so do later analyses of the tenant for
 *   settled days (SETTLED_AFTER_DAYS), so a review a week later asks only for the new days;
 * - a read first looks for its days in any finer grouping already stored, and asks Cost Explorer only for
 *   the span covering the days still missing.
 *
 * Each page is one billable request; `requests` says how many this call made (0 when it reused).
 */
import { GetCostAndUsageCommand, type GetCostAndUsageCommandOutput } from '@aws-sdk/client-cost-explorer';
import Big from 'big.js';
import { createHash } from 'node:crypto';
import { costExplorerEarliestStart, dayOf } from '../domain/calendar';
import {
  canonicalDimensions,
  coveringSpan,
  derives,
  isSettled,
  projectGroups,
  type CostDimension,
  type DailyCosts,
} from '../domain/daily-costs';
import { planRestOfRead } from '../domain/page-windows';
import { daysOf, type Period } from '../domain/period';
import { COST_METRIC } from '../domain/spend';
import { tenantOfAnalysisId } from '../workflows/ids';
import type { AwsClientFactory } from './aws-clients';
import { retryTransient } from './agents/retry';
import { collectPages } from './paging';
import type { SharedRequests } from './shared-requests';
import type { ArtefactStore } from './store';

/** The groupings the plan reads, finest first: where a read looks for days it can derive. */
const PLAN_GROUPINGS: CostDimension[][] = [
  ['SERVICE', 'USAGE_TYPE'],
  ['SERVICE', 'LINKED_ACCOUNT'],
  ['LINKED_ACCOUNT', 'REGION'],
  ['SERVICE'],
];

export interface CostReadScope {
  analysisId: string;
  accounts: readonly string[];
}

export interface CostRead {
  costs: DailyCosts;
  /** Billable requests this call made. */
  requests: number;
}

interface CachedDay {
  /** Group key → amount. */
  g: Record<string, string>;
  est?: true;
  /** Settled: any analysis of the tenant may use it. Otherwise only the analysis that read it (`by`). */
  settled?: true;
  by: string;
}

interface CacheDocument {
  unit: string;
  days: Record<string, CachedDay>;
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export class CostReads {
  /** Read-modify-write of one cache document at a time in this process. */
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Reads in flight in this process, by analysis (see `available`). */
  private readonly inFlight = new Map<string, Set<Promise<unknown>>>();

  constructor(
    private readonly clients: AwsClientFactory,
    private readonly store: ArtefactStore,
    private readonly shared: SharedRequests,
    private readonly now: () => Date,
  ) {}

  /** Daily cost by `dimensions` over `span`, from the store where it can, from Cost Explorer for the rest. */
  async daily(scope: CostReadScope, dimensions: readonly CostDimension[], span: Period): Promise<CostRead> {
    const dims = canonicalDimensions(dimensions);
    const key = JSON.stringify(['cost-read', scope.analysisId, [...scope.accounts].sort(), dims, span.start, span.end]);
    const read = this.shared.run(key, () => this.withLock(this.documentKey(scope, dims), () => this.readThrough(scope, dims, span)));
    this.track(scope.analysisId, read);
    const { value, reused } = await read;
    return reused ? { costs: value.costs, requests: 0 } : value;
  }

  /**
   * Daily cost by `dimensions` over `span` when the store already has every day of it; never asks AWS.
   * Reads of the same analysis still in flight in this worker are waited for first, so a look-up made while
   * the spend read runs cuts from it instead of asking Cost Explorer again. (The agents that run alongside the
   * spend read join it before their look-ups anyway: joinSpendReads in spend.ts.)
   */
  async available(scope: CostReadScope, dimensions: readonly CostDimension[], span: Period): Promise<DailyCosts | undefined> {
    await Promise.allSettled([...(this.inFlight.get(scope.analysisId) ?? [])]);
    const dims = canonicalDimensions(dimensions);
    const { costs, missing } = await this.fromStore(scope, dims, daysOf(span));
    return missing.length ? undefined : costs;
  }

  private track(analysisId: string, read: Promise<unknown>): void {
    let reads = this.inFlight.get(analysisId);
    if (!reads) this.inFlight.set(analysisId, (reads = new Set()));
    reads.add(read);
    const settle = () => {
      reads.delete(read);
      if (reads.size === 0 && this.inFlight.get(analysisId) === reads) this.inFlight.delete(analysisId);
    };
    read.then(settle, settle);
  }

  private documentKey(scope: CostReadScope, dims: readonly CostDimension[]): string {
    // Analyses outside the business ID scheme (scripts, benchmarks) keep a cache of their own.
    const owner = tenantOfAnalysisId(scope.analysisId) ?? `analysis-${hash(scope.analysisId)}`;
    // The source is part of the key: AWS's past days never change, but a simulator started anew (another
    // port, another day) is another account's history.
    const source = hash(`${this.clients.endpoint ?? 'aws'}|${[...scope.accounts].sort().join(',')}`);
    return `cost-cache/${owner}/${source}/${dims.join('.').toLowerCase()}.json`;
  }

  private async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.catch(() => undefined);
    this.locks.set(key, settled);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === settled) this.locks.delete(key);
    }
  }

  private usable(day: CachedDay | undefined, analysisId: string): day is CachedDay {
    return day !== undefined && (day.settled === true || day.by === analysisId);
  }

  private async fromStore(
    scope: CostReadScope,
    dims: CostDimension[],
    days: readonly string[],
  ): Promise<{ costs: DailyCosts; missing: string[] }> {
    const sources = [dims, ...PLAN_GROUPINGS.filter((g) => g.join() !== dims.join() && derives(g, dims, scope.accounts))];
    const documents = await Promise.all(
      sources.map(async (source) => ({ source, doc: await this.store.getJson<CacheDocument>(this.documentKey(scope, source)) })),
    );
    const costs: DailyCosts = { dimensions: dims, unit: 'USD', byDay: {}, estimatedDays: [] };
    const missing: string[] = [];
    for (const day of days) {
      const hit = documents.find(({ doc }) => this.usable(doc?.days[day], scope.analysisId));
      const cached = hit?.doc?.days[day];
      if (!hit || !cached) {
        missing.push(day);
        continue;
      }
      costs.unit = hit.doc?.unit ?? costs.unit;
      costs.byDay[day] = projectGroups(cached.g, hit.source, dims, scope.accounts);
      if (cached.est) costs.estimatedDays.push(day);
    }
    return { costs, missing };
  }

  private async readThrough(scope: CostReadScope, dims: CostDimension[], span: Period): Promise<CostRead> {
    const { costs, missing } = await this.fromStore(scope, dims, daysOf(span));
    const ask = coveringSpan(missing);
    if (!ask) return { costs, requests: 0 };
    const { value, requests } = await retryTransient(() => this.fetch(scope, dims, ask));
    for (const day of missing) {
      costs.byDay[day] = value.byDay[day] ?? {};
      if (value.estimatedDays.includes(day)) costs.estimatedDays.push(day);
    }
    costs.unit = value.unit;
    await this.remember(scope, dims, value);
    return { costs, requests };
  }

  private async remember(scope: CostReadScope, dims: CostDimension[], read: DailyCosts): Promise<void> {
    const key = this.documentKey(scope, dims);
    const today = dayOf(this.now());
    const doc = (await this.store.getJson<CacheDocument>(key)) ?? { unit: read.unit, days: {} };
    doc.unit = read.unit;
    for (const [day, groups] of Object.entries(read.byDay)) {
      const estimated = read.estimatedDays.includes(day);
      doc.days[day] = {
        g: groups,
        ...(estimated ? { est: true as const } : {}),
        ...(isSettled(day, today, estimated) ? { settled: true as const } : {}),
        by: scope.analysisId,
      };
    }
    // Cost Explorer keeps 13 months and the current one: older days will never be asked for again.
    const oldest = costExplorerEarliestStart(today);
    for (const day of Object.keys(doc.days)) if (day < oldest) delete doc.days[day];
    await this.store.putJson(key, doc);
  }

  /**
   * One read from Cost Explorer: its first page, then the rest — on with the page token when it is short,
   * or as parallel windows of whole days when it would be a long chain of pages (src/domain/page-windows.ts).
   */
  private async fetch(scope: CostReadScope, dims: CostDimension[], span: Period): Promise<{ value: DailyCosts; requests: number }> {
    const listing = `ce:GetCostAndUsage/daily/${dims.join('+')}/${span.start}/${span.end}`;
    const first = await collectPages({
      listing: `${listing}/first`,
      action: 'ce:GetCostAndUsage',
      initial: { costs: emptyCosts(dims), next: undefined as string | undefined, lastDay: undefined as string | undefined, days: 0 },
      fetchPage: (_token, abortSignal) => this.page(scope, dims, span, undefined, abortSignal),
      fold: (_acc, page) => {
        const results = page.ResultsByTime ?? [];
        return { costs: foldPage(emptyCosts(dims), page), next: page.NextPageToken, lastDay: results.at(-1)?.TimePeriod?.Start, days: results.length };
      },
      nextToken: () => undefined,
    });
    const { costs, next, lastDay, days } = first.value;
    if (!next) return { value: costs, requests: first.requests };
    const plan = lastDay ? planRestOfRead(span, lastDay, days, MAX_PARALLEL_WINDOWS) : ({ kind: 'continue' } as const);
    if (plan.kind === 'continue') {
      const rest = await collectPages({
        listing,
        action: 'ce:GetCostAndUsage',
        initial: costs,
        // A fresh listing starts from the first page's token; a resumed one from its checkpoint's.
        fetchPage: (token, abortSignal) => this.page(scope, dims, span, token ?? next, abortSignal),
        fold: foldPage,
        nextToken: (page) => page.NextPageToken,
      });
      return { value: rest.value, requests: first.requests + rest.requests };
    }
    // The first page's last day may continue on the next page: its window reads it whole.
    const head: DailyCosts = { ...costs, byDay: { ...costs.byDay }, estimatedDays: costs.estimatedDays.filter((d) => d !== lastDay) };
    delete head.byDay[lastDay!];
    const windows = await Promise.all(
      plan.windows.map((window) =>
        collectPages({
          listing: `${listing}/window/${window.start}/${window.end}`,
          action: 'ce:GetCostAndUsage',
          initial: emptyCosts(dims),
          fetchPage: (token, abortSignal) => this.page(scope, dims, window, token, abortSignal),
          fold: foldPage,
          nextToken: (page) => page.NextPageToken,
        }),
      ),
    );
    const value = windows.reduce<DailyCosts>(
      (all, { value: part }) => ({
        ...all,
        unit: part.unit,
        byDay: Object.assign(all.byDay, part.byDay),
        estimatedDays: [...all.estimatedDays, ...part.estimatedDays],
      }),
      head,
    );
    return { value, requests: windows.reduce((n, w) => n + w.requests, first.requests) };
  }

  private page(scope: CostReadScope, dims: CostDimension[], span: Period, token: string | undefined, abortSignal: AbortSignal) {
    return this.clients.costExplorer().send(
      new GetCostAndUsageCommand({
        TimePeriod: { Start: span.start, End: span.end },
        Granularity: 'DAILY',
        Metrics: [COST_METRIC],
        GroupBy: dims.map((Key) => ({ Type: 'DIMENSION', Key })),
        Filter: { Dimensions: { Key: 'LINKED_ACCOUNT', Values: [...scope.accounts] } },
        ...(token ? { NextPageToken: token } : {}),
      }),
      { abortSignal },
    );
  }
}

/** Parallel windows for one long read: a few, so other agents' Cost Explorer requests keep their share of its rate. */
const MAX_PARALLEL_WINDOWS = 4;

function emptyCosts(dims: CostDimension[]): DailyCosts {
  return { dimensions: dims, unit: 'USD', byDay: {}, estimatedDays: [] };
}

/** One page folded into a read: a day may continue on the next page, so its groups are added, never overwritten. */
function foldPage(acc: DailyCosts, page: GetCostAndUsageCommandOutput): DailyCosts {
  const next: DailyCosts = { ...acc, byDay: { ...acc.byDay }, estimatedDays: [...acc.estimatedDays] };
  for (const result of page.ResultsByTime ?? []) {
    const day = result.TimePeriod?.Start;
    if (!day) continue;
    const groups = { ...(next.byDay[day] ?? {}) };
    for (const group of result.Groups ?? []) {
      const metric = group.Metrics?.[COST_METRIC];
      if (metric?.Amount === undefined) continue;
      if (metric.Unit) next.unit = metric.Unit;
      const groupKey = (group.Keys ?? []).join('|');
      groups[groupKey] = new Big(groups[groupKey] ?? '0').plus(metric.Amount).toString();
    }
    next.byDay[day] = groups;
    if (result.Estimated && !next.estimatedDays.includes(day)) next.estimatedDays.push(day);
  }
  return next;
}
