/**
 * The tagging agent's activity: every taggable resource with its tags (EC2 and RDS describe calls,
 * which return tags with the resources at up to 1,000 a page; S3 buckets from ListBuckets with their
 * tags from the Tagging API, 100 a call), judged against the tag policy (domain/tag-policy.ts,
 * domain/checks/tagging.ts) — and compliance by spend from Cost Explorer grouped by tag, exact to the
 * cent. A handful of Cost Explorer requests, whatever the size of the account:
 *
 *   GetCostAndUsage GroupBy TAG <key>, TAG <variant>  a policy key with its first other spelling found on the
 *                                              resources ("environment", "env", …): valid / fixable / invalid /
 *                                              untagged, and spend carrying only the variant
 *   GetCostAndUsage GroupBy TAG <key>, TAG <key>  the other policy keys, two per query
 *   GetCostAndUsage Filter <key> absent,
 *                   GroupBy TAG <variant>     one per further misspelt key: spend carrying only that variant
 *   GetCostAndUsage GroupBy ACCOUNT, SERVICE  the total (none for one account: cut from the spend read)
 *   GetCostAndUsage Filter compliant,
 *                   GroupBy ACCOUNT, SERVICE  compliant spend (every key present with a valid value)
 *   GetCostAndUsage Filter compliant,
 *                   GroupBy TAG <owner key>   compliant spend by owner (the total by owner is the owner key's query)
 *
 * Resources whose tags never existed are invisible to the Tagging API, which is why EC2 and RDS are read
 * through their own describe calls; buckets without tags are the ones ListBuckets has and the Tagging API
 * does not.
 */
import { AGENT_INLINE_FINDINGS } from './compute';
import type { Expression, GroupDefinition } from '@aws-sdk/client-cost-explorer';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import Big from 'big.js';
import {
  analyseTags,
  classifyKeySpend,
  spendSplit,
  taggingFinding,
  type SpendCompliance,
  type TaggableResource,
  type TaggingCompliance,
} from '../../domain/checks/tagging';
import type { FindingsSummary } from '../../domain/findings';
import type { SpendGrouping } from '../../domain/report';
import { groupingLines } from '../../domain/spend-breakdown';
import type { Period } from '../../domain/period';
import { DEFAULT_TAG_POLICY, judgeValue, organizationsTagPolicy, parseTagPolicy, type TagPolicy } from '../../domain/tag-policy';
import { countRequest, emptyUsage, type AwsUsage } from '../../domain/usage';
import type { AwsClientFactory } from '../aws-clients';
import { listTaggedResources } from '../inventory';
import type { InventoryReads } from '../inventory-reads';
import { collectPages, mapWithConcurrency } from '../paging';
import { accountFilter, joinSpendReads, type SpendReads } from '../spend';
import { findingsKey, type ArtefactStore } from '../store';
import type { CostReads } from '../cost-reads';
import { costByPeriodAndGroup } from './cost-groups';
import { retryTransient } from './retry';
import { rankFindings, summariseFindings } from './summary';

export interface AnalyseTaggingInput {
  analysisId: string;
  accounts: string[];
  regions: string[];
  period: Period;
  /** Overrides the configured policy (FINOPS_TAG_POLICY_FILE, else the default). */
  policy?: TagPolicy;
  /** Set when this runs alongside the spend agent: its reads are joined before the spend is cut from them. */
  spend?: SpendReads;
}

export interface AnalyseTaggingOutput {
  findings: FindingsSummary;
  tagging: TaggingCompliance;
  usage: AwsUsage;
  notes: string[];
  costExplorerRequests: number;
  /** Spend by each policy tag key over the period (for the report's spend section). */
  spendGroupings?: SpendGrouping[];
}

const HOME_REGION = 'us-east-1';
const EXAMPLES = 25;

/** The policy from FINOPS_TAG_POLICY_FILE (JSON or YAML), else the default. */
export async function configuredTagPolicy(path = process.env.FINOPS_TAG_POLICY_FILE): Promise<TagPolicy> {
  if (!path) return DEFAULT_TAG_POLICY;
  const text = await readFile(path, 'utf8');
  if (path.endsWith('.json')) return parseTagPolicy(JSON.parse(text));
  // YAML needs the yaml package (a development dependency): loaded only for a YAML policy.
  const { parse } = await import('yaml');
  return parseTagPolicy(parse(text));
}

