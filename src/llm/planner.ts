/**
 * The planner: a question in plain language ("why did our S3 bill jump last month?") becomes an analysis
 * plan (agents, accounts, regions, period, focus) and a validated AnalysisRequest.
 *
 * With a model: Converse tool use, the plan checked against a zod schema; malformed tool input is sent
 * back once as an error tool result, then the deterministic planner answers. The model may only name
 * accounts the caller gave, the question names, or the tenant's known account names resolve to.
 * Without a model: the deterministic planner handles the common phrasings and says when it cannot.
 */
import type { Message, ToolConfiguration } from '@aws-sdk/client-bedrock-runtime';
import { z } from 'zod';
import { AGENT_KINDS, type AgentKind } from '../domain/agents';
import { addMonths, dayOf, monthStart as monthStartOf, periodEndingOn } from '../domain/calendar';
import { addDays, type Period } from '../domain/period';
import { validateAnalysisRequest, type AnalysisRequest } from '../domain/request';
import { describeBedrockError, emptyLlmUsage, type Converser, type LlmUsage } from './bedrock';
import { cleanUntrusted } from './facts';
import { dataBlock, PLANNER_SYSTEM } from './prompts';

export const FOCI = ['spend-change', 'savings', 'forecast', 'tagging', 'overview'] as const;
export type PlanFocus = (typeof FOCI)[number];

export interface AnalysisPlan {
  agents: AgentKind[];
  accounts: string[];
  regions?: string[];
  period?: Period;
  focus: PlanFocus;
  /** One line for the reader: what will be analysed and why. */
  explanation: string;
}

export interface PlanContext {
  tenant: string;
  /** Accounts the caller named alongside the question. */
  accounts?: string[];
  /** The tenant's accounts by name ("staging" → "111122223333"), so questions can name them. */
  accountNames?: Record<string, string>;
  now: Date;
}

export type PlanSource =
  'bedrock' | 'bedrock-after-retry' | 'deterministic' | 'deterministic-after-invalid-plan' | 'deterministic-after-error';

export type PlanResult =
  | { ok: true; plan: AnalysisPlan; request: AnalysisRequest; source: PlanSource; usage: LlmUsage; error?: string }
  | { ok: false; reason: string; source: PlanSource; usage: LlmUsage; error?: string };

export const MAX_QUESTION_CHARS = 500;

const AGENT_WORDS: [RegExp, AgentKind][] = [
  [/\b(ec2|compute|instances?|servers?|vms?|ebs|volumes?|snapshots?|elastic ips?|graviton)\b/, 'ec2'],
  [/\b(s3|buckets?|storage|objects?|lifecycle)\b/, 's3'],
  [/\b(rds|databases?|dbs?|postgres|mysql|aurora)\b/, 'rds'],
  [/\b(tags?|tagging|untagged|cost allocation)\b/, 'tagging'],
  [/\b(forecasts?|budgets?|next month|predict|projection|anomal(y|ies)|trend)\b/, 'forecasting'],
  [/\b(trusted advisor)\b/, 'trusted-advisor'],
];

const SAVINGS = /\b(cut|save|savings?|saving|reduce|waste|wasted|idle|unused|cheaper|optimi[sz]e|trim|lower)\b/;
const CHANGE = /\b(jump(ed)?|spike[ds]?|increase[ds]?|rise|rose|grow|grew|went up|go up|higher|more than|change[ds]?|why)\b/;

/** "last month", "this month", "last 14 days", "last week", "last quarter"; undefined = the default period. */
export function periodOf(question: string, now: Date): Period | undefined {
  const q = question.toLowerCase();
  const today = dayOf(now);
  const monthStart = monthStartOf(today);
  if (/\b(last|previous|past) month\b/.test(q)) return { start: addMonths(today, -1), end: monthStart };
  if (/\bthis month\b|\bmonth to date\b/.test(q)) return monthStart === today ? undefined : { start: monthStart, end: today };
  const n = /\b(?:last|past) (\d{1,3}) (day|week)s?\b/.exec(q);
  if (n) return periodEndingOn(today, Number(n[1]) * (n[2] === 'week' ? 7 : 1));
  if (/\b(last|past) week\b/.test(q)) return periodEndingOn(today, 7);
  if (/\b(last|past) quarter\b/.test(q)) return periodEndingOn(today, 90);
  if (/\byesterday\b/.test(q)) return { start: addDays(today, -1), end: today };
  return undefined;
}

