/**
 * Weekly reviews on Temporal Schedules: one schedule per tenant and scope (an account group, or "all"),
 * ID `review/<tenant>/<scope>`, default Monday 09:00 in the configured time zone, overlap SKIP (never two
 * reviews of one scope at once), a catch-up window for missed runs. Creation is idempotent: an existing
 * schedule is updated to match, so a restart that applies the configuration again duplicates nothing.
 */
import {
  type Client,
  ScheduleAlreadyRunning,
  type ScheduleDescription,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, ENV } from '../config';
import { SCOPE_PATTERN } from '../domain/review';
import type { ReviewInput, weeklyReview } from '../workflows/review';
import { ACCOUNT, KIND, TENANT } from '../workflows/search-attributes';

export const DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
export type DayOfWeek = (typeof DAYS)[number];

export const reviewScheduleSchema = z
  .object({
    tenant: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'tenant must be 1-63 lowercase letters, digits or hyphens'),
    scope: z.string().regex(SCOPE_PATTERN, 'scope must be 1-63 lowercase letters, digits or hyphens').default('all'),
    accounts: z.array(z.string().regex(/^\d{12}$/, 'each account must be a 12-digit AWS account ID')).min(1).max(50),
    regions: z.array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/)).min(1).max(30).optional(),
    agents: z.array(z.string()).min(1).optional(),
    timezone: z
      .string()
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'timezone must be an IANA time zone such as Europe/Paris')
      .default('UTC'),
    dayOfWeek: z.enum(DAYS).default('MONDAY'),
    hour: z.number().int().min(0).max(23).default(9),
    minute: z.number().int().min(0).max(59).default(0),
    periodDays: z.number().int().min(1).max(31).default(7),
    /** Missed runs (server down) younger than this are still taken; e.g. "1 day". */
    catchupWindow: z.string().regex(/^\d+\s*(m|h|d|minutes?|hours?|days?)$/).default('1 day'),
    paused: z.boolean().default(false),
  })
  .strict();

export type ReviewScheduleInput = z.input<typeof reviewScheduleSchema>;
export type ReviewSchedule = z.output<typeof reviewScheduleSchema>;

export function scheduleIdOf(tenant: string, scope: string): string {
  return `review/${tenant}/${scope}`;
}

/** Tenant and scope of a review schedule ID, or undefined. */
export function parseScheduleId(id: string): { tenant: string; scope: string } | undefined {
  const m = /^review\/([a-z0-9][a-z0-9-]{0,62})\/([a-z0-9][a-z0-9-]{0,62})$/.exec(id);
  return m ? { tenant: m[1]!, scope: m[2]! } : undefined;
}

export function scheduleSummary(s: ReviewSchedule): string {
  const when = `${s.dayOfWeek[0]}${s.dayOfWeek.slice(1).toLowerCase()}s ${String(s.hour).padStart(2, '0')}:${String(s.minute).padStart(2, '0')} ${s.timezone}`;
  const accounts = s.accounts.length === 1 ? `account ${s.accounts[0]}` : `${s.accounts.length} accounts`;
  return `Weekly cost review for ${s.tenant}/${s.scope}: ${accounts}, last ${s.periodDays} days, ${when}`;
}

function action(s: ReviewSchedule, taskQueue: string): ScheduleOptionsStartWorkflowAction<typeof weeklyReview> {
  const input: ReviewInput = {
    tenant: s.tenant,
    scope: s.scope,
    accounts: s.accounts,
    periodDays: s.periodDays,
    timezone: s.timezone,
    ...(s.regions ? { regions: s.regions } : {}),
    ...(s.agents ? { agents: s.agents } : {}),
  };
  return {
    type: 'startWorkflow',
    workflowType: 'weeklyReview',
    // The server appends the scheduled time: review/acme/all-2026-11-23T09:00:00Z.
    workflowId: scheduleIdOf(s.tenant, s.scope),
    taskQueue,
    args: [input],
    staticSummary: `Weekly cost review for ${s.tenant}/${s.scope}`,
    staticDetails: `Started by schedule \`${scheduleIdOf(s.tenant, s.scope)}\`. Accounts: ${s.accounts.join(', ')}.`,
    typedSearchAttributes: [
      { key: TENANT, value: s.tenant },
      { key: ACCOUNT, value: s.accounts },
      { key: KIND, value: 'review' },
    ],
    workflowExecutionTimeout: '6 hours',
  };
}

function specOf(s: ReviewSchedule) {
  return { calendars: [{ dayOfWeek: s.dayOfWeek, hour: s.hour, minute: s.minute }], timezone: s.timezone };
}

function policiesOf(s: ReviewSchedule) {
  return { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: s.catchupWindow.replace(/\s+/g, ''), pauseOnFailure: false };
}

/**
 * Create the schedule, or bring an existing one in line with `input` (idempotent). The pause state of an
 * existing schedule is kept unless `input.paused` is given explicitly.
 */
