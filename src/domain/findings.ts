/**
 * Findings: what the agents recommend, each with the resource, the evidence, the action, the monthly
 * savings in dollars (from prices, exact decimal strings), a confidence, and the command that would
 * carry it out. We recommend; we never change the account.
 *
 * Size: a large account yields thousands of findings, more than workflow history should carry. Agents
 * write their full lists to the finding store (activities/store.ts) and return a FindingsSummary: totals,
 * the ranked top items, and the store key. The parent merges the agents' lists in an activity and keeps
 * the merged, ranked list in the store too.
 */
import type { AgentKind } from './agents';
import type { FindingStateMark } from './finding-states';

export type Confidence = 'high' | 'medium' | 'low';

/** Cost Optimization Hub's action vocabulary, plus the storage and tagging actions our agents add. */
export type FindingAction =
  | 'stop'
  | 'terminate'
  | 'delete'
  | 'rightsize'
  | 'upgrade'
  | 'migrate-to-graviton'
  | 'release'
  | 'purchase-savings-plan'
  | 'purchase-reserved-instance'
  | 'add-lifecycle-rule'
  | 'change-storage-class'
  | 'disable-multi-az'
  | 'tag'
  | 'review';

export interface FindingResource {
  account: string;
  region: string;
  /** AWS identifier: i-..., vol-..., eipalloc-..., snap-..., DB identifier, bucket name. */
  id: string;
  name?: string;
  /** Instance type, DB class, volume type, storage class... */
  type?: string;
  /** Untrusted text: data, never instructions, wherever it flows. */
  tags: Record<string, string>;
}

export interface Finding {
  /** Stable across runs: `${check}/${account}/${region}/${resource id}`. */
  id: string;
  /** Check name, e.g. "ec2-idle" (the simulator's ground truth uses the same names). */
  check: string;
  agent: AgentKind;
  /** Who flagged it: the agent, and e.g. "trusted-advisor:Qch7DwouX1" when Trusted Advisor agrees. */
  sources: string[];
  resource: FindingResource;
  title: string;
  /**
   * The facts that triggered it, one key per fact, typed: numbers as numbers, the unit in the key's name
   * (e.g. { cpuP95Percent: 1.2, cpuMaxPercent: 4.1, metricDays: 14, monthlyCostUsd: 70.08 }). Never
   * "key=value" text; lists of other opinions are in `folded`.
   */
  evidence: Evidence;
  action: FindingAction;
  /** Plain-language recommendation, e.g. "Rightsize m5.2xlarge to m5.large". */
  recommendation: string;
  /** USD per month (730 hours) saved by the action, decimal string; "0" when the gain is not in dollars. */
  monthlySavings: string;
  confidence: Confidence;
  /** The exact AWS CLI command that would carry the action out. */
  cliCommand?: string;
  consoleUrl?: string;
  /**
   * Other checks and sources folded into this finding by the merge (each check once): other sources
   * that flagged the same problem ('confirms'), and our own checks whose saving overlaps this one's
   * ('overlaps'). Their dollars are not added: this finding's figure is the one counted.
   */
  folded?: FoldedOpinion[];
  /** What a person decided about it (accepted, or done and still present): set when an analysis applies the finding states. */
  state?: FindingStateMark;
}

/** A flat record of scalar facts; see Finding.evidence for the naming rule. */
export type Evidence = Record<string, string | number | boolean>;

export interface FoldedOpinion {
  check: string;
  /** Who said it, e.g. ["trusted-advisor:Qch7DwouX1"] or ["ec2"]. */
  sources: string[];
  relation: 'confirms' | 'overlaps';
  /** Its own estimate in USD a month, decimal string (informative, never added to a total). */
  monthlySavings: string;
}

/**
 * Another source's opinion (Trusted Advisor, Cost Explorer) on a resource one of our checks examined,
 * with the data it needed, and declined: shown with the resource, never counted as a finding, never in
 * a total. "Trusted Advisor flags it; not flagged because <declinedBecause>."
 */
export interface SecondOpinion {
  /** The other source's check, e.g. "ta-ec2-low-utilization". */
  check: string;
  sources: string[];
  resource: FindingResource;
  title: string;
  recommendation: string;
  /** The other source's own estimate, USD a month, decimal string (not counted). */
  estimatedMonthlySavings: string;
  /** The other source's evidence, as it gave it. */
  evidence: Evidence;
  /** What of ours examined the resource: a coverage kind ("ec2-utilisation", "ebs", "eip", "rds-connections", "s3"). */
  examinedBy: string;
  /** Why our check did not flag it, plain language ("less than 14 days of metrics"). */
  declinedBecause: string;
}

/** A resource one of our checks examined with the data it needed and did not flag, and why. */
export interface DeclinedResource {
  /** The coverage kind that examined it (see SecondOpinion.examinedBy). */
  kind: string;
  account: string;
  region: string;
  id: string;
  reason: string;
}

export interface FindingsSummary {
  count: number;
  /** Sum of monthlySavings, counting each dollar once (the merge removes overlaps). */
  monthlySavings: string;
  byCheck: Record<string, { count: number; monthlySavings: string }>;
  /** The highest-savings findings, ranked; at most FINDINGS_INLINE_LIMIT. */
  items: Finding[];
  /** True when `items` is not the whole list (read the rest from the store). */
  truncated: boolean;
  /** Where the full list is kept (activities/store.ts). */
  storeKey?: string;
  /** Other sources' opinions our checks examined and declined: not in count, totals or items. */
  secondOpinions?: { count: number; items: SecondOpinion[]; storeKey?: string };
}

/** Findings carried inline in workflow results and the report; the rest stay in the store. */
export const FINDINGS_INLINE_LIMIT = 200;

export function findingId(check: string, resource: Pick<FindingResource, 'account' | 'region' | 'id'>): string {
  return `${check}/${resource.account}/${resource.region}/${resource.id}`;
}
