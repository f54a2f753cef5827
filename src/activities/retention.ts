/**
 * The artefact store's retention sweep: applies report retention for every tenant, then deletes the
 * payloads, analysis folders and cost-cache documents the rules in src/domain/retention.ts allow.
 *
 * It runs outside any analysis (the worker starts it on a timer, src/worker/retention.ts), so it never
 * slows one down. It is idempotent and safe to run on several workers at once: it only deletes, each
 * deletion is decided from the object's own age and the kept reports, and deleting a missing key is no
 * error. It is bounded: at most `maxDeletes` objects a sweep; the rest go on the next one.
 */
import {
  ANALYSIS_PREFIX,
  analysisOfKey,
  analysisOfReportKey,
  COST_CACHE_PREFIX,
  historyCutoffMs,
  PAYLOAD_PREFIX,
  planSweep,
  REPORT_PREFIX,
  type SweepPlan,
} from '../domain/retention';
import type { ReportStore } from './reports';
import type { ListableStore } from './store';

export const DEFAULT_MAX_DELETES_PER_SWEEP = 5_000;
const DELETE_CONCURRENCY = 16;

/**
 * The start of the oldest workflow Temporal still holds (open, or closed within the namespace's retention)
 * among those started before `before`; undefined when there is none. 'unknown' when it cannot tell: the
 * sweep then deletes nothing a history may refer to.
 */
export type OldestKeptHistory = (before: Date) => Promise<Date | undefined | 'unknown'>;

/** The payload keys Temporal's schedules refer to (their actions' arguments and memo). */
export type ScheduledPayloads = () => Promise<ReadonlySet<string>>;

export interface SweepOptions {
  store: ListableStore;
  /** Report retention, applied for every tenant (keepReport applies it only for the tenant it keeps a report of). */
  reports?: ReportStore;
  now: Date;
  /** FINOPS_PAYLOAD_RETENTION_DAYS (0 = payloads and analysis folders are kept forever). */
  historyDays: number;
  oldestKeptHistory: OldestKeptHistory;
  /** Default: none (a store no schedule refers to). When it fails, payloads wait for the next sweep. */
  scheduledPayloads?: ScheduledPayloads;
  maxDeletes?: number;
}

export interface SweepResult {
  reportsPruned: number;
  payloads: number;
  analyses: number;
  analysisObjects: number;
  costCache: number;
  /** Why payloads and analysis folders were left alone this time, when they were. */
  heldBack?: string;
  /** More were eligible than one sweep deletes. */
  truncated: boolean;
}

export async function sweepStore(options: SweepOptions): Promise<SweepResult> {
  const { store, now } = options;
  let reportsPruned = 0;
  if (options.reports) {
    for (const tenant of await options.reports.tenants()) reportsPruned += (await options.reports.prune(tenant, now)).length;
  }

  // Only a workflow that started before the horizon can hold it back: ask Temporal about those alone.
  let heldBack: string | undefined;
  let oldestKeptHistoryStart: Date | undefined;
  let historyDays = options.historyDays;
  const byAge = historyCutoffMs(now, historyDays);
  if (byAge !== undefined) {
    const oldest = await options.oldestKeptHistory(new Date(byAge)).catch(() => 'unknown' as const);
    if (oldest === 'unknown') {
      heldBack = 'Temporal could not say which histories it still holds';
      historyDays = 0;
    } else if (oldest) {
      oldestKeptHistoryStart = oldest;
      heldBack = `Temporal still holds a history started ${oldest.toISOString()}`;
    }
  }

  let pinnedPayloads: ReadonlySet<string> | undefined;
  let sweepPayloads = historyDays > 0;
  if (sweepPayloads && options.scheduledPayloads) {
    try {
      pinnedPayloads = await options.scheduledPayloads();
    } catch (err) {
      sweepPayloads = false;
      heldBack = `Temporal could not list the schedules' payloads (${err instanceof Error ? err.message : String(err)})`;
    }
  }

  // Reports are listed after pruning and before the folders, so a report kept meanwhile only keeps more.
  const keptReports = new Set((await store.listKeys(REPORT_PREFIX)).map(analysisOfReportKey).filter((id): id is string => id !== undefined));
  const [payloads, analyses, costCache] = await Promise.all([
    sweepPayloads ? store.listObjects(PAYLOAD_PREFIX) : [],
    historyDays > 0 ? store.listObjects(ANALYSIS_PREFIX) : [],
    store.listObjects(COST_CACHE_PREFIX),
  ]);
  const plan = planSweep([...payloads, ...analyses, ...costCache], {
    now,
    historyDays,
    ...(oldestKeptHistoryStart ? { oldestKeptHistoryStart } : {}),
    keptReports,
    ...(pinnedPayloads ? { pinnedPayloads } : {}),
  });
  const cutoff = historyCutoffMs(now, historyDays, oldestKeptHistoryStart);
  const { deleted, truncated } = await deleteBounded(store, plan, options.maxDeletes ?? DEFAULT_MAX_DELETES_PER_SWEEP, cutoff ?? -Infinity);
  return {
    reportsPruned,
    payloads: deleted.payloads,
    analyses: plan.analyses.filter((id) => deleted.folders.has(id)).length,
    analysisObjects: deleted.analysisObjects,
    costCache: deleted.costCache,
    ...(heldBack ? { heldBack } : {}),
    truncated,
  };
}

/**
 * Deletes up to `max` keys: analysis folders first (their timings are most of the objects), then payloads,
 * then cost-cache documents. A folder cut short by the bound is finished by the next sweep (its remaining
 * objects are no newer).
 */
async function deleteBounded(store: ListableStore, plan: SweepPlan, max: number, payloadCutoffMs: number) {
  const queue = [
    ...plan.analysisKeys.map((key) => ({ key, kind: 'analysis' as const })),
    ...plan.payloads.map((key) => ({ key, kind: 'payload' as const })),
    ...plan.costCache.map((key) => ({ key, kind: 'cost' as const })),
  ];
  const batch = queue.slice(0, max);
  const deleted = { payloads: 0, analysisObjects: 0, costCache: 0, folders: new Set<string>() };
  for (let i = 0; i < batch.length; i += DELETE_CONCURRENCY) {
    const chunk = batch.slice(i, i + DELETE_CONCURRENCY);
    const gone = await Promise.all(chunk.map((item) => (item.kind === 'payload' ? deletePayload(store, item.key, payloadCutoffMs) : store.delete(item.key).then(() => true))));
    chunk.forEach((item, j) => {
      if (!gone[j]) return;
      if (item.kind === 'payload') deleted.payloads++;
      else if (item.kind === 'cost') deleted.costCache++;
      else deleted.analysisObjects++;
    });
  }
  // A folder counts as gone when all its keys were in the batch (its keys are queued together, in order).
  const left = new Set(queue.slice(max).flatMap((item) => (item.kind === 'analysis' ? [analysisOfKey(item.key)] : [])));
  for (const id of plan.analyses) if (!left.has(id)) deleted.folders.add(id);
  return { deleted, truncated: queue.length > max };
}

/**
 * A payload is looked at again just before it goes: a new history may have referred to it since the listing
 * (the codec wrote it again), and a listing of many payloads takes a while. What is left is the moment
 * between this read and the deletion.
 */
async function deletePayload(store: ListableStore, key: string, cutoffMs: number): Promise<boolean> {
  const written = await store.lastModified(key);
  if (written === undefined || !(written.getTime() < cutoffMs)) return false;
  await store.delete(key);
  return true;
}