function accountsOf(question: string, ctx: PlanContext): { accounts: string[] } | { cannot: string } {
  const ids = [...new Set(question.match(/\b\d{12}\b/g) ?? [])];
  const names = ctx.accountNames ?? {};
  const named: string[] = [];
  const lower = question.toLowerCase();
  for (const [name, id] of Object.entries(names)) {
    if (new RegExp(`\\b${name.toLowerCase().replace(/[^a-z0-9-]/g, '')}\\b`).test(lower)) named.push(id);
  }
  const mentioned = /\b(?:the |our )?([a-z][a-z0-9-]{1,30}) account\b/.exec(lower)?.[1];
  if (
    mentioned &&
    !['aws', 'whole', 'entire', 'this', 'that', 'my', 'our', 'every', 'each', 'one'].includes(mentioned) &&
    !named.length &&
    !ids.length
  ) {
    return { cannot: `I do not know which account "${cleanUntrusted(mentioned, 30)}" is: give its 12-digit ID in accounts` };
  }
  const accounts = [...new Set([...ids, ...named])];
  if (accounts.length) return { accounts };
  if (ctx.accounts?.length) return { accounts: ctx.accounts };
  return { cannot: 'the question names no account: give accounts (12-digit IDs) with it' };
}

/** The common phrasings, without a model. Says when it cannot. */
export function planDeterministically(
  question: string,
  ctx: PlanContext,
): { ok: true; plan: AnalysisPlan } | { ok: false; reason: string } {
  const q = question.toLowerCase().slice(0, MAX_QUESTION_CHARS);
  const named = [...new Set(AGENT_WORDS.flatMap(([re, agent]) => (re.test(q) ? [agent] : [])))];
  const savings = SAVINGS.test(q);
  const change = CHANGE.test(q);
  let focus: PlanFocus;
  let agents: AgentKind[];
  if (savings) {
    focus = 'savings';
    agents = named.length ? named : ['ec2', 's3', 'rds', 'trusted-advisor'];
  } else if (change) {
    focus = 'spend-change';
    // The forecasting agent reads the whole bill and its daily drivers: it explains a jump.
    agents = [...new Set<AgentKind>([...named, 'forecasting'])];
  } else if (named.includes('forecasting')) {
    focus = 'forecast';
    agents = named;
  } else if (named.includes('tagging')) {
    focus = 'tagging';
    agents = named;
  } else if (named.length || /\b(overview|everything|full|all|review|report|spend|costs?|bill)\b/.test(q)) {
    focus = 'overview';
    agents = named.length ? named : [...AGENT_KINDS];
  } else {
    return {
      ok: false,
      reason:
        'I cannot tell what to analyse from that question; name a service (EC2, S3, RDS), savings, a change in the bill, the forecast or tagging',
    };
  }
  const acc = accountsOf(q, ctx);
  if ('cannot' in acc) return { ok: false, reason: acc.cannot };
  const period = periodOf(q, ctx.now);
  const what = {
    'spend-change': 'what changed in spend',
    savings: 'what can be cut',
    forecast: 'the forecast',
    tagging: 'tagging compliance',
    overview: 'an overview',
  }[focus];
  return {
    ok: true,
    plan: {
      agents,
      accounts: acc.accounts,
      ...(period ? { period } : {}),
      focus,
      explanation: `Looking at ${what} with the ${agents.join(', ')} agent${agents.length > 1 ? 's' : ''} for ${acc.accounts.join(', ')}${period ? `, ${period.start} to ${period.end}` : ''}.`,
    },
  };
}

const planSchema = z
  .object({
    agents: z.array(z.enum(AGENT_KINDS)).min(1).max(AGENT_KINDS.length).optional(),
    accounts: z
      .array(z.string().regex(/^\d{12}$/))
      .max(50)
      .optional(),
    regions: z
      .array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/))
      .max(30)
      .optional(),
    period: z.object({ start: z.string(), end: z.string() }).optional(),
    focus: z.enum(FOCI).optional(),
    explanation: z.string().max(500).optional(),
    cannotPlan: z.string().max(500).optional(),
  })
  .strict()
  .refine(
    (p) => p.cannotPlan !== undefined || (p.agents !== undefined && p.focus !== undefined),
    'give agents and focus, or cannotPlan',
  );

export const PLAN_TOOL: ToolConfiguration = {
  tools: [
    {
      toolSpec: {
        name: 'make_plan',
        description: 'The analysis plan for the question.',
        inputSchema: {
          json: {
            type: 'object',
            additionalProperties: false,
            properties: {
              agents: { type: 'array', items: { type: 'string', enum: [...AGENT_KINDS] }, minItems: 1 },
              accounts: { type: 'array', items: { type: 'string', pattern: '^\\d{12}$' } },
              regions: { type: 'array', items: { type: 'string' } },
              period: {
                type: 'object',
                properties: { start: { type: 'string', format: 'date' }, end: { type: 'string', format: 'date' } },
                required: ['start', 'end'],
              },
              focus: { type: 'string', enum: [...FOCI] },
              explanation: { type: 'string' },
              cannotPlan: { type: 'string', description: 'Why the question cannot be planned, instead of a plan.' },
            },
          },
        },
      },
    },
  ],
  toolChoice: { tool: { name: 'make_plan' } },
};

