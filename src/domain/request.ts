/**
 * The analysis request: what a client asks for, validated before any workflow starts.
 * The same validation runs in the gateway (to answer 400) and in the workflow (defence in depth).
 */
import { z } from 'zod';
import { AGENT_KINDS, type AgentKind } from './agents';
import { dayOf, periodEndingOn } from './calendar';
import { PARENT_ID, type OrganizationScope } from './organization';
import { addDays, isIsoDate, periodDays, type Period } from './period';

/** Cost Explorer keeps 13 months of history plus the current month; the trend needs the period before too. */
export const MAX_PERIOD_DAYS = 190;
export const DEFAULT_PERIOD_DAYS = 30;
/** Accounts per analysis, listed or discovered: each is a child's unit of work, and the history grows with them. */
export const MAX_ACCOUNTS = 50;
/** OUs per organisation scope: each is walked with its child OUs. */
export const MAX_OUS = 20;

/**
 * How many account-Regions one agent analyses at once, by default and at most. 50 accounts by 4 Regions
 * queue 200 activities 16 at a time per agent: the worker's memory stays flat and time grows linearly.
 */
export const DEFAULT_TARGET_CONCURRENCY = 16;
export const MAX_TARGET_CONCURRENCY = 200;

const tenantSchema = z
  .string({ error: 'tenant is required' })
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}$/,
    'tenant must be 1-63 lowercase letters, digits or hyphens, starting with a letter or digit',
  );

const accountSchema = z.string().regex(/^\d{12}$/, 'each account must be a 12-digit AWS account ID');
const regionSchema = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'each region must be an AWS region code such as us-east-1');
const dateSchema = z.string().refine(isIsoDate, 'must be a date in YYYY-MM-DD form');
const parentSchema = z.string().regex(PARENT_ID, 'each OU must be an AWS Organizations OU ID (ou-…) or root ID (r-…)');

export const analysisRequestSchema = z
  .object({
    tenant: tenantSchema,
    // At least one, unless `organization` is given (then none: a validated request carries [] until discovery).
    accounts: z.array(accountSchema).max(MAX_ACCOUNTS).optional(),
    organization: z
      .object(
        { ous: z.array(parentSchema).min(1, 'organization.ous must name at least one OU, or be omitted for the whole organisation').max(MAX_OUS).optional() },
        { error: (issue) => (issue.code === 'invalid_type' ? 'organization must be an object {ous?: [...]}' : undefined) },
      )
      .strict()
      .optional(),
    regions: z.array(regionSchema).min(1, 'regions must name at least one region').max(30).optional(),
    period: z.object({ start: dateSchema, end: dateSchema }, { error: 'period must be {start, end}' }).optional(),
    asOf: dateSchema.optional(),
    agents: z
      .array(
        z.string().refine((a) => (AGENT_KINDS as readonly string[]).includes(a), {
          error: (issue) => `unknown agent ${JSON.stringify(issue.input)}; known agents: ${AGENT_KINDS.join(', ')}`,
        }),
      )
      .min(1, 'agents must name at least one agent, or be omitted for all')
      .optional(),
    requestedBy: z.string().max(200).optional(),
    /** Account-Regions each agent analyses at once (default DEFAULT_TARGET_CONCURRENCY): big organisations queue, never flood. */
    targetConcurrency: z.number().int().min(1).max(MAX_TARGET_CONCURRENCY).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const listed = r.accounts?.length ?? 0;
    if (r.organization !== undefined && listed > 0) {
      ctx.addIssue({ code: 'custom', path: ['organization'], message: 'give accounts or organization, not both' });
    } else if (r.organization === undefined && listed === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['accounts'],
        message: 'accounts must name at least one account, or give organization to analyse an organisation’s member accounts',
      });
    }
  });

export type AnalysisRequestInput = z.input<typeof analysisRequestSchema>;

/** A request after validation and defaulting: every field is present and checked. */
export interface AnalysisRequest {
  tenant: string;
  /**
   * The accounts to analyse. Empty in a request with `organization` until the workflow has discovered them;
   * the agents and the report always get the discovered list.
   */
  accounts: string[];
  /** Analyse these OUs' (or the whole organisation's) active member accounts, discovered when the analysis starts. */
  organization?: OrganizationScope;
  regions: string[];
  period: Period;
  /**
   * The analysis's "today" (YYYY-MM-DD): the default period ends here, metrics and forecasts are read
   * up to it, and every agent uses the same day. Default: today by the validating side's clock.
   */
  asOf: string;
  agents: AgentKind[];
  requestedBy?: string;
  targetConcurrency?: number;
}

export type ValidationResult = { ok: true; request: AnalysisRequest } | { ok: false; errors: string[] };

export const DEFAULT_REGIONS = ['us-east-1'];

/**
 * Validate and normalise a request. `now` is the validating side's clock: it decides the default
 * as-of day, and the as-of day may not be after tomorrow by it (today's data is partial but real).
 * The period defaults to the 30 full days before the as-of day and may not end after the day after it.
 * Workflows pass workflow time so the result is deterministic (see `workflowClockFor`).
 */
export function validateAnalysisRequest(input: unknown, now: Date): ValidationResult {
  const parsed = analysisRequestSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)),
    };
  }
  const value = parsed.data;
  const errors: string[] = [];
  const today = dayOf(now);
  const asOf = value.asOf ?? today;
  if (asOf > addDays(today, 1)) errors.push(`asOf: ${asOf} is in the future (today is ${today})`);
  const period = value.period ?? periodEndingOn(asOf, DEFAULT_PERIOD_DAYS);
  const days = periodDays(period);
  if (days <= 0) errors.push(`period: start (${period.start}) must be before end (${period.end}); end is exclusive`);
  else if (days > MAX_PERIOD_DAYS) errors.push(`period: at most ${MAX_PERIOD_DAYS} days (got ${days})`);
  // The as-of day's own data is partial but real, so a period may end the day after it.
  if (period.end > addDays(asOf, 1)) {
    errors.push(
      value.asOf === undefined
        ? `period: end (${period.end}) is in the future`
        : `period: end (${period.end}) is after the as-of day ${asOf}`,
    );
  }
  if (errors.length) return { ok: false, errors };

  return {
    ok: true,
    request: {
      tenant: value.tenant,
      accounts: [...new Set(value.accounts ?? [])],
      ...(value.organization ? { organization: value.organization.ous ? { ous: [...new Set(value.organization.ous)] } : {} } : {}),
      regions: [...new Set(value.regions ?? DEFAULT_REGIONS)],
      period,
      asOf,
      agents: [...new Set((value.agents ?? AGENT_KINDS) as AgentKind[])],
      ...(value.requestedBy !== undefined ? { requestedBy: value.requestedBy } : {}),
      ...(value.targetConcurrency !== undefined ? { targetConcurrency: value.targetConcurrency } : {}),
    },
  };
}

/**
 * The clock a workflow validates its request with. Workflow time is the Temporal server's and no test
 * harness can move it, while the starter (the gateway, the CLI, a schedule) already checked the as-of
 * day against its own clock, which FINOPS_TODAY can move. So a request that carries its as-of day is
 * taken as of that day; one without it is taken as of workflow time.
 */
export function workflowClockFor(input: unknown, workflowNow: Date): Date {
  const asOf = (input as { asOf?: unknown } | null)?.asOf;
  if (typeof asOf !== 'string' || !isIsoDate(asOf)) return workflowNow;
  return new Date(`${asOf}T12:00:00Z`);
}