async function listBucketNames(clients: AwsClientFactory, account: string, usage: AwsUsage) {
  const s3 = clients.s3({ account, region: HOME_REGION });
  const { value, requests } = await collectPages({
    listing: `s3:ListAllMyBuckets/${account}`,
    action: 's3:ListAllMyBuckets',
    initial: [] as { name: string; region: string }[],
    fetchPage: (ContinuationToken, abortSignal) =>
      s3.send(new ListBucketsCommand({ MaxBuckets: 10_000, ...(ContinuationToken ? { ContinuationToken } : {}) }), {
        abortSignal,
      }),
    fold: (all, page) => {
      for (const b of page.Buckets ?? []) if (b.Name) all.push({ name: b.Name, region: b.BucketRegion || HOME_REGION });
      return all;
    },
    nextToken: (page) => page.ContinuationToken,
  });
  countRequest(usage, 's3:ListAllMyBuckets', requests);
  return value;
}

async function inventory(
  clients: AwsClientFactory,
  inventories: InventoryReads,
  analysisId: string,
  account: string,
  regions: string[],
  usage: AwsUsage,
): Promise<TaggableResource[]> {
  const out: TaggableResource[] = [];
  const perRegion = await mapWithConcurrency(regions, 3, async (region) => {
    const target = { account, region };
    const [instances, volumes, snapshots, addresses, databases, bucketTags] = await Promise.all([
      retryTransient(() => inventories.instances(analysisId, target, usage)),
      retryTransient(() => inventories.volumes(analysisId, target, usage)),
      retryTransient(() => inventories.snapshots(analysisId, target, usage)),
      retryTransient(() => inventories.addresses(analysisId, target, usage)),
      retryTransient(() => inventories.databases(analysisId, target, usage)),
      retryTransient(() => listTaggedResources(clients, target, ['s3:bucket'], usage)),
    ]);
    const here: TaggableResource[] = [];
    for (const i of instances) {
      if (i.state === 'terminated' || i.state === 'shutting-down') continue;
      here.push({ account, region, type: 'ec2:instance', id: i.instanceId, ...(i.name ? { name: i.name } : {}), tags: i.tags });
    }
    for (const v of volumes)
      here.push({
        account,
        region,
        type: 'ec2:volume',
        id: v.volumeId,
        ...(v.tags['Name'] ? { name: v.tags['Name'] } : {}),
        tags: v.tags,
        ...(v.attachedTo ? { parentId: v.attachedTo } : {}),
      });
    for (const s of snapshots)
      here.push({
        account,
        region,
        type: 'ec2:snapshot',
        id: s.snapshotId,
        ...(s.tags['Name'] ? { name: s.tags['Name'] } : {}),
        tags: s.tags,
        ...(s.volumeId ? { parentId: s.volumeId } : {}),
      });
    for (const a of addresses)
      here.push({
        account,
        region,
        type: 'ec2:elastic-ip',
        id: a.allocationId,
        ...(a.tags['Name'] ? { name: a.tags['Name'] } : {}),
        tags: a.tags,
        ...(a.instanceId ? { parentId: a.instanceId } : {}),
      });
    for (const d of databases)
      here.push({ account, region, type: 'rds:db', id: d.dbInstanceIdentifier, name: d.dbInstanceIdentifier, tags: d.tags });
    return { here, bucketTags };
  });
  const bucketTags = new Map<string, Record<string, string>>();
  for (const { here, bucketTags: tags } of perRegion) {
    out.push(...here);
    for (const [arn, t] of tags) bucketTags.set(arn, t);
  }
  for (const b of await retryTransient(() => listBucketNames(clients, account, usage))) {
    if (!regions.includes(b.region)) continue;
    out.push({
      account,
      region: b.region,
      type: 's3:bucket',
      id: b.name,
      name: b.name,
      tags: bucketTags.get(`arn:aws:s3:::${b.name}`) ?? {},
    });
  }
  return out;
}

interface Group {
  keys: string[];
  amount: string;
}

/**
 * The tag keys' queries, two keys each: a key with a variant is paired with it ([key, variant]); the
 * other keys two by two, in policy order.
 */
export function pairTagQueries(rules: readonly { key: string; variant?: string | undefined }[]): string[][] {
  const queries: string[][] = [];
  const singles: string[] = [];
  for (const { key, variant } of rules) {
    if (variant !== undefined) queries.push([key, variant]);
    else singles.push(key);
  }
  for (let i = 0; i < singles.length; i += 2) queries.push(singles.slice(i, i + 2));
  return queries;
}

