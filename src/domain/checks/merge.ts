/**
 * The parent's merge: every agent's findings into one ranked list, each resource's problem once, each
 * dollar once. Pure functions.
 *
 * - Our own checks about one resource that would save the same dollars (their savings scopes overlap:
 *   terminating an instance and rightsizing it; deleting a database and converting it to Single-AZ)
 *   become one finding: the one that saves most, citing the others. Checks over disjoint parts of a
 *   resource (an S3 bucket's current objects, noncurrent versions, incomplete uploads) stay separate.
 * - A corroborating source (Trusted Advisor, Cost Explorer's rightsizing) that flags a resource one of
 *   our checks flagged too is folded into ours: one finding, both sources, our dollar figure (computed
 *   from prices and the account's metrics), confidence raised a step. It also finds the finding that
 *   covers its resource indirectly (a volume of a long-stopped instance; an Elastic IP by its address).
 * - When our agent evaluated that kind of resource in that account and region (with the data it needed)
 *   and did not flag it, the other source's finding is a second opinion: shown with the resource and the
 *   reason we declined, never a finding, never in a total. Where we did not look, it stands with its
 *   own figure.
 * - Sources agree on identity (account, Region, canonical id: see identity.ts), never on type labels.
 * - With a scope, nothing outside the requested accounts and Regions survives (counted in `outOfScope`).
 */
import Big from 'big.js';
import type { Confidence, DeclinedResource, Finding, FindingResource, FindingsSummary, FoldedOpinion, SecondOpinion } from '../findings';
import { identityKey, identityOf, inScope } from './identity';
import { TRUSTED_ADVISOR_RELATIONS } from './trusted-advisor';

/** One agent's full list, as its activities stored it. */
export interface AgentFindingList {
  agent: string;
  findings: readonly Finding[];
  /** `${kind}/${account}/${region}` entries: what the agent evaluated (see TrustedAdvisorRelation.coverage). */
  coverage?: readonly string[];
}

/** What part of a resource's cost a check's saving comes from. Unknown checks are their own scope. */
const SCOPES: Readonly<Record<string, readonly string[]>> = {
  'ec2-idle': ['instance-compute'],
  'ec2-overprovisioned': ['instance-compute'],
  'ec2-previous-generation': ['instance-compute'],
  'ec2-burstable-credits': ['instance-compute'],
  'ec2-stopped-long': ['instance-compute', 'instance-storage'],
  'ebs-unattached': ['volume'],
  'ebs-idle': ['volume'],
  'ebs-io1-to-gp3': ['volume'],
  'ebs-io1-to-io2': ['volume'],
  'ebs-gp2-to-gp3': ['volume'],
  'eip-unassociated': ['address'],
  'snapshot-orphaned': ['snapshot'],
  'rds-idle': ['db-instance', 'db-storage'],
  'rds-multi-az-nonprod': ['db-instance', 'db-storage'],
  'rds-overprovisioned': ['db-instance'],
  'rds-previous-generation': ['db-instance'],
  'rds-gp2-to-gp3': ['db-storage'],
  'rds-storage-overallocated': ['db-storage'],
};

/** Corroborating checks from other sources, beyond Trusted Advisor's. */
const OTHER_RELATIONS: Readonly<Record<string, { related: string[]; coverage?: string }>> = {
  'ce-rightsizing-terminate': { related: ['ec2-idle', 'ec2-overprovisioned', 'ec2-previous-generation'], coverage: 'ec2-utilisation' },
  'ce-rightsizing-modify': { related: ['ec2-overprovisioned', 'ec2-idle', 'ec2-previous-generation'], coverage: 'ec2-utilisation' },
};

function relationOf(check: string): { related: readonly string[]; coverage?: string } | undefined {
  return TRUSTED_ADVISOR_RELATIONS[check] ?? OTHER_RELATIONS[check];
}

export function isCorroborating(f: Finding): boolean {
  return relationOf(f.check) !== undefined;
}

/** What part of a resource's cost a check's saving comes from (a corroborating check takes its first related check's). */
export function scopeOf(check: string): readonly string[] {
  const relation = relationOf(check);
  if (relation?.related[0]) return scopeOf(relation.related[0]);
  return SCOPES[check] ?? [check];
}

function overlaps(a: readonly string[], b: readonly string[]): boolean {
  return a.some((s) => b.includes(s));
}

function resourceKey(f: Finding): string {
  return identityKey(f.check, f.resource);
}

