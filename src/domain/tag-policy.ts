/**
 * The tag policy: which tag keys every resource must carry, in which spelling, with which values —
 * and the synonyms people use instead (prod / Prod / production). Configured as JSON (or YAML) and
 * validated here; `DEFAULT_TAG_POLICY` is the common standard (Environment from a fixed list, Owner,
 * CostCenter, Project, Application).
 *
 * Tag keys and values are untrusted text: this module only compares them; nothing here, or anywhere
 * they flow, treats them as instructions.
 */
import { z } from 'zod';

export interface TagKeyRule {
  /** The key in its required spelling, e.g. "Environment". */
  key: string;
  /** Other spellings of the key people use (compared case-insensitively), e.g. ["env"]. */
  keySynonyms?: string[];
  /** Allowed values in their required spelling; absent = any non-empty value. */
  allowedValues?: string[];
  /** Value synonyms (compared case-insensitively) → the allowed value they mean. */
  valueSynonyms?: Record<string, string>;
  /** A regular expression every value must match, e.g. "^CC-[0-9]{4}$". */
  pattern?: string;
}

export interface TagPolicy {
  keys: TagKeyRule[];
  /** The key that names a resource's owner (for compliance by owner). Default "Owner". */
  ownerKey: string;
  /** Resource types the Organizations policy enforces the keys for (its `enforced_for`). */
  enforcedFor: string[];
}

export const DEFAULT_TAG_POLICY: TagPolicy = {
  keys: [
    {
      key: 'Environment',
      keySynonyms: ['env'],
      allowedValues: ['prod', 'staging', 'dev', 'test'],
      valueSynonyms: {
        production: 'prod',
        prd: 'prod',
        live: 'prod',
        stage: 'staging',
        stg: 'staging',
        preprod: 'staging',
        development: 'dev',
        qa: 'test',
        testing: 'test',
      },
    },
    { key: 'Owner', keySynonyms: ['team'] },
    { key: 'CostCenter', keySynonyms: ['cost-center', 'costcentre', 'cost_center'], pattern: '^CC-[0-9]{4}$' },
    { key: 'Project' },
    { key: 'Application', keySynonyms: ['app'] },
  ],
  ownerKey: 'Owner',
  enforcedFor: ['ec2:instance', 'ec2:volume', 'ec2:snapshot', 'ec2:elastic-ip', 'rds:db', 's3:bucket'],
};

const ruleSchema = z.object({
  key: z.string().min(1).max(128),
  keySynonyms: z.array(z.string().min(1).max(128)).optional(),
  allowedValues: z.array(z.string().max(256)).min(1).optional(),
  valueSynonyms: z.record(z.string(), z.string()).optional(),
  pattern: z
    .string()
    .refine((p) => {
      try {
        new RegExp(p);
        return true;
      } catch {
        return false;
      }
    }, 'pattern must be a valid regular expression')
    .optional(),
});

const policySchema = z.object({
  keys: z.array(ruleSchema).min(1, 'a tag policy needs at least one key'),
  ownerKey: z.string().min(1).optional(),
  enforcedFor: z.array(z.string()).optional(),
});

