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
  /** The metric summary that triggered it, e.g. { cpuP95: 1.2, cpuMax: 4.1, days: 14 }. */
  evidence: Record<string, string | number | boolean>;
  action: FindingAction;
  /** Plain-language recommendation, e.g. "Rightsize m5.2xlarge to m5.large". */
  recommendation: string;
  /** USD per month (730 hours) saved by the action, decimal string; "0" when the gain is not in dollars. */
  monthlySavings: string;
  confidence: Confidence;
  /** The exact AWS CLI command that would carry the action out. */
  cliCommand?: string;
  consoleUrl?: string;
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
}

/** Findings carried inline in workflow results and the report; the rest stay in the store. */
export const FINDINGS_INLINE_LIMIT = 200;

export function findingId(check: string, resource: Pick<FindingResource, 'account' | 'region' | 'id'>): string {
  return `${check}/${resource.account}/${resource.region}/${resource.id}`;
}