/** Other keys under which a finding is found: an Elastic IP by its address, a stopped instance by its volumes. */
function aliasKeys(f: Finding): string[] {
  const { account, region } = f.resource;
  const out: string[] = [];
  const ip = f.evidence['publicIp'];
  if (typeof ip === 'string' && ip) out.push(identityOf('regional', account, region, ip));
  const volumes = f.evidence['volumeIds'];
  if (f.check === 'ec2-stopped-long' && typeof volumes === 'string' && volumes)
    for (const v of volumes.split(',')) out.push(identityOf('regional', account, region, v));
  return out;
}

const RAISE: Record<Confidence, Confidence> = { low: 'medium', medium: 'high', high: 'high' };

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

/** Add an opinion to a list, one entry per check (sources merged): the same source is never listed twice. */
function addOpinion(list: readonly FoldedOpinion[], opinion: FoldedOpinion): FoldedOpinion[] {
  const at = list.findIndex((o) => o.check === opinion.check);
  if (at < 0) return [...list, opinion];
  return list.map((o, i) => (i === at ? { ...o, sources: union(o.sources, opinion.sources) } : o));
}

/** `into` absorbs `other`: one finding, both sources; `into`'s dollars. */
function fold(into: Finding, other: Finding, corroborating: boolean): Finding {
  let folded = into.folded ?? [];
  folded = addOpinion(folded, {
    check: other.check,
    sources: other.sources,
    relation: corroborating ? 'confirms' : 'overlaps',
    monthlySavings: other.monthlySavings,
  });
  for (const nested of other.folded ?? []) folded = addOpinion(folded, nested);
  const newSource = other.sources.some((s) => !into.sources.includes(s));
  return {
    ...into,
    sources: union(into.sources, other.sources),
    folded,
    // A second, independent source raises confidence a step; the same source saying it again does not.
    confidence: corroborating && newSource ? RAISE[into.confidence] : into.confidence,
  };
}

function rank(a: Finding, b: Finding): number {
  return new Big(b.monthlySavings).cmp(a.monthlySavings) || a.id.localeCompare(b.id);
}

export interface MergeOptions {
  /** The requested accounts and Regions: findings outside them are dropped and counted. */
  scope?: { accounts: readonly string[]; regions: readonly string[] };
  /** Resources our checks examined and declined, with why (the agents' declined lists). */
  declined?: readonly DeclinedResource[];
}

export interface MergeResult {
  findings: Finding[];
  /** Other sources' findings about resources our checks examined and declined: not findings. */
  secondOpinions: SecondOpinion[];
  /** Findings folded into another (duplicates, overlaps, corroborations). */
  folded: number;
  /** Findings outside the requested accounts and Regions, dropped. */
  outOfScope: number;
}

function declinedKey(kind: string, check: string, resource: Pick<FindingResource, 'account' | 'region' | 'id'>): string {
  return `${kind}|${identityKey(check, resource)}`;
}