export async function upsertReviewSchedule(
  client: Client,
  taskQueue: string,
  input: ReviewScheduleInput,
): Promise<{ scheduleId: string; created: boolean }> {
  const s = reviewScheduleSchema.parse(input);
  const scheduleId = scheduleIdOf(s.tenant, s.scope);
  const summary = scheduleSummary(s);
  try {
    await client.schedule.create({
      scheduleId,
      spec: specOf(s),
      action: action(s, taskQueue),
      policies: policiesOf(s),
      memo: { summary, config: s },
      state: { paused: s.paused, note: summary },
    });
    return { scheduleId, created: true };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(scheduleId).update((previous) => ({
    spec: specOf(s),
    action: action(s, taskQueue),
    policies: policiesOf(s),
    state: { paused: input.paused ?? previous.state.paused, note: previous.state.paused && input.paused === undefined ? previous.state.note ?? summary : summary },
  }));
  return { scheduleId, created: false };
}

export interface ScheduleView {
  scheduleId: string;
  tenant: string;
  scope: string;
  summary?: string;
  paused: boolean;
  note?: string;
  timezone?: string;
  calendars?: unknown;
  nextActionTimes: string[];
  recentActions: { scheduledAt: string; workflowId: string }[];
  config?: ReviewSchedule;
}

function viewOf(scheduleId: string, d: ScheduleDescription): ScheduleView {
  const ids = parseScheduleId(scheduleId)!;
  const memo = (d.memo ?? {}) as { summary?: string; config?: ReviewSchedule };
  return {
    scheduleId,
    ...ids,
    ...(memo.summary ? { summary: memo.summary } : {}),
    paused: d.state.paused,
    ...(d.state.note ? { note: d.state.note } : {}),
    ...(d.spec.timezone ? { timezone: d.spec.timezone } : {}),
    calendars: d.spec.calendars,
    nextActionTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
    recentActions: d.info.recentActions.map((a) => ({
      scheduledAt: a.scheduledAt.toISOString(),
      workflowId: a.action.type === 'startWorkflow' ? a.action.workflow.workflowId : '',
    })),
    ...(memo.config ? { config: memo.config } : {}),
  };
}

/** One schedule, or undefined when it does not exist (or is not a review schedule). */
export async function describeReviewSchedule(client: Client, scheduleId: string): Promise<ScheduleView | undefined> {
  if (!parseScheduleId(scheduleId)) return undefined;
  try {
    return viewOf(scheduleId, await client.schedule.getHandle(scheduleId).describe());
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
}

/** Review schedules of the given tenants ("*" for all). */
export async function listReviewSchedules(client: Client, tenants: readonly string[] | '*'): Promise<ScheduleView[]> {
  const out: ScheduleView[] = [];
  for await (const summary of client.schedule.list()) {
    const ids = parseScheduleId(summary.scheduleId);
    if (!ids || (tenants !== '*' && !tenants.includes(ids.tenant))) continue;
    const view = await describeReviewSchedule(client, summary.scheduleId);
    if (view) out.push(view);
  }
  return out.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
}

/** Operations on one schedule; false when it does not exist. */
export async function withSchedule(
  client: Client,
  scheduleId: string,
  op: 'pause' | 'unpause' | 'trigger' | 'delete',
  note?: string,
): Promise<boolean> {
  if (!parseScheduleId(scheduleId)) return false;
  const handle = client.schedule.getHandle(scheduleId);
  try {
    if (op === 'pause') await handle.pause(note ?? 'Paused through the FinOps API');
    // Resuming puts the summary back as the note (`temporal schedule list --long` shows notes).
    else if (op === 'unpause') await handle.unpause(note ?? ((await handle.describe()).memo as { summary?: string } | undefined)?.summary ?? 'Resumed');
    // Trigger now, but never next to a running review of the same scope.
    else if (op === 'trigger') await handle.trigger(ScheduleOverlapPolicy.SKIP);
    else await handle.delete();
    return true;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return false;
    throw err;
  }
}

/** Take the actions the schedule would have taken between `start` and `end` (one review per scheduled time, in turn). */
export async function backfillReviewSchedule(client: Client, scheduleId: string, start: Date, end: Date): Promise<boolean> {
  if (!parseScheduleId(scheduleId)) return false;
  try {
    await client.schedule.getHandle(scheduleId).backfill({ start, end, overlap: ScheduleOverlapPolicy.BUFFER_ALL });
    return true;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return false;
    throw err;
  }
}

/** Schedules from FINOPS_REVIEW_SCHEDULES (JSON list) or FINOPS_REVIEW_SCHEDULES_FILE. */
export function schedulesFromEnv(env: NodeJS.ProcessEnv = process.env): ReviewScheduleInput[] {
  const file = env[ENV.reviewSchedulesFile];
  const raw = file ? readFileSync(file, 'utf8') : env[ENV.reviewSchedules];
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new ConfigError(`${file ? ENV.reviewSchedulesFile : ENV.reviewSchedules}: not JSON (${(err as Error).message})`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { schedules?: unknown })?.schedules;
  if (!Array.isArray(list)) throw new ConfigError('review schedules: expected a list, or {"schedules": [...]}');
  return list.map((item, i) => {
    const result = reviewScheduleSchema.safeParse(item);
    if (!result.success) {
      throw new ConfigError(`review schedule ${i}: ${result.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    }
    // Keep the raw input: defaults are applied by upsert, and `paused` stays unset unless configured.
    return item as ReviewScheduleInput;
  });
}

/** Apply configured schedules at start-up: creates the missing ones, updates the others; never duplicates. */
export async function ensureReviewSchedules(
  client: Client,
  taskQueue: string,
  schedules: readonly ReviewScheduleInput[],
): Promise<{ scheduleId: string; created: boolean }[]> {
  const out = [];
  for (const s of schedules) out.push(await upsertReviewSchedule(client, taskQueue, s));
  return out;
}
