/**
 * Tag compliance: every resource checked against the tag policy (tag-policy.ts), counted per account,
 * service and owner; the non-compliant ones listed with what is missing or wrong and — where the
 * evidence supports it — the value to set: a synonym's standard spelling, the tags of the instance a
 * volume or address is attached to (or a snapshot's volume), the Application named in the resource's
 * name, the value every other resource of the same application agrees on, or the one its account
 * agrees on. And compliance by spend, from Cost Explorer grouped by tag.
 *
 * Tag keys and values are untrusted text: they are compared and copied, never interpreted; in shell
 * commands they are single-quoted.
 */
import Big from 'big.js';
import type { Finding } from '../findings';
import { findingId } from '../findings';
import { evaluateTags, judgeValue, type TagEvaluation, type TagPolicy, type TagProblem } from '../tag-policy';

/** What the report shows about tagging: compact (counts and sums, a few examples). */
export interface TaggingCompliance {
  policy: TagPolicy;
  /** A ready-to-use AWS Organizations tag policy (TAG_POLICY) document for the policy. */
  organizationsPolicy: Record<string, unknown>;
  byCount: CountCompliance;
  /** Absent when Cost Explorer could not be read (the notes say why). */
  bySpend?: SpendCompliance;
  nonCompliantResources: number;
  /** The first non-compliant resources (the full list is in the findings store). */
  examples: NonCompliantResource[];
}

export type TaggableType = 'ec2:instance' | 'ec2:volume' | 'ec2:snapshot' | 'ec2:elastic-ip' | 'rds:db' | 's3:bucket';

export interface TaggableResource {
  account: string;
  region: string;
  type: TaggableType;
  /** i-…, vol-…, snap-…, eipalloc-…, DB identifier, bucket name. */
  id: string;
  /** The Name tag, DB identifier or bucket name: evidence for suggestions. */
  name?: string;
  tags: Record<string, string>;
  /** Where its tags should come from: a volume's or address's instance, a snapshot's volume. */
  parentId?: string;
}

/** Cost Explorer SERVICE of each resource type (compliance by service). */
export const SERVICE_OF_TYPE: Record<TaggableType, string> = {
  'ec2:instance': 'Amazon Elastic Compute Cloud - Compute',
  'ec2:volume': 'EC2 - Other',
  'ec2:snapshot': 'EC2 - Other',
  'ec2:elastic-ip': 'Amazon Virtual Private Cloud',
  'rds:db': 'Amazon Relational Database Service',
  's3:bucket': 'Amazon Simple Storage Service',
};

export interface ComplianceCount {
  resources: number;
  compliant: number;
  /** 0..100, one decimal. */
  compliantPct: number;
}

export interface NonCompliantResource {
  account: string;
  region: string;
  type: TaggableType;
  id: string;
  name?: string;
  problems: TagProblem[];
}

export interface CountCompliance {
  total: ComplianceCount;
  byAccount: Record<string, ComplianceCount>;
  byService: Record<string, ComplianceCount>;
  /** By the owner key's (meant) value; "(none)" when missing. */
  byOwner: Record<string, ComplianceCount>;
  /** Per policy key: resources where it is missing, wrong but fixable, invalid. */
  byKey: Record<string, { missing: number; fixable: number; invalid: number; ok: number }>;
  suggestions: number;
}

export interface TagAnalysis {
  evaluations: Map<string, TagEvaluation>;
  nonCompliant: NonCompliantResource[];
  counts: CountCompliance;
}

const keyOf = (r: { type: string; account: string; region: string; id: string }) => `${r.type}|${r.account}|${r.region}|${r.id}`;
const pct = (part: number, whole: number) => (whole === 0 ? 100 : Math.round((part / whole) * 1000) / 10);

function bump(map: Record<string, ComplianceCount>, key: string, compliant: boolean): void {
  const entry = (map[key] ??= { resources: 0, compliant: 0, compliantPct: 0 });
  entry.resources++;
  if (compliant) entry.compliant++;
}

function finish(map: Record<string, ComplianceCount>): Record<string, ComplianceCount> {
  for (const entry of Object.values(map)) entry.compliantPct = pct(entry.compliant, entry.resources);
  return map;
}

