/**
 * The analysis request: what a client asks for, validated before any workflow starts.
 * The same validation runs in the gateway (to answer 400) and in the workflow (defence in depth).
 */
import { z } from 'zod';
import { AGENT_KINDS, type AgentKind } from './agents';
import { addDays, isIsoDate, lastFullDays, periodDays, type Period } from './period';

/** Cost Explorer keeps 13 months of history plus the current month; the trend needs the period before too. */
export const MAX_PERIOD_DAYS = 190;
export const DEFAULT_PERIOD_DAYS = 30;

const tenantSchema = z
  .string({ error: 'tenant is required' })
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}$/,
    'tenant must be 1-63 lowercase letters, digits or hyphens, starting with a letter or digit',
  );

const accountSchema = z.string().regex(/^\d{12}$/, 'each account must be a 12-digit AWS account ID');
const regionSchema = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'each region must be an AWS region code such as us-east-1');
const dateSchema = z.string().refine(isIsoDate, 'must be a date in YYYY-MM-DD form');

export const analysisRequestSchema = z
  .object({
    tenant: tenantSchema,
    accounts: z.array(accountSchema).min(1, 'accounts must name at least one account').max(50),
    regions: z.array(regionSchema).min(1, 'regions must name at least one region').max(30).optional(),
    period: z.object({ start: dateSchema, end: dateSchema }, { error: 'period must be {start, end}' }).optional(),
    agents: z
      .array(
        z.string().refine((a) => (AGENT_KINDS as readonly string[]).includes(a), {
          error: (issue) => `unknown agent ${JSON.stringify(issue.input)}; known agents: ${AGENT_KINDS.join(', ')}`,
        }),
      )
      .min(1, 'agents must name at least one agent, or be omitted for all')
      .optional(),
    requestedBy: z.string().max(200).optional(),
  })
  .strict();

export type AnalysisRequestInput = z.input<typeof analysisRequestSchema>;

/** A request after validation and defaulting: every field is present and checked. */
export interface AnalysisRequest {
  tenant: string;
  accounts: string[];
  regions: string[];
  period: Period;
  agents: AgentKind[];
  requestedBy?: string;
}

export type ValidationResult = { ok: true; request: AnalysisRequest } | { ok: false; errors: string[] };

export const DEFAULT_REGIONS = ['us-east-1'];

/**
 * Validate and normalise a request. `now` decides the default period and what "future" means;
 * workflows pass workflow time so the result is deterministic.
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
  const period = value.period ?? lastFullDays(now, DEFAULT_PERIOD_DAYS);
  const errors: string[] = [];
  const days = periodDays(period);
  if (days <= 0) errors.push(`period: start (${period.start}) must be before end (${period.end}); end is exclusive`);
  else if (days > MAX_PERIOD_DAYS) errors.push(`period: at most ${MAX_PERIOD_DAYS} days (got ${days})`);
  const tomorrow = addDays(now.toISOString().slice(0, 10), 1); // today's data is partial but real
  if (period.end > tomorrow) errors.push(`period: end (${period.end}) is in the future`);
  if (errors.length) return { ok: false, errors };

  return {
    ok: true,
    request: {
      tenant: value.tenant,
      accounts: [...new Set(value.accounts)],
      regions: [...new Set(value.regions ?? DEFAULT_REGIONS)],
      period,
      agents: [...new Set((value.agents ?? AGENT_KINDS) as AgentKind[])],
      ...(value.requestedBy !== undefined ? { requestedBy: value.requestedBy } : {}),
    },
  };
}