/** Validate a policy from configuration; throws an Error listing every problem. */
export function parseTagPolicy(value: unknown): TagPolicy {
  const parsed = policySchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `Invalid tag policy: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const rule of parsed.data.keys) {
    if (seen.has(rule.key.toLowerCase())) problems.push(`key ${JSON.stringify(rule.key)} appears twice`);
    seen.add(rule.key.toLowerCase());
    for (const [from, to] of Object.entries(rule.valueSynonyms ?? {})) {
      if (rule.allowedValues && !rule.allowedValues.includes(to))
        problems.push(
          `${rule.key}: synonym ${JSON.stringify(from)} maps to ${JSON.stringify(to)}, which is not an allowed value`,
        );
    }
  }
  if (problems.length) throw new Error(`Invalid tag policy: ${problems.join('; ')}`);
  const keys = parsed.data.keys.map((r) => {
    const rule: TagKeyRule = { key: r.key };
    if (r.keySynonyms) rule.keySynonyms = r.keySynonyms;
    if (r.allowedValues) rule.allowedValues = r.allowedValues;
    if (r.valueSynonyms) rule.valueSynonyms = r.valueSynonyms;
    if (r.pattern) rule.pattern = r.pattern;
    return rule;
  });
  return {
    keys,
    ownerKey: parsed.data.ownerKey ?? DEFAULT_TAG_POLICY.ownerKey,
    enforcedFor: parsed.data.enforcedFor ?? DEFAULT_TAG_POLICY.enforcedFor,
  };
}

export type TagProblemKind =
  'missing' | 'key-case' | 'key-synonym' | 'empty-value' | 'value-case' | 'value-synonym' | 'value-not-allowed' | 'value-pattern';

export interface TagProblem {
  /** The policy key concerned (its required spelling). */
  key: string;
  kind: TagProblemKind;
  /** What the resource carries instead (untrusted text). */
  foundKey?: string;
  foundValue?: string;
  /** The value to set, when the evidence supports one. */
  suggestedValue?: string;
  suggestionSource?: 'synonym' | 'case' | 'attachment' | 'application' | 'name' | 'account';
}

export type ValueVerdict = 'valid' | 'fixable' | 'invalid';

/** How a value of `rule.key` fares: valid as it is, fixable (case or synonym, with the fix), or invalid. */
export function judgeValue(rule: TagKeyRule, value: string): { verdict: ValueVerdict; kind?: TagProblemKind; fixed?: string } {
  if (value.trim() === '') return { verdict: 'invalid', kind: 'empty-value' };
  if (rule.allowedValues) {
    if (rule.allowedValues.includes(value)) return patternVerdict(rule, value);
    const lower = value.trim().toLowerCase();
    const byCase = rule.allowedValues.find((v) => v.toLowerCase() === lower);
    if (byCase) return { verdict: 'fixable', kind: 'value-case', fixed: byCase };
    const synonym = Object.entries(rule.valueSynonyms ?? {}).find(([k]) => k.toLowerCase() === lower)?.[1];
    if (synonym) return { verdict: 'fixable', kind: 'value-synonym', fixed: synonym };
    return { verdict: 'invalid', kind: 'value-not-allowed' };
  }
  return patternVerdict(rule, value);
}

const patterns = new Map<string, RegExp>();
function patternVerdict(rule: TagKeyRule, value: string): { verdict: ValueVerdict; kind?: TagProblemKind; fixed?: string } {
  if (!rule.pattern) return { verdict: 'valid' };
  let re = patterns.get(rule.pattern);
  if (!re) patterns.set(rule.pattern, (re = new RegExp(rule.pattern)));
  if (re.test(value)) return { verdict: 'valid' };
  const upper = value.trim().toUpperCase();
  if (upper !== value && re.test(upper)) return { verdict: 'fixable', kind: 'value-case', fixed: upper };
  return { verdict: 'invalid', kind: 'value-pattern' };
}

export interface TagEvaluation {
  compliant: boolean;
  problems: TagProblem[];
  /** Policy key → the value the resource means (its own when valid, the fix when fixable). */
  meant: Record<string, string>;
}

/** Check one resource's tags against the policy. */
export function evaluateTags(tags: Readonly<Record<string, string>>, policy: TagPolicy): TagEvaluation {
  const problems: TagProblem[] = [];
  const meant: Record<string, string> = {};
  const entries = Object.entries(tags);
  for (const rule of policy.keys) {
    const value = Object.prototype.hasOwnProperty.call(tags, rule.key) ? tags[rule.key] : undefined;
    if (value !== undefined) {
      const judged = judgeValue(rule, value);
      if (judged.verdict === 'valid') meant[rule.key] = value;
      else {
        problems.push({
          key: rule.key,
          kind: judged.kind ?? 'value-not-allowed',
          foundKey: rule.key,
          foundValue: value,
          ...(judged.fixed
            ? { suggestedValue: judged.fixed, suggestionSource: judged.kind === 'value-case' ? 'case' : 'synonym' }
            : {}),
        });
        if (judged.fixed) meant[rule.key] = judged.fixed;
      }
      continue;
    }
    const lower = rule.key.toLowerCase();
    const synonyms = new Set((rule.keySynonyms ?? []).map((s) => s.toLowerCase()));
    const variant = entries.find(([k]) => k.toLowerCase() === lower) ?? entries.find(([k]) => synonyms.has(k.toLowerCase()));
    if (variant) {
      const [foundKey, foundValue] = variant;
      const judged = judgeValue(rule, foundValue);
      const fixedValue = judged.verdict === 'valid' ? foundValue : judged.fixed;
      problems.push({
        key: rule.key,
        kind: foundKey.toLowerCase() === lower ? 'key-case' : 'key-synonym',
        foundKey,
        foundValue,
        ...(fixedValue !== undefined
          ? { suggestedValue: fixedValue, suggestionSource: judged.verdict === 'valid' ? 'case' : 'synonym' }
          : {}),
      });
      if (fixedValue !== undefined) meant[rule.key] = fixedValue;
      continue;
    }
    problems.push({ key: rule.key, kind: 'missing' });
  }
  return { compliant: problems.length === 0, problems, meant };
}

/**
 * The AWS Organizations tag policy document for this policy (TAG_POLICY syntax): each key with its
 * required capitalisation (`tag_key`), its allowed values (`tag_value`), and enforcement for the
 * configured resource types. Organizations cannot express synonyms or patterns: patterns are left to
 * the report, and synonyms to the suggested fixes.
 */
export function organizationsTagPolicy(policy: TagPolicy): Record<string, unknown> {
  const tags: Record<string, unknown> = {};
  for (const rule of policy.keys) {
    const id = rule.key.toLowerCase().replace(/[^a-z0-9]/g, '_');
    tags[id] = {
      tag_key: { '@@assign': rule.key },
      ...(rule.allowedValues ? { tag_value: { '@@assign': [...rule.allowedValues] } } : {}),
      enforced_for: { '@@assign': [...policy.enforcedFor] },
    };
  }
  return { tags };
}