function toRequest(plan: AnalysisPlan, ctx: PlanContext): { ok: true; request: AnalysisRequest } | { ok: false; reason: string } {
  const validation = validateAnalysisRequest(
    {
      tenant: ctx.tenant,
      accounts: plan.accounts,
      agents: plan.agents,
      ...(plan.regions ? { regions: plan.regions } : {}),
      ...(plan.period ? { period: plan.period } : {}),
    },
    ctx.now,
  );
  return validation.ok ? { ok: true, request: validation.request } : { ok: false, reason: validation.errors.join('; ') };
}

function deterministicResult(
  question: string,
  ctx: PlanContext,
  source: PlanSource,
  usage: LlmUsage,
  error?: string,
): PlanResult {
  const det = planDeterministically(question, ctx);
  const extra = error ? { error } : {};
  if (!det.ok) return { ok: false, reason: det.reason, source, usage, ...extra };
  const req = toRequest(det.plan, ctx);
  if (!req.ok) return { ok: false, reason: req.reason, source, usage, ...extra };
  return { ok: true, plan: det.plan, request: req.request, source, usage, ...extra };
}

export async function planQuestion(question: string, ctx: PlanContext, converser?: Converser): Promise<PlanResult> {
  const q = question.slice(0, MAX_QUESTION_CHARS);
  if (!converser) return deterministicResult(q, ctx, 'deterministic', emptyLlmUsage());
  const allowed = new Set([...(ctx.accounts ?? []), ...Object.values(ctx.accountNames ?? {}), ...(q.match(/\b\d{12}\b/g) ?? [])]);
  const context = {
    today: ctx.now.toISOString().slice(0, 10),
    accountsGiven: ctx.accounts ?? [],
    knownAccounts: Object.fromEntries(Object.entries(ctx.accountNames ?? {}).map(([n, id]) => [cleanUntrusted(n, 40), id])),
  };
  const messages: Message[] = [
    { role: 'user', content: [{ text: `${dataBlock(context)}\n\nQuestion (from the user): ${q.replace(/</g, '‹')}` }] },
  ];
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      const reply = await converser.converse({ system: PLANNER_SYSTEM, messages, toolConfig: PLAN_TOOL, maxTokens: 500 });
      const use = reply.toolUses.find((t) => t.name === 'make_plan');
      const problems: string[] = [];
      if (!use) problems.push('call the make_plan tool');
      else {
        const parsed = planSchema.safeParse(use.input);
        if (!parsed.success)
          problems.push(...parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)));
        else if (parsed.data.cannotPlan !== undefined) {
          return {
            ok: false,
            reason: cleanUntrusted(parsed.data.cannotPlan, 300),
            source: attempt ? 'bedrock-after-retry' : 'bedrock',
            usage: converser.usage,
          };
        } else {
          const p = parsed.data;
          const accounts = p.accounts?.length ? p.accounts : (ctx.accounts ?? []);
          const unknown = accounts.filter((a) => !allowed.has(a));
          if (unknown.length) problems.push(`accounts ${unknown.join(', ')} are not among the known or given accounts`);
          else {
            const plan: AnalysisPlan = {
              agents: p.agents!,
              accounts,
              ...(p.regions?.length ? { regions: p.regions } : {}),
              ...(p.period ? { period: p.period } : {}),
              focus: p.focus!,
              explanation: cleanUntrusted(p.explanation ?? '', 300),
            };
            const req = toRequest(plan, ctx);
            if (req.ok)
              return {
                ok: true,
                plan,
                request: req.request,
                source: attempt ? 'bedrock-after-retry' : 'bedrock',
                usage: converser.usage,
              };
            problems.push(req.reason);
          }
        }
      }
      messages.push(reply.message.content?.length ? reply.message : { role: 'assistant', content: [{ text: '(empty)' }] });
      messages.push(
        use
          ? {
              role: 'user',
              content: [
                {
                  toolResult: {
                    toolUseId: use.toolUseId,
                    status: 'error',
                    content: [{ text: `Invalid plan: ${problems.join('; ')}` }],
                  },
                },
              ],
            }
          : { role: 'user', content: [{ text: `Invalid answer: ${problems.join('; ')}` }] },
      );
    }
    return deterministicResult(q, ctx, 'deterministic-after-invalid-plan', converser.usage);
  } catch (err) {
    return deterministicResult(q, ctx, 'deterministic-after-error', converser.usage, describeBedrockError(err));
  }
}
