/**
 * The worker's side of the artefact store's retention (rules: src/domain/retention.ts; the sweep:
 * src/activities/retention.ts).
 *
 * Why a timer in the worker process and not a step of each analysis or a Temporal schedule: the sweep must
 * never slow an analysis (keepReport runs on every one), and it needs no durability of its own — it is
 * idempotent, bounded and decided afresh from the store each time, so a sweep lost to a restart is simply
 * the next one. Every worker sweeps at most once per FINOPS_STORE_SWEEP_HOURS (the first a few minutes
 * after start-up, so a restart loop does not sweep in a loop); two workers sweeping at once only delete the
 * same keys twice, which is no error.
 *
 * At start-up the worker reads the namespace's retention and refuses a FINOPS_PAYLOAD_RETENTION_DAYS that
 * does not exceed it: payloads would go while closed histories still refer to them. At every sweep it asks
 * Temporal for workflows started before the horizon that it still holds (running, or closed within the
 * retention); the oldest holds the horizon back, so a long run keeps its payloads and folder.
 */
import { optionalTsToMs } from '@temporalio/common/lib/time';
import type { NativeConnection } from '@temporalio/worker';
import { ConfigError, ENV } from '../config';
import { sweepStore, type OldestKeptHistory, type ScheduledPayloads, type SweepOptions, type SweepResult } from '../activities/retention';
import { referencedKey } from '../payload-references';

type WorkflowService = NativeConnection['workflowService'];

const DAY_MS = 86_400_000;
/** How many old workflows one sweep reads to find the oldest; more and it holds everything back. */
const MAX_OLD_WORKFLOWS = 1_000;
/** The first sweep after start-up. */
export const FIRST_SWEEP_DELAY_MS = 5 * 60_000;

/** The namespace's retention of closed workflows, in milliseconds (undefined when Temporal does not say). */
export async function namespaceRetentionMs(service: WorkflowService, namespace: string): Promise<number | undefined> {
  const described = await service.describeNamespace({ namespace });
  return optionalTsToMs(described.config?.workflowExecutionRetentionTtl);
}

/**
 * FINOPS_PAYLOAD_RETENTION_DAYS must exceed the namespace's retention by at least a day (a run's length;
 * longer runs are held back at sweep time). 0 (keep forever) is always right.
 */
export function checkPayloadRetention(historyDays: number, retentionMs: number | undefined, namespace: string): void {
  if (historyDays === 0 || retentionMs === undefined) return;
  const needed = Math.ceil(retentionMs / DAY_MS) + 1;
  if (historyDays < needed) {
    throw new ConfigError(
      `${ENV.payloadRetentionDays} is ${formatDays(historyDays * DAY_MS)}, but namespace ${namespace} keeps closed workflows ${formatDays(retentionMs)}: ` +
        `their histories would refer to deleted payloads. Set it to ${needed} or more (or 0 to keep payloads forever).`,
    );
  }
}

function formatDays(ms: number): string {
  const days = ms / DAY_MS;
  return Number.isInteger(days) ? `${days} day${days === 1 ? '' : 's'}` : `${(ms / 3_600_000).toFixed(1)} hours`;
}

/** Temporal's answer to "which kept histories started before the horizon": the oldest start, from visibility. */
export function temporalOldestKeptHistory(service: WorkflowService, namespace: string): OldestKeptHistory {
  return async (before) => {
    let oldest: number | undefined;
    let seen = 0;
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await service.listWorkflowExecutions({
        namespace,
        pageSize: 100,
        query: `StartTime < "${before.toISOString()}"`,
        ...(nextPageToken ? { nextPageToken } : {}),
      });
      for (const execution of page.executions ?? []) {
        const started = optionalTsToMs(execution.startTime);
        if (started !== undefined) oldest = Math.min(oldest ?? started, started);
        seen++;
      }
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
      if (seen >= MAX_OLD_WORKFLOWS && nextPageToken) return 'unknown';
    } while (nextPageToken);
    return oldest === undefined ? undefined : new Date(oldest);
  };
}

/**
 * The payloads Temporal's schedules refer to: a schedule keeps its action's encoded arguments and copies
 * them into each workflow it starts, so a large argument stored once is read again every week.
 */
export function temporalScheduledPayloads(service: WorkflowService, namespace: string): ScheduledPayloads {
  return async () => {
    const keys = new Set<string>();
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await service.listSchedules({ namespace, maximumPageSize: 100, ...(nextPageToken ? { nextPageToken } : {}) });
      for (const entry of page.schedules ?? []) {
        if (!entry.scheduleId) continue;
        const described = await service.describeSchedule({ namespace, scheduleId: entry.scheduleId });
        const start = described.schedule?.action?.startWorkflow;
        const payloads = [...(start?.input?.payloads ?? []), ...Object.values(start?.memo?.fields ?? {})];
        for (const payload of payloads) {
          const key = referencedKey(payload);
          if (key) keys.add(key);
        }
      }
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    return keys;
  };
}

export interface StoreSweeps {
  /** Runs one sweep now (the timer's sweeps wait for it). */
  sweepNow(): Promise<SweepResult>;
  stop(): void;
}

/**
 * Sweeps every `everyMs`, the first after `firstDelayMs`. Timers do not keep the process alive; a failed
 * sweep is logged and the next one tries again.
 */
export function startStoreSweeps(
  options: Omit<SweepOptions, 'now'> & { now?: () => Date; everyMs: number; firstDelayMs?: number; log?: (line: string) => void },
): StoreSweeps {
  const log = options.log ?? ((line: string) => console.log(line));
  const now = options.now ?? (() => new Date());
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<SweepResult> | undefined;
  let stopped = false;

  const sweepNow = (): Promise<SweepResult> => {
    running ??= sweepStore({ ...options, now: now() }).finally(() => {
      running = undefined;
    });
    return running;
  };
  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      sweepNow()
        .then((r) => log(describeSweep(r)))
        .catch((err: unknown) => log(`Store sweep failed: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => schedule(options.everyMs));
    }, delayMs);
    timer.unref();
  };
  schedule(options.firstDelayMs ?? Math.min(FIRST_SWEEP_DELAY_MS, options.everyMs));
  return {
    sweepNow,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

export function describeSweep(r: SweepResult): string {
  const parts = [
    `${r.reportsPruned} expired reports`,
    `${r.analyses} analysis folders (${r.analysisObjects} objects)`,
    `${r.payloads} payloads`,
    `${r.costCache} cost-cache documents`,
  ];
  return `Store sweep removed ${parts.join(', ')}${r.truncated ? '; more next sweep' : ''}${r.heldBack ? ` (held back: ${r.heldBack})` : ''}`;
}