/** Accounts whose resources are listed at once. */
const ACCOUNTS_AT_ONCE = 8;

export function createTaggingActivities(
  clients: AwsClientFactory,
  options: { store: ArtefactStore; reads: CostReads; inventories: InventoryReads },
) {
  /** All groups of one GetCostAndUsage query over the period (MONTHLY periods added up), paged. */
  async function costGroups(
    label: string,
    period: Period,
    filter: Expression,
    groupBy: GroupDefinition[],
    usage: AwsUsage,
    purpose = `tagging: spend by ${groupBy.map((g) => g.Key).join(' and ')}`,
  ): Promise<Group[]> {
    const byMonth = await costByPeriodAndGroup(
      clients,
      // "by-month": checkpoints of the earlier flat form (listing "…/tagging/<label>") are not resumed.
      { listing: `ce:GetCostAndUsage/tagging/by-month/${label}`, period, granularity: 'MONTHLY', filter, groupBy },
      usage,
      purpose,
    );
    const sums: Record<string, Big> = {};
    for (const groups of Object.values(byMonth))
      for (const [keys, amount] of Object.entries(groups)) sums[keys] = (sums[keys] ?? new Big(0)).plus(amount);
    return Object.entries(sums).map(([keys, amount]) => ({ keys: JSON.parse(keys) as string[], amount: amount.toString() }));
  }

  /** The tag value of a TAG group key ("Environment$prod" → "prod"; "Environment$" → undefined). */
  const tagValue = (groupKey: string, key: string): string | undefined => {
    const rest = groupKey.startsWith(`${key}$`) ? groupKey.slice(key.length + 1) : groupKey;
    return rest === '' ? undefined : rest;
  };

  async function spendCompliance(
    input: AnalyseTaggingInput,
    policy: TagPolicy,
    resourceKeys: readonly string[],
    usage: AwsUsage,
    notes: string[],
    /** Receives the period's spend by each policy key's values (the report's "spend by tag"). */
    groupings: SpendGrouping[],
  ): Promise<SpendCompliance> {
    const before = Object.entries(usage.requests)
      .filter(([op]) => op.startsWith('ce:'))
      .reduce((n, [, c]) => n + c, 0);
    const accounts = accountFilter(input.accounts);
    const and = (...parts: Expression[]): Expression => ({ And: [accounts, ...parts] });
    // Tag keys in another spelling come from the resources' own tags (read already, free) rather than
    // from Cost Explorer's GetTags ($0.01).
    const keys = [...new Set(resourceKeys)].sort();
    const byKey: SpendCompliance['byKey'] = {};
    const validValues = new Map<string, string[]>();
    const perKeyGroups = new Map<string, Group[]>();
    const variantsOf = (rule: TagPolicy['keys'][number]) => {
      const synonyms = new Set((rule.keySynonyms ?? []).map((s) => s.toLowerCase()));
      return keys.filter((k) => k !== rule.key && (k.toLowerCase() === rule.key.toLowerCase() || synonyms.has(k.toLowerCase())));
    };
    // Two tag keys per query (Cost Explorer's limit): a key with a variant shares its query with the
    // first variant (the variant's spend where the key is absent is the "only misspelt" spend); the
    // other keys go two by two.
    const queries = pairTagQueries(policy.keys.map((rule) => ({ key: rule.key, variant: variantsOf(rule)[0] })));
    const byQuery = await mapWithConcurrency(queries, 3, (tags) =>
      costGroups(
        `pair/${tags.join('/')}`,
        input.period,
        accounts,
        tags.map((Key) => ({ Type: 'TAG' as const, Key })),
        usage,
      ).then((groups) => ({ tags, groups })),
    );
    const marginal = (key: string): Group[] => {
      for (const { tags, groups } of byQuery) {
        const i = tags.indexOf(key);
        if (i < 0) continue;
        const sums = new Map<string, Big>();
        for (const g of groups) sums.set(g.keys[i] ?? '', (sums.get(g.keys[i] ?? '') ?? new Big(0)).plus(g.amount));
        return [...sums].map(([k, v]) => ({ keys: [k], amount: v.toString() }));
      }
      return [];
    };
    await mapWithConcurrency(policy.keys, 3, async (rule) => {
      const groups = marginal(rule.key);
      perKeyGroups.set(rule.key, groups);
      const byValue = new Map<string | undefined, string>();
      for (const g of groups) {
        const value = tagValue(g.keys[0] ?? '', rule.key);
        byValue.set(value, new Big(byValue.get(value) ?? '0').plus(g.amount).toString());
      }
      validValues.set(
        rule.key,
        [...byValue.keys()].filter((v): v is string => v !== undefined && judgeValue(rule, v).verdict === 'valid').sort(),
      );
      // Spend carrying the key only in another spelling: the first variant from the key's own query, each
      // further one in turn, among lines without the key (and without the variants already counted).
      const variants = variantsOf(rule);
      let wrong = new Big(0);
      const first = variants[0];
      if (first !== undefined) {
        const pair = byQuery.find((q) => q.tags[0] === rule.key && q.tags[1] === first);
        for (const g of pair?.groups ?? [])
          if (tagValue(g.keys[0] ?? '', rule.key) === undefined && tagValue(g.keys[1] ?? '', first) !== undefined)
            wrong = wrong.plus(g.amount);
      }
      const absent: Expression[] = variants.slice(0, 1).map((v) => ({ Tags: { Key: v, MatchOptions: ['ABSENT'] } }));
      absent.unshift({ Tags: { Key: rule.key, MatchOptions: ['ABSENT'] } });
      for (const variant of variants.slice(1)) {
        const vg = await costGroups(
          `variant/${rule.key}/${variant}`,
          input.period,
          and(...absent),
          [{ Type: 'TAG', Key: variant }],
          usage,
        );
        for (const g of vg) if (tagValue(g.keys[0] ?? '', variant) !== undefined) wrong = wrong.plus(g.amount);
        absent.push({ Tags: { Key: variant, MatchOptions: ['ABSENT'] } });
      }
      byKey[rule.key] = classifyKeySpend(policy, rule.key, byValue, wrong.toString());
    });
    // Spend by each policy key, from the same queries: "" is spend without the key.
    for (const rule of policy.keys) {
      const byValue = new Map<string, string>();
      for (const g of perKeyGroups.get(rule.key) ?? []) {
        const value = tagValue(g.keys[0] ?? '', rule.key) ?? '';
        byValue.set(value, new Big(byValue.get(value) ?? '0').plus(g.amount).toString());
      }
      groupings.push({ dimension: 'tag', tagKey: rule.key, periodOnly: true, lines: groupingLines(byValue) });
    }

    // The total by account and service: cut from the analysis's spend read when it holds it (one account),
    // else one monthly query.
    const held = await options.reads.available(
      { analysisId: input.analysisId, accounts: input.accounts },
      ['SERVICE', 'LINKED_ACCOUNT'],
      input.period,
    );
    let totals: Group[];
    if (held) {
      const sums = new Map<string, Big>();
      for (const groups of Object.values(held.byDay))
        for (const [k, amount] of Object.entries(groups)) sums.set(k, (sums.get(k) ?? new Big(0)).plus(amount));
      // Canonical order is service|account; the sums below read [account, service].
      totals = [...sums].map(([k, v]) => {
        const [service = '', account = ''] = k.split('|');
        return { keys: [account, service], amount: v.toString() };
      });
    } else {
      totals = await costGroups(
        'total',
        input.period,
        accounts,
        [
          { Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' },
          { Type: 'DIMENSION', Key: 'SERVICE' },
        ],
        usage,
        'tagging: total spend by account and service',
      );
    }
    const noneValid = policy.keys.filter((k) => (validValues.get(k.key) ?? []).length === 0);
    if (noneValid.length)
      notes.push(`No spend carries a valid ${noneValid.map((k) => k.key).join(', ')} tag: compliant spend is zero.`);
    const compliantFilter = and(
      ...policy.keys.map((k) => ({
        Tags: { Key: k.key, Values: validValues.get(k.key) ?? [], MatchOptions: ['EQUALS' as const, 'CASE_SENSITIVE' as const] },
      })),
    );
    const compliant = noneValid.length
      ? []
      : await costGroups(
          'compliant',
          input.period,
          compliantFilter,
          [
            { Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' },
            { Type: 'DIMENSION', Key: 'SERVICE' },
          ],
          usage,
        );
    const ownerKey = policy.ownerKey;
    const ownerTotals =
      perKeyGroups.get(ownerKey) ??
      (await costGroups(`owner-total/${ownerKey}`, input.period, accounts, [{ Type: 'TAG', Key: ownerKey }], usage));
    const ownerCompliant = noneValid.length
      ? []
      : await costGroups(`owner-compliant/${ownerKey}`, input.period, compliantFilter, [{ Type: 'TAG', Key: ownerKey }], usage);

    const sumBy = (groups: Group[], pick: (g: Group) => string) => {
      const out = new Map<string, Big>();
      for (const g of groups) out.set(pick(g), (out.get(pick(g)) ?? new Big(0)).plus(g.amount));
      return out;
    };
    const splits = (all: Map<string, Big>, ok: Map<string, Big>) =>
      Object.fromEntries(
        [...all]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => [k, spendSplit(v.toString(), (ok.get(k) ?? new Big(0)).toString())]),
      );
    const total = totals.reduce((s, g) => s.plus(g.amount), new Big(0));
    const ok = compliant.reduce((s, g) => s.plus(g.amount), new Big(0));
    const ownerName = (g: Group) => tagValue(g.keys[0] ?? '', ownerKey) ?? '(none)';
    const after = Object.entries(usage.requests)
      .filter(([op]) => op.startsWith('ce:'))
      .reduce((n, [, c]) => n + c, 0);
    return {
      period: input.period,
      unit: 'USD',
      total: spendSplit(total.toString(), ok.toString()),
      byAccount: splits(
        sumBy(totals, (g) => g.keys[0] ?? ''),
        sumBy(compliant, (g) => g.keys[0] ?? ''),
      ),
      byService: splits(
        sumBy(totals, (g) => g.keys[1] ?? ''),
        sumBy(compliant, (g) => g.keys[1] ?? ''),
      ),
      byOwner: splits(sumBy(ownerTotals, ownerName), sumBy(ownerCompliant, ownerName)),
      byKey,
      requests: after - before,
    };
  }

  return {
    async analyseTagging(input: AnalyseTaggingInput): Promise<AnalyseTaggingOutput> {
      const policy = input.policy ?? (await configuredTagPolicy());
      const usage = emptyUsage();
      const notes: string[] = [];
      const resources = (
        // Per-account limits (tagging API, inventories): accounts side by side, a bounded number at once.
        await mapWithConcurrency(input.accounts, ACCOUNTS_AT_ONCE, (account) => inventory(clients, options.inventories, input.analysisId, account, input.regions, usage))
      ).flat();
      const analysis = analyseTags(resources, policy);
      let bySpend: SpendCompliance | undefined;
      const spendGroupings: SpendGrouping[] = [];
      try {
        if (input.spend) await joinSpendReads(options.reads, { analysisId: input.analysisId, accounts: input.accounts }, input.spend, usage);
        bySpend = await spendCompliance(
          input,
          policy,
          resources.flatMap((r) => Object.keys(r.tags)),
          usage,
          notes,
          spendGroupings,
        );
      } catch (err) {
        const details = (err as { details?: unknown[] }).details?.[0] as { needs?: string } | undefined;
        if (!details?.needs) throw err;
        notes.push(`Compliance by spend skipped: needs ${details.needs}.`);
      }
      const tagsOf = new Map(resources.map((r) => [`${r.type}|${r.account}|${r.id}`, r.tags]));
      const findings = rankFindings(
        analysis.nonCompliant.map((r) => taggingFinding(r, tagsOf.get(`${r.type}|${r.account}|${r.id}`) ?? {})),
      );
      const key = findingsKey(input.analysisId, 'tagging');
      await options.store.putJson(key, findings);
      const ceRequests = Object.entries(usage.requests)
        .filter(([op]) => op.startsWith('ce:'))
        .reduce((n, [, c]) => n + c, 0);
      return {
        findings: summariseFindings(findings, key, AGENT_INLINE_FINDINGS),
        tagging: {
          policy,
          organizationsPolicy: organizationsTagPolicy(policy),
          byCount: analysis.counts,
          ...(bySpend ? { bySpend } : {}),
          nonCompliantResources: analysis.nonCompliant.length,
          examples: analysis.nonCompliant.slice(0, EXAMPLES),
        },
        usage,
        notes,
        costExplorerRequests: ceRequests,
        ...(spendGroupings.length ? { spendGroupings } : {}),
      };
    },
  };
}
