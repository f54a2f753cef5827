/**
 * What the artefact store's retention sweep may delete (src/activities/retention.ts runs it): pure rules
 * over object keys and their last-write times, so they are tested without a store or a clock.
 *
 * Three kinds of objects are swept; everything else (reports/ — pruned by ReportStore.prune —,
 * finding-states/ — users' decisions, kept —, reviews/ and any key this module does not know) is never
 * touched.
 *
 * - payloads/<sha256>.json: large Temporal payloads (src/payload-references.ts). Workflow histories refer
 *   to them until Temporal deletes the history, the namespace's retention after the workflow closes. The
 *   codec writes the object again every time a history gains a reference to it, so its last write is no
 *   earlier than the newest reference. A payload goes once its last write is older than the *history
 *   horizon*: FINOPS_PAYLOAD_RETENTION_DAYS (which must cover the namespace's retention plus a run's
 *   length), and never later than the start of the oldest workflow Temporal still holds (a long run or a
 *   longer namespace retention than configured holds the horizon back; see historyCutoffMs). Payloads a
 *   schedule refers to stay whatever their age (SweepFacts.pinnedPayloads).
 * - analysis/<tenant>/<id>/…: an analysis's own folder (findings parts and lists, counted and dismissed,
 *   timings). Its workflow result and its kept report both point into it, so the folder goes whole once
 *   no report of the analysis is kept (ReportStore.prune removed it, or none was ever kept: a failed or
 *   cancelled run) and its newest object is older than the same history horizon.
 * - cost-cache/<tenant>/<source>/….json: Cost Explorer days already read. A document holds days no later
 *   than its last write, so once that write is older than Cost Explorer's history (13 months and the
 *   current one) every day in it is one Cost Explorer no longer serves and no read asks for; one month
 *   more covers a FINOPS_TODAY set ahead of the real date.
 */
import { addMonths, costExplorerEarliestStart, dayOf } from './calendar';
import { tenantOfAnalysisId } from '../workflows/ids';

/** An object in the artefact store and when it was last written. */
export interface StoredObject {
  key: string;
  lastModified: Date;
}

export const PAYLOAD_PREFIX = 'payloads/';
export const ANALYSIS_PREFIX = 'analysis/';
export const COST_CACHE_PREFIX = 'cost-cache/';
export const REPORT_PREFIX = 'reports/';

const DAY_MS = 86_400_000;

/**
 * Margin before the oldest kept workflow's start: the client writes a large start input just before
 * Temporal records the start, and the store's clock and Temporal's may disagree a little.
 */
export const HISTORY_START_MARGIN_MS = 3_600_000;

/** The months a cost-cache document outlives its last write: Cost Explorer's history, and one more. */
export const COST_CACHE_MONTHS_PAST_HISTORY = 1;

/**
 * The instant (ms) before which payloads and analysis folders may go: `historyDays` before `now`, and no
 * later than the start of the oldest workflow Temporal still holds (less a margin). Undefined: nothing
 * goes (retention 0 keeps them forever).
 */
export function historyCutoffMs(now: Date, historyDays: number, oldestKeptHistoryStart?: Date): number | undefined {
  if (historyDays <= 0) return undefined;
  const byAge = now.getTime() - historyDays * DAY_MS;
  if (!oldestKeptHistoryStart) return byAge;
  return Math.min(byAge, oldestKeptHistoryStart.getTime() - HISTORY_START_MARGIN_MS);
}

/** The analysis an analysis-folder key belongs to (analysis/<tenant>/<id>/…), or undefined for any other key. */
export function analysisOfKey(key: string): string | undefined {
  const [root, tenant, id, ...rest] = key.split('/');
  if (root !== 'analysis' || rest.length === 0) return undefined;
  const analysisId = `${root}/${tenant}/${id}`;
  return tenantOfAnalysisId(analysisId) ? analysisId : undefined;
}

/** The analysis a report-store key belongs to (reports/<tenant>/<id>/…), or undefined. */
export function analysisOfReportKey(key: string): string | undefined {
  const [root, tenant, id, ...rest] = key.split('/');
  if (root !== 'reports' || rest.length === 0) return undefined;
  const analysisId = `analysis/${tenant}/${id}`;
  return tenantOfAnalysisId(analysisId) ? analysisId : undefined;
}

export function isPayloadKey(key: string): boolean {
  return key.startsWith(PAYLOAD_PREFIX) && key.endsWith('.json');
}

export function isCostCacheKey(key: string): boolean {
  return key.startsWith(COST_CACHE_PREFIX) && key.endsWith('.json');
}

/** A cost-cache document written before this instant holds only days Cost Explorer no longer serves. */
export function costCacheCutoffMs(now: Date): number {
  const oldest = addMonths(costExplorerEarliestStart(dayOf(now)), -COST_CACHE_MONTHS_PAST_HISTORY);
  return Date.parse(`${oldest}T00:00:00Z`);
}

export interface SweepFacts {
  now: Date;
  /** FINOPS_PAYLOAD_RETENTION_DAYS: the history horizon of payloads and analysis folders (0 = forever). */
  historyDays: number;
  /** Start of the oldest workflow Temporal still holds a history of, when one started before the horizon. */
  oldestKeptHistoryStart?: Date;
  /** Analyses with a kept report (their folders stay, whatever their age). */
  keptReports: ReadonlySet<string>;
  /**
   * Payloads a schedule's action refers to: Temporal copies a schedule's arguments into every workflow it
   * starts without encoding them again, so their age says nothing; they stay while the schedule does.
   */
  pinnedPayloads?: ReadonlySet<string>;
}

export interface SweepPlan {
  payloads: string[];
  /** Analysis IDs whose folders go whole. */
  analyses: string[];
  /** Every key of those folders. */
  analysisKeys: string[];
  costCache: string[];
}

/**
 * What may go, from listings of payloads/, analysis/ and cost-cache/ (other keys in them are ignored).
 * An analysis folder goes whole or not at all: its newest object decides.
 */
export function planSweep(objects: readonly StoredObject[], facts: SweepFacts): SweepPlan {
  const cutoff = historyCutoffMs(facts.now, facts.historyDays, facts.oldestKeptHistoryStart);
  const costCutoff = costCacheCutoffMs(facts.now);
  const payloads: string[] = [];
  const costCache: string[] = [];
  const folders = new Map<string, { newestMs: number; keys: string[] }>();
  for (const o of objects) {
    const written = o.lastModified.getTime();
    if (isPayloadKey(o.key)) {
      if (cutoff !== undefined && written < cutoff && !facts.pinnedPayloads?.has(o.key)) payloads.push(o.key);
    } else if (isCostCacheKey(o.key)) {
      if (written < costCutoff) costCache.push(o.key);
    } else {
      const analysisId = analysisOfKey(o.key);
      if (!analysisId) continue;
      const folder = folders.get(analysisId) ?? { newestMs: -Infinity, keys: [] };
      folder.newestMs = Math.max(folder.newestMs, Number.isNaN(written) ? Infinity : written);
      folder.keys.push(o.key);
      folders.set(analysisId, folder);
    }
  }
  const analyses: string[] = [];
  const analysisKeys: string[] = [];
  if (cutoff !== undefined) {
    for (const [analysisId, folder] of folders) {
      if (facts.keptReports.has(analysisId) || !(folder.newestMs < cutoff)) continue;
      analyses.push(analysisId);
      analysisKeys.push(...folder.keys);
    }
  }
  return { payloads, analyses, analysisKeys, costCache };
}