export function mergeFindings(lists: readonly AgentFindingList[], options: MergeOptions = {}): MergeResult {
  const coverage = new Set(lists.flatMap((l) => l.coverage ?? []));
  const reasons = new Map<string, string>();
  for (const d of options.declined ?? []) {
    const key = `${d.kind}|${identityOf(d.kind === 's3' ? 'bucket' : 'regional', d.account, d.region, d.id)}`;
    if (!reasons.has(key)) reasons.set(key, d.reason);
  }
  let folded = 0;
  let outOfScope = 0;

  // The same finding from two lists (or twice in one) is one finding.
  const byId = new Map<string, Finding>();
  for (const list of lists) {
    for (const f of list.findings) {
      if (options.scope && !inScope(f.resource, options.scope)) {
        outOfScope++;
        continue;
      }
      const seen = byId.get(f.id);
      if (seen) {
        folded++;
        // Whichever list came first, the larger figure is kept (the same input in any order, the same output).
        const [kept, other] = new Big(f.monthlySavings).gt(seen.monthlySavings) ? [f, seen] : [seen, f];
        byId.set(f.id, { ...kept, sources: union(kept.sources, other.sources).sort() });
      } else byId.set(f.id, f);
    }
  }
  const all = [...byId.values()].sort(rank);
  const native = all.filter((f) => !isCorroborating(f));
  const others = all.filter(isCorroborating);

  // Our own findings: per resource, overlapping savings scopes collapse into the largest.
  const groups = new Map<string, Finding[]>();
  for (const f of native) {
    const key = resourceKey(f);
    const kept = groups.get(key) ?? [];
    const at = kept.findIndex((k) => overlaps(scopeOf(k.check), scopeOf(f.check)));
    if (at >= 0) {
      kept[at] = fold(kept[at]!, f, false);
      folded++;
    } else kept.push(f);
    groups.set(key, kept);
  }

  // Index by resource and alias keys, then fold the corroborating sources in.
  const index = new Map<string, { group: Finding[]; at: number }[]>();
  const addIndex = (key: string, group: Finding[], at: number) => {
    const entries = index.get(key) ?? [];
    entries.push({ group, at });
    index.set(key, entries);
  };
  for (const [key, group] of groups) {
    group.forEach((f, at) => {
      addIndex(key, group, at);
      for (const alias of aliasKeys(f)) addIndex(alias, group, at);
    });
  }
  const standing: Finding[] = [];
  const standingByKey = new Map<string, number[]>();
  const secondOpinions = new Map<string, SecondOpinion>();
  for (const f of others) {
    const relation = relationOf(f.check)!;
    const key = resourceKey(f);
    const candidates = index.get(key) ?? [];
    const match =
      candidates.find((c) => relation.related.includes(c.group[c.at]!.check)) ??
      candidates.find((c) => overlaps(scopeOf(c.group[c.at]!.check), scopeOf(f.check)));
    if (match) {
      match.group[match.at] = fold(match.group[match.at]!, f, true);
      folded++;
      continue;
    }
    // Where our check examined the resource with the data it needed and said no, the other source's
    // opinion is evidence shown with the resource, never a finding.
    const { account, region } = f.resource;
    if (relation.coverage && coverage.has(`${relation.coverage}/${account}/${region}`)) {
      const opinionKey = `${f.check}|${key}`;
      const seen = secondOpinions.get(opinionKey);
      if (seen) {
        secondOpinions.set(opinionKey, { ...seen, sources: union(seen.sources, f.sources) });
        continue;
      }
      secondOpinions.set(opinionKey, {
        check: f.check,
        sources: f.sources,
        resource: f.resource,
        title: f.title,
        recommendation: f.recommendation,
        estimatedMonthlySavings: f.monthlySavings,
        evidence: f.evidence,
        examinedBy: relation.coverage,
        declinedBecause:
          reasons.get(declinedKey(relation.coverage, f.check, f.resource)) ??
          `our ${relation.coverage} checks examined ${account} in ${region} and did not flag this resource`,
      });
      continue;
    }
    // Two other sources about the same resource and dollars (Trusted Advisor and Cost Explorer both
    // calling an instance idle) are one finding too.
    const twin = (standingByKey.get(key) ?? []).find((at) => overlaps(scopeOf(standing[at]!.check), scopeOf(f.check)));
    if (twin !== undefined) {
      standing[twin] = fold(standing[twin]!, f, true);
      folded++;
      continue;
    }
    standingByKey.set(key, [...(standingByKey.get(key) ?? []), standing.length]);
    standing.push(f);
  }
  const merged = [...[...groups.values()].flat(), ...standing].sort(rank);
  const opinions = [...secondOpinions.values()].sort(
    (a, b) => new Big(b.estimatedMonthlySavings).cmp(a.estimatedMonthlySavings) || `${a.check}/${identityKey(a.check, a.resource)}`.localeCompare(`${b.check}/${identityKey(b.check, b.resource)}`),
  );
  return { findings: merged, secondOpinions: opinions, folded, outOfScope };
}

/** Totals, by check, and the top `limit` findings of a ranked list. */
export function summariseFindings(findings: readonly Finding[], limit: number, storeKey?: string): FindingsSummary {
  const ranked = [...findings].sort(rank);
  const byCheck: FindingsSummary['byCheck'] = {};
  let total = new Big(0);
  for (const f of ranked) {
    const entry = (byCheck[f.check] ??= { count: 0, monthlySavings: '0' });
    entry.count++;
    entry.monthlySavings = new Big(entry.monthlySavings).plus(f.monthlySavings).toString();
    total = total.plus(f.monthlySavings);
  }
  return {
    count: ranked.length,
    monthlySavings: total.toString(),
    byCheck,
    items: ranked.slice(0, limit),
    truncated: ranked.length > limit,
    ...(storeKey ? { storeKey } : {}),
  };
}
