/**
 * Fault injection for the sample account: latency and AWS errors on chosen operations, decided in
 * one place for every protocol.
 *
 * Rules are checked in order for each AWS request. A rule matches when its `operation` names the
 * request's operation ('GetCostAndUsage', 'ce:GetCostAndUsage', 'ce:*' or '*'), its `whenService`
 * (if any) is one of the SERVICE values the request's filter mentions, it has matches left
 * (`count`), and its `rate` draw succeeds. Every matching rule applies — latencies add up — except
 * that once a rule has chosen an error, later rules with an `error` are skipped for that request
 * (they neither fire nor use up their `count`). Rate draws come from a PRNG seeded with the
 * scenario seed and reset whenever the rules are replaced, so a test sees the same sequence each run.
 */
import { z } from 'zod';
import { SeededRandom, hashSeed } from './random';

export interface FaultRule {
  /** 'GetCostAndUsage', 'ce:GetCostAndUsage', 'ce:*', or '*' for every operation. */
  operation: string;
  /** AWS error code to answer with, e.g. AccessDeniedException, LimitExceededException, InternalServerError. */
  error?: string;
  /** Error message; default: AWS's usual message for the code. */
  message?: string;
  /** HTTP status; default: AWS's status for the code on that service's protocol. */
  httpStatus?: number;
  /** Delay before answering (applies with or without an error). */
  latencyMs?: number;
  /** Probability (0..1) that a matching request is affected; default 1. */
  rate?: number;
  /** Affect only the first N matching requests. */
  count?: number;
  /** Only requests whose Filter mentions this SERVICE value (e.g. "Amazon Relational Database Service"). */
  whenService?: string;
  /**
   * Only requests signed for this Region — e.g. `{"operation": "ec2:*", "region": "ap-east-1", "error":
   * "AuthFailure"}` is a Region not enabled for the account, as EC2 answers it.
   */
  region?: string;
}

export interface FaultRuleState extends FaultRule {
  /** How many requests this rule has affected since the rules were set. */
  applied: number;
}

export interface FaultDecision {
  latencyMs: number;
  error?: { code: string; message?: string; httpStatus?: number };
  /** Indexes of the rules that applied. */
  rules: number[];
}

const OPERATION_PATTERN = /^(\*|([a-z0-9-]+:)?(\*|[A-Za-z][A-Za-z0-9]*))$/;

const faultRuleSchema = z
  .object({
    operation: z
      .string()
      .regex(OPERATION_PATTERN, "must be an operation name such as 'GetCostAndUsage', 'ce:GetCostAndUsage', 'ce:*' or '*'"),
    error: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9.]*$/, 'must be an AWS error code such as AccessDeniedException')
      .optional(),
    message: z.string().max(2000).optional(),
    httpStatus: z.number().int().min(400).max(599).optional(),
    latencyMs: z.number().int().min(0).max(300_000).optional(),
    rate: z.number().min(0).max(1).optional(),
    count: z.number().int().min(1).optional(),
    whenService: z.string().min(1).optional(),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be a Region name such as eu-west-1')
      .optional(),
    // Accepted (and ignored) so GET /__sim/faults output can be PUT back.
    applied: z.number().optional(),
  })
  .strict()
  .refine((rule) => rule.error !== undefined || rule.latencyMs !== undefined, {
    message: 'a fault rule needs an error, a latencyMs, or both',
  });

export class FaultRuleError extends Error {
  override name = 'FaultRuleError';

  constructor(readonly problems: string[]) {
    super(`invalid fault rules: ${problems.join('; ')}`);
  }
}

/**
 * Validate untrusted fault rules (admin API or code). `knownOperations` are "ce:GetCostAndUsage"
 * keys; a rule naming an operation the simulator does not serve is refused, so typos fail loudly.
 */
export function parseFaultRules(value: unknown, knownOperations: readonly string[]): FaultRule[] {
  if (!Array.isArray(value)) throw new FaultRuleError(['expected a JSON array of fault rules']);
  const problems: string[] = [];
  const rules: FaultRule[] = [];
  value.forEach((item, i) => {
    const parsed = faultRuleSchema.safeParse(item);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = issue.path.length ? `.${issue.path.join('.')}` : '';
        problems.push(`[${i}]${path}: ${issue.message}`);
      }
      return;
    }
    const { applied: _ignored, ...rule } = parsed.data;
    if (!knownOperations.some((key) => operationMatches(rule.operation, key))) {
      problems.push(
        `[${i}].operation: '${rule.operation}' matches no operation the sample account serves (${knownOperations.join(', ')})`,
      );
      return;
    }
    rules.push(rule);
  });
  if (problems.length > 0) throw new FaultRuleError(problems);
  return rules;
}

/** Does a rule's operation pattern match "ce:GetCostAndUsage"? */
export function operationMatches(pattern: string, key: string): boolean {
  if (pattern === '*') return true;
  const [service, operation] = key.split(':') as [string, string];
  if (!pattern.includes(':')) return pattern === operation;
  const [patternService, patternOperation] = pattern.split(':') as [string, string];
  return patternService === service && (patternOperation === '*' || patternOperation === operation);
}

export class FaultInjector {
  private rules: FaultRuleState[] = [];
  private random: SeededRandom;

  constructor(private readonly seed: number) {
    this.random = this.newRandom();
  }

  set(rules: readonly FaultRule[]): void {
    this.rules = rules.map((rule) => ({ ...rule, applied: 0 }));
    this.random = this.newRandom();
  }

  list(): FaultRuleState[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  decide(request: {
    signingName: string;
    operation: string;
    mentionedServices: readonly string[];
    region?: string;
  }): FaultDecision {
    const key = `${request.signingName}:${request.operation}`;
    const decision: FaultDecision = { latencyMs: 0, rules: [] };
    this.rules.forEach((rule, i) => {
      if (!operationMatches(rule.operation, key)) return;
      // An earlier rule already chose the error: later error rules wait for another request.
      if (rule.error !== undefined && decision.error) return;
      if (rule.whenService !== undefined && !request.mentionedServices.includes(rule.whenService)) return;
      if (rule.region !== undefined && rule.region !== request.region) return;
      if (rule.count !== undefined && rule.applied >= rule.count) return;
      const rate = rule.rate ?? 1;
      if (rate < 1 && !(this.random.float() < rate)) return;
      rule.applied++;
      decision.rules.push(i);
      decision.latencyMs += rule.latencyMs ?? 0;
      if (rule.error !== undefined) {
        decision.error = {
          code: rule.error,
          ...(rule.message !== undefined ? { message: rule.message } : {}),
          ...(rule.httpStatus !== undefined ? { httpStatus: rule.httpStatus } : {}),
        };
      }
    });
    return decision;
  }

  private newRandom(): SeededRandom {
    return new SeededRandom(hashSeed(`faults/${this.seed}`));
  }
}
