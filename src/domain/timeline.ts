/**
 * Where an analysis's time went: per agent and per activity, how long work waited in the task queue,
 * ran on a worker, and of that, waited on AWS. The worker records one ActivityTiming per activity
 * attempt (src/worker/timings.ts); the analysis's last step folds them into an AnalysisTimeline
 * (`buildTimeline`) that travels in the report.
 *
 * Activities of one agent overlap (bounded fan-out), so sums would exceed the agent's wall time. An
 * agent's figures are therefore measures of unions of intervals: `runningMs` is the time at least one
 * of its activities ran, `queuedMs` the time at least one waited for a worker while none ran, and
 * `awsWaitMs` the time at least one AWS call was in flight. Hence queued + running ≤ wall and
 * AWS wait ≤ running, for every agent, by construction.
 */
import type { AgentKind } from './agents';

/** A closed interval of epoch milliseconds. */
export type Interval = readonly [start: number, end: number];

/** What the worker records for one activity attempt. */
export interface ActivityTiming {
  analysisId: string;
  /** The agent whose child workflow scheduled it; absent for the analysis's own steps (tenant check, merge, summary). */
  agent?: AgentKind;
  activityType: string;
  activityId: string;
  attempt: number;
  /** Epoch ms: when this attempt was scheduled (Temporal's clock), started and ended on the worker. */
  scheduledMs: number;
  startedMs: number;
  endedMs: number;
  /** Disjoint intervals with at least one AWS SDK call in flight (retries and throttling back-off included). */
  aws: Interval[];
  failed?: boolean;
}

/** One phase breakdown, in milliseconds. */
export interface PhaseTimes {
  wallMs: number;
  /** Waiting in the task queue for a worker slot, while nothing of this scope ran. */
  queuedMs: number;
  /** At least one activity running on a worker. */
  runningMs: number;
  /** At least one AWS call in flight (part of runningMs). */
  awsWaitMs: number;
}

export interface AgentTimeline extends PhaseTimes {
  /** An agent, or 'analysis' for the parent's own steps (tenant check, merge, summary). */
  scope: AgentKind | 'analysis';
  activities: number;
  /** Attempts beyond the first (retries). */
  retries: number;
}

export interface ActivityTimelineEntry {
  scope: AgentKind | 'analysis';
  activityType: string;
  attempt: number;
  queuedMs: number;
  runningMs: number;
  awsWaitMs: number;
}

/** The report's "where the time went" section. */
export interface AnalysisTimeline {
  /** The analysis from its start to the last recorded step. */
  wallMs: number;
  scopes: AgentTimeline[];
  /** The longest-running activity attempts, longest first. */
  top: ActivityTimelineEntry[];
  /** Activity attempts recorded in all. */
  activities: number;
}

/** An agent child workflow's window, as the parent saw it (workflow time). */
export interface ScopeWindow {
  scope: AgentKind | 'analysis';
  startMs: number;
  endMs: number;
}

/** Sorted, merged, non-empty intervals. */
export function unionOf(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b) && b > a).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

export function lengthOf(intervals: readonly Interval[]): number {
  return unionOf(intervals).reduce((sum, [a, b]) => sum + (b - a), 0);
}

/** `intervals` minus `cut`, both as unions. */
export function subtract(intervals: readonly Interval[], cut: readonly Interval[]): Interval[] {
  const holes = unionOf(cut);
  const out: Interval[] = [];
  for (const [a0, b] of unionOf(intervals)) {
    let a = a0;
    for (const [c, d] of holes) {
      if (d <= a || c >= b) continue;
      if (c > a) out.push([a, c]);
      a = Math.max(a, d);
      if (a >= b) break;
    }
    if (a < b) out.push([a, b]);
  }
  return out;
}

function clamp(intervals: readonly Interval[], window: Interval): Interval[] {
  return intervals.flatMap(([a, b]) => {
    const s = Math.max(a, window[0]);
    const e = Math.min(b, window[1]);
    return e > s ? [[s, e] as const] : [];
  });
}

const round = (ms: number) => Math.max(0, Math.round(ms));

/** One scope's phases from its attempts, inside its window (clock differences cannot push it past its wall). */
function phases(timings: readonly ActivityTiming[], window: Interval): PhaseTimes {
  const running = unionOf(clamp(timings.map((t) => [t.startedMs, t.endedMs] as const), window));
  const queued = subtract(clamp(timings.map((t) => [t.scheduledMs, t.startedMs] as const), window), running);
  const aws = clamp(unionOf(timings.flatMap((t) => clamp(t.aws, [t.startedMs, t.endedMs]))), window);
  return {
    wallMs: round(window[1] - window[0]),
    queuedMs: round(lengthOf(queued)),
    runningMs: round(lengthOf(running)),
    awsWaitMs: round(lengthOf(aws)),
  };
}

/**
 * Fold the recorded attempts into the report's timeline. `windows` are the agents' child-workflow
 * windows and the analysis's own (scope 'analysis': its start to now); every window gets an entry,
 * with zeros when none of its activities was recorded. Attempts of scopes without a window are placed
 * in the analysis window.
 */
export function buildTimeline(windows: readonly ScopeWindow[], timings: readonly ActivityTiming[], topCount = 10): AnalysisTimeline {
  const analysisWindow = windows.find((w) => w.scope === 'analysis');
  const start = analysisWindow?.startMs ?? Math.min(...windows.map((w) => w.startMs), ...timings.map((t) => t.scheduledMs));
  const end = analysisWindow?.endMs ?? Math.max(...windows.map((w) => w.endMs), ...timings.map((t) => t.endedMs));
  const scopeOf = (t: ActivityTiming): AgentKind | 'analysis' => (t.agent && windows.some((w) => w.scope === t.agent) ? t.agent : 'analysis');
  const ordered = [...windows.filter((w) => w.scope !== 'analysis'), { scope: 'analysis' as const, startMs: start, endMs: end }];
  const scopes = ordered.map((w): AgentTimeline => {
    const own = timings.filter((t) => scopeOf(t) === w.scope);
    return {
      scope: w.scope,
      ...phases(own, [w.startMs, Math.max(w.startMs, w.endMs)]),
      activities: own.length,
      retries: own.filter((t) => t.attempt > 1).length,
    };
  });
  const top = [...timings]
    .sort((a, b) => b.endedMs - b.startedMs - (a.endedMs - a.startedMs))
    .slice(0, topCount)
    .map((t): ActivityTimelineEntry => ({
      scope: scopeOf(t),
      activityType: t.activityType,
      attempt: t.attempt,
      queuedMs: round(t.startedMs - t.scheduledMs),
      runningMs: round(t.endedMs - t.startedMs),
      awsWaitMs: round(lengthOf(clamp(t.aws, [t.startedMs, t.endedMs]))),
    }));
  return { wallMs: round(end - start), scopes, top, activities: timings.length };
}