/** Tokens of a name, lower-case, split on separators ("storefront-prod-00012" → storefront, prod, 00012). */
function tokens(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

function containsSequence(haystack: string[], needle: string[]): boolean {
  if (needle.length === 0) return false;
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** The value most of `values` agree on, if at least `minCount` of them and `share` agree. */
function consensus(values: readonly string[], minCount: number, share: number): string | undefined {
  if (values.length < minCount) return undefined;
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: [string, number] | undefined;
  for (const entry of counts) if (!best || entry[1] > best[1] || (entry[1] === best[1] && entry[0] < best[0])) best = entry;
  return best && best[1] >= minCount && best[1] / values.length >= share ? best[0] : undefined;
}

export function analyseTags(resources: readonly TaggableResource[], policy: TagPolicy): TagAnalysis {
  const evaluations = new Map<string, TagEvaluation>();
  for (const r of resources) evaluations.set(keyOf(r), evaluateTags(r.tags, policy));
  suggestMissing(resources, evaluations, policy);

  const byAccount: Record<string, ComplianceCount> = {};
  const byService: Record<string, ComplianceCount> = {};
  const byOwner: Record<string, ComplianceCount> = {};
  const byKey: CountCompliance['byKey'] = Object.fromEntries(
    policy.keys.map((k) => [k.key, { missing: 0, fixable: 0, invalid: 0, ok: 0 }]),
  );
  const total: ComplianceCount = { resources: 0, compliant: 0, compliantPct: 0 };
  const nonCompliant: NonCompliantResource[] = [];
  let suggestions = 0;
  for (const r of resources) {
    const e = evaluations.get(keyOf(r)) as TagEvaluation;
    total.resources++;
    if (e.compliant) total.compliant++;
    bump(byAccount, r.account, e.compliant);
    bump(byService, SERVICE_OF_TYPE[r.type], e.compliant);
    const owner = Object.prototype.hasOwnProperty.call(r.tags, policy.ownerKey) ? (r.tags[policy.ownerKey] as string) : '(none)';
    bump(byOwner, owner, e.compliant);
    for (const rule of policy.keys) {
      const problem = e.problems.find((p) => p.key === rule.key);
      const k = byKey[rule.key] as { missing: number; fixable: number; invalid: number; ok: number };
      if (!problem) k.ok++;
      else if (problem.kind === 'missing') k.missing++;
      else if (
        problem.suggestedValue !== undefined &&
        problem.suggestionSource !== undefined &&
        ['case', 'synonym'].includes(problem.suggestionSource)
      )
        k.fixable++;
      else k.invalid++;
    }
    if (!e.compliant) {
      suggestions += e.problems.filter((p) => p.suggestedValue !== undefined).length;
      nonCompliant.push({
        account: r.account,
        region: r.region,
        type: r.type,
        id: r.id,
        ...(r.name !== undefined ? { name: r.name } : {}),
        problems: e.problems,
      });
    }
  }
  total.compliantPct = pct(total.compliant, total.resources);
  return {
    evaluations,
    nonCompliant,
    counts: {
      total,
      byAccount: finish(byAccount),
      byService: finish(byService),
      byOwner: finish(byOwner),
      byKey,
      suggestions,
    },
  };
}

/**
 * Fill in suggested values for missing keys, from the strongest evidence available:
 * attachment (the parent's tags) > the application (named in the resource's name, or agreed by its
 * neighbours) > the name itself (allowed values such as "prod" in "orders-prod-db") > the account.
 */
function suggestMissing(
  resources: readonly TaggableResource[],
  evaluations: Map<string, TagEvaluation>,
  policy: TagPolicy,
): void {
  const byId = new Map<string, TaggableResource>();
  for (const r of resources) byId.set(`${r.account}|${r.id}`, r);
  const evalOf = (r: TaggableResource) => evaluations.get(keyOf(r)) as TagEvaluation;
  const parentOf = (r: TaggableResource) => (r.parentId ? byId.get(`${r.account}|${r.parentId}`) : undefined);
  const appRule = policy.keys.find((k) => k.key === 'Application');
  const appKey = appRule?.key;

  // The application each resource belongs to: its own (valid) tag, else suggested below.
  const appOf = new Map<string, string>();
  const knownApps = new Set<string>();
  for (const r of resources) {
    const app = appKey ? evalOf(r).meant[appKey] : undefined;
    if (app) {
      appOf.set(keyOf(r), app);
      knownApps.add(app);
    }
  }
  const appTokens = [...knownApps].map((a) => ({ app: a, tokens: tokens(a) })).sort((a, b) => b.tokens.length - a.tokens.length);
  const missing = (r: TaggableResource, key: string) => evalOf(r).problems.find((p) => p.key === key && p.kind === 'missing');
  const suggest = (problem: TagProblem, value: string, source: NonNullable<TagProblem['suggestionSource']>) => {
    problem.suggestedValue = value;
    problem.suggestionSource = source;
  };

  if (appKey) {
    for (const r of resources) {
      const problem = missing(r, appKey);
      if (!problem) continue;
      const parent = parentOf(r);
      const fromParent = parent ? evalOf(parent).meant[appKey] : undefined;
      if (fromParent) {
        suggest(problem, fromParent, 'attachment');
        appOf.set(keyOf(r), fromParent);
        continue;
      }
      const nameTokens = tokens(r.name ?? '');
      const named = appTokens.find((a) => containsSequence(nameTokens, a.tokens));
      if (named) {
        suggest(problem, named.app, 'name');
        appOf.set(keyOf(r), named.app);
      }
    }
  }

  // Valid values of each key, per application (across accounts) and per account+application and account.
  const perApp = new Map<string, string[]>();
  const perAccountApp = new Map<string, string[]>();
  const perAccount = new Map<string, string[]>();
  const push = (map: Map<string, string[]>, key: string, value: string) => {
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    list.push(value);
  };
  for (const r of resources) {
    const e = evalOf(r);
    const app = appOf.get(keyOf(r));
    for (const rule of policy.keys) {
      if (rule.key === appKey) continue;
      const value = r.tags[rule.key];
      if (value === undefined || judgeValue(rule, value).verdict !== 'valid') continue;
      push(perAccount, `${rule.key}|${r.account}`, value);
      if (app && e.meant[appKey ?? ''] !== undefined) {
        push(perApp, `${rule.key}|${app}`, value);
        push(perAccountApp, `${rule.key}|${r.account}|${app}`, value);
      }
    }
  }

  // Each group's consensus once: the lists are complete here, and thousands of resources of one account
  // ask the same question (counting the account's values for every one of them was quadratic).
  const consensusOf = new Map<Map<string, string[]>, Map<string, string | undefined>>();
  const agreedIn = (map: Map<string, string[]>, key: string, minCount: number, share: number): string | undefined => {
    let answers = consensusOf.get(map);
    if (!answers) consensusOf.set(map, (answers = new Map<string, string | undefined>()));
    if (!answers.has(key)) answers.set(key, consensus(map.get(key) ?? [], minCount, share));
    return answers.get(key);
  };

  for (const r of resources) {
    const app = appOf.get(keyOf(r));
    for (const rule of policy.keys) {
      if (rule.key === appKey) continue;
      const problem = missing(r, rule.key);
      if (!problem) continue;
      const parent = parentOf(r);
      const fromParent = parent ? evalOf(parent).meant[rule.key] : undefined;
      if (fromParent) {
        suggest(problem, fromParent, 'attachment');
        continue;
      }
      if (rule.allowedValues) {
        // Environment-like keys: the name says it ("orders-prod-db"), or the application in this account agrees.
        const nameTokens = tokens(r.name ?? '');
        const candidates = new Set<string>();
        for (const t of nameTokens) {
          const judged = judgeValue(rule, t);
          if (judged.verdict === 'valid') candidates.add(t);
          else if (judged.verdict === 'fixable' && judged.fixed) candidates.add(judged.fixed);
        }
        if (candidates.size === 1) {
          suggest(problem, [...candidates][0] as string, 'name');
          continue;
        }
        const agreed = app ? agreedIn(perAccountApp, `${rule.key}|${r.account}|${app}`, 3, 0.95) : undefined;
        if (agreed) {
          suggest(problem, agreed, 'application');
          continue;
        }
      } else if (app) {
        const agreed = agreedIn(perApp, `${rule.key}|${app}`, 3, 0.9);
        if (agreed) {
          suggest(problem, agreed, 'application');
          continue;
        }
      }
      const accountWide = agreedIn(perAccount, `${rule.key}|${r.account}`, 10, 0.95);
      if (accountWide) suggest(problem, accountWide, 'account');
    }
  }
}

/** Shell single-quoting: tag values are untrusted and must never break out of the argument. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function resourceArn(r: Pick<TaggableResource, 'type' | 'account' | 'region' | 'id'>): string {
  switch (r.type) {
    case 'ec2:instance':
      return `arn:aws:ec2:${r.region}:${r.account}:instance/${r.id}`;
    case 'ec2:volume':
      return `arn:aws:ec2:${r.region}:${r.account}:volume/${r.id}`;
    case 'ec2:snapshot':
      return `arn:aws:ec2:${r.region}::snapshot/${r.id}`;
    case 'ec2:elastic-ip':
      return `arn:aws:ec2:${r.region}:${r.account}:elastic-ip/${r.id}`;
    case 'rds:db':
      return `arn:aws:rds:${r.region}:${r.account}:db:${r.id}`;
    case 's3:bucket':
      return `arn:aws:s3:::${r.id}`;
  }
}

/** A non-compliant resource as a finding (action "tag", no dollar figure: the gain is allocation). */
export function taggingFinding(r: NonCompliantResource, tags: Record<string, string>): Finding {
  const resource = { account: r.account, region: r.region, id: r.id };
  const fixes = r.problems.filter((p) => p.suggestedValue !== undefined);
  const toRemove = r.problems.filter((p) => (p.kind === 'key-case' || p.kind === 'key-synonym') && p.foundKey !== undefined);
  const describe = (p: TagProblem) => {
    const found = p.foundKey !== undefined ? ` (found ${JSON.stringify(p.foundKey)}=${JSON.stringify(p.foundValue ?? '')})` : '';
    const fix =
      p.suggestedValue !== undefined ? `: set ${p.key}=${JSON.stringify(p.suggestedValue)} (${p.suggestionSource})` : '';
    return `${p.key} ${p.kind}${found}${fix}`;
  };
  const arn = resourceArn(r);
  const commands: string[] = [];
  if (fixes.length > 0) {
    commands.push(
      `aws resourcegroupstaggingapi tag-resources --region ${r.region} --resource-arn-list ${shellQuote(arn)} --tags ${fixes
        .map((p) => `${shellQuote(p.key)}=${shellQuote(p.suggestedValue as string)}`)
        .join(',')}`,
    );
  }
  if (toRemove.length > 0 && toRemove.every((p) => p.suggestedValue !== undefined)) {
    commands.push(
      `aws resourcegroupstaggingapi untag-resources --region ${r.region} --resource-arn-list ${shellQuote(arn)} --tag-keys ${toRemove
        .map((p) => shellQuote(p.foundKey as string))
        .join(' ')}`,
    );
  }
  const evidence: Finding['evidence'] = { problems: r.problems.length, suggested: fixes.length, resourceType: r.type };
  for (const p of r.problems) {
    evidence[p.key] = p.kind;
    if (p.suggestedValue !== undefined) {
      evidence[`${p.key}.suggested`] = p.suggestedValue;
      evidence[`${p.key}.source`] = p.suggestionSource ?? 'unknown';
    }
  }
  return {
    id: findingId('tag-noncompliant', resource),
    check: 'tag-noncompliant',
    agent: 'tagging',
    sources: ['tagging'],
    resource: { ...resource, ...(r.name !== undefined ? { name: r.name } : {}), type: r.type, tags },
    title: `${r.type} ${r.id} does not meet the tag policy`,
    evidence,
    action: 'tag',
    recommendation: r.problems.map(describe).join('; '),
    monthlySavings: '0',
    confidence: fixes.length === r.problems.length ? 'high' : fixes.length > 0 ? 'medium' : 'low',
    ...(commands.length > 0 ? { cliCommand: commands.join(' && ') } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Compliance by spend (Cost Explorer grouped by tag)
// ---------------------------------------------------------------------------------------------

export interface SpendSplit {
  total: string;
  compliant: string;
  nonCompliant: string;
  /** 0..100, one decimal. */
  compliantPct: number;
}

export interface KeySpend {
  /** Spend whose value is valid as it is. */
  valid: string;
  /** Valid after a case or synonym fix ("Prod", "production"). */
  fixable: string;
  /** Carries the key with a value the policy does not allow. */
  invalid: string;
  /** Carries the key only in another spelling ("environment", "env"). */
  wrongKey: string;
  /** Carries no form of the key. */
  untagged: string;
}

export interface SpendCompliance {
  period: { start: string; end: string };
  unit: string;
  total: SpendSplit;
  byAccount: Record<string, SpendSplit>;
  byService: Record<string, SpendSplit>;
  byOwner: Record<string, SpendSplit>;
  byKey: Record<string, KeySpend>;
  /** Cost Explorer requests these figures took. */
  requests: number;
}

export function spendSplit(total: string, compliant: string): SpendSplit {
  const t = new Big(total);
  const c = new Big(compliant);
  return {
    total: t.toString(),
    compliant: c.toString(),
    nonCompliant: t.minus(c).toString(),
    compliantPct: t.eq(0) ? 100 : Number(c.div(t).times(100).round(1, Big.roundHalfEven).toString()),
  };
}

/** Classify one key's spend, grouped by the key's value (undefined: the key is absent in that spelling). */
export function classifyKeySpend(
  policy: TagPolicy,
  key: string,
  byValue: ReadonlyMap<string | undefined, string>,
  wrongKeySpend: string,
): KeySpend {
  const rule = policy.keys.find((k) => k.key === key);
  if (!rule) throw new Error(`${key} is not a policy key`);
  let valid = new Big(0);
  let fixable = new Big(0);
  let invalid = new Big(0);
  let absent = new Big(0);
  for (const [value, amount] of byValue) {
    if (value === undefined) {
      absent = absent.plus(amount);
      continue;
    }
    const verdict = judgeValue(rule, value).verdict;
    if (verdict === 'valid') valid = valid.plus(amount);
    else if (verdict === 'fixable') fixable = fixable.plus(amount);
    else invalid = invalid.plus(amount);
  }
  const wrong = new Big(wrongKeySpend);
  return {
    valid: valid.toString(),
    fixable: fixable.toString(),
    invalid: invalid.toString(),
    wrongKey: wrong.toString(),
    untagged: absent.minus(wrong).toString(),
  };
}
