/**
 * The analysis report and how the parent assembles it from the agents' results. Pure functions.
 */
import Big from 'big.js';
import { AGENTS, type AgentKind } from './agents';
import { addAmounts, compareAmounts, multiplyAmount, percentChange, subtractAmounts, ZERO } from './money';
import type { Period } from './period';
import { combineCommitments, type CommitmentsSummary } from './checks/commitments';
import type { TaggingCompliance } from './checks/tagging';
import type { FindingsSummary } from './findings';
import type { FindingStatesSection } from './finding-states';
import type { ExecutiveSummary, LlmUsage } from './summary';
import type { ForecastSummary } from './forecast';
import type { AnalysisTimeline } from './timeline';
import type { DailyAmount, SpendSlice } from './spend';
import { addUsage, countRequest, emptyUsage, PRICES, usageCost, type AwsUsage } from './usage';

/** What one agent's child workflow returns: compact, never raw inventories. */
export interface AgentResult {
  agent: AgentKind;
  spend: SpendSlice;
  /** Billable Cost Explorer requests this agent made ($0.01 each). */
  costExplorerRequests: number;
  /** The agent's findings: totals, the top items and the store key of the full list. */
  findings?: FindingsSummary;
  /** Thresholds the checks used (the report says which), e.g. { idleCpuP95Percent: 2 }. */
  thresholds?: Record<string, number | string>;
  /** Every AWS request the agent made (Cost Explorer included), for the report's own cost. */
  usage?: AwsUsage;
  /** Things the reader should know, e.g. "Trusted Advisor: account 1111 has no Business support plan". */
  notes?: string[];
  /** The tagging agent's compliance by resource count and by spend, and the Organizations tag policy. */
  tagging?: TaggingCompliance;
  /** The forecasting agent's forecast, backtest, anomalies and budget advice. */
  forecast?: ForecastSummary;
  /** Checks the agent could not run for want of a permission or plan (the agent itself succeeded). */
  missing?: MissingAccess[];
  /** Savings Plans and Reserved Instances: recommendations, coverage, utilisation, expiring reservations. */
  commitments?: CommitmentsSummary;
  /** Spend groupings the agent read for its own checks (the tagging agent: spend by each policy tag key). */
  spendGroupings?: SpendGrouping[];
}

/** "These checks were skipped: needs IAM permission ec2:DescribeVolumes (in 111122223333/eu-west-1)". */
export interface MissingAccess {
  needs: string;
  checks: string[];
  /** Where: "account/region" entries (empty when everywhere). */
  where?: string[];
}

export type AgentOutcome =
  | { agent: AgentKind; workflowId: string; status: 'succeeded'; result: AgentResult }
  | { agent: AgentKind; workflowId: string; status: 'failed' | 'cancelled'; reason: string; errorType?: string }
  /** The agent could not run for want of a permission or plan; `needs` says which. */
  | { agent: AgentKind; workflowId: string; status: 'skipped'; reason: string; needs: string };

export interface ServiceSpendLine {
  service: string;
  amount: string;
  previousAmount: string;
  change: string;
  changePct: number | null;
}

export interface SpendSummary {
  unit: string;
  total: string;
  previousTotal: string;
  change: string;
  changePct: number | null;
  /** Highest spend first. */
  byService: ServiceSpendLine[];
  daily: DailyAmount[];
  /** 'whole-bill' when an agent read the whole bill; otherwise only the listed agents' services are counted. */
  coverage: 'whole-bill' | 'agent-services' | 'none';
  estimated: boolean;
  /** The period's spend grouped by account, Region, usage type or a tag key, when an agent read them. */
  groupings?: SpendGrouping[];
  /** Daily spend of the largest services (the rest as "Other"), for the stacked chart. */
  dailyByService?: DailyByGroup;
  /** This month so far against the same days of last month, when the reads reach it. */
  monthToDate?: MonthToDate;
}

export type SpendDimension = 'service' | 'account' | 'region' | 'usage-type' | 'tag';

export interface SpendGroupLine {
  key: string;
  amount: string;
  /** Absent when only the period was read (the grouping's `periodOnly`). */
  previousAmount?: string;
  change?: string;
  changePct?: number | null;
}

export interface SpendGrouping {
  dimension: SpendDimension;
  /** For dimension 'tag': the tag key ("" values are spend without the tag). */
  tagKey?: string;
  /** Only the period was read (spend by tag comes from the tagging agent's queries of the period). */
  periodOnly?: true;
  /** Highest spend first. */
  lines: SpendGroupLine[];
}

export interface DailyByGroup {
  /** Group names, largest first; the last may be "Other". */
  keys: string[];
  /** One entry per day: amounts in the order of `keys`. */
  days: { date: string; amounts: string[] }[];
}

export interface MonthToDate {
  /** YYYY-MM, and its days counted so far (1st … `through`, inclusive). */
  month: string;
  through: string;
  days: number;
  amount: string;
  /** The same days of the previous month (its 1st … the same day number, capped at its length). */
  previousMonth: string;
  previousAmount: string;
  change: string;
  changePct: number | null;
}

export interface AgentReportEntry {
  agent: AgentKind;
  title: string;
  workflowId: string;
  status: 'succeeded' | 'failed' | 'cancelled' | 'skipped';
  spend?: string;
  reason?: string;
}

export interface AnalysisReport {
  schemaVersion: 1;
  analysisId: string;
  tenant: string;
  accounts: string[];
  regions: string[];
  period: Period;
  previousPeriod: Period;
  generatedAt: string;
  status: 'complete' | 'partial';
  spend: SpendSummary;
  agents: AgentReportEntry[];
  /** Agents that did not deliver, with why: a partial report says what is missing. */
  failures: { agent: AgentKind; reason: string }[];
  /**
   * Agents skipped for want of a permission or plan: "skipped: needs IAM permission ce:GetCostAndUsage".
   * With `checks`, only those checks of the agent were skipped; the agent delivered the rest.
   */
  skipped: { agent: AgentKind; needs: string; checks?: string[]; where?: string[] }[];
  usage: ReportUsage;
  /** Every agent's findings merged (duplicates folded, each dollar once) and ranked; the full list in the store. */
  findings?: FindingsSummary;
  /** The thresholds each agent's checks used. */
  thresholds?: Partial<Record<AgentKind, Record<string, number | string>>>;
  /** Savings Plans and Reserved Instances, apart from the findings (their savings are not added to them). */
  commitments?: CommitmentsSummary;
  /** What the reader should know: plans missing, resources not judged, sources that disagreed. */
  notes?: string[];
  /** Tag compliance by resource count and by spend (the tagging agent). */
  tagging?: TaggingCompliance;
  /** Our forecast beside Cost Explorer's, its backtest, anomalies and budget advice (the forecasting agent). */
  forecast?: ForecastSummary;
  /** The executive summary, grounded in this report, and which writer produced it (src/llm). */
  summary?: ExecutiveSummary;
  /** Where the time went: per agent queued, running and waiting on AWS, and the longest activities (src/domain/timeline.ts). */
  timeline?: AnalysisTimeline;
  /** The finding states this analysis applied: dismissed findings listed apart, done ones and their realised savings. */
  findingStates?: FindingStatesSection;
}

/** What the analysis itself cost: billable AWS requests (Cost Explorer, CloudWatch metrics). */
export interface ReportUsage {
  /** Billable Cost Explorer requests of every kind ($0.01 each). */
  costExplorerRequests: number;
  costExplorerCost: string;
  unit: 'USD';
  /** Every AWS request by operation ("ec2:DescribeInstances": 3), when the agents report them. */
  requests?: Record<string, number>;
  /** Why the billable requests were made: operation → purpose → requests (the Cost Explorer request plan). */
  purposes?: Record<string, Record<string, number>>;
  /** CloudWatch metrics requested through GetMetricData ($0.01 per 1,000). */
  metricsRequested?: number;
  metricsCost?: string;
  /** Cost Explorer plus CloudWatch: what this analysis cost in AWS charges. */
  totalCost?: string;
  /** Tokens the executive summary used, and their cost. */
  llm?: LlmUsage;
}

/** What the parent adds after the agents: the merged findings and its own notes. */
export interface ReportExtras {
  findings?: FindingsSummary;
  notes?: string[];
  /** The finding states the analysis applied (dismissed findings are already out of `findings`). */
  findingStates?: FindingStatesSection;
}

export const COST_EXPLORER_REQUEST_PRICE = '0.01';

export interface ReportContext {
  analysisId: string;
  tenant: string;
  accounts: string[];
  regions: string[];
  period: Period;
  previousPeriod: Period;
  generatedAt: string;
}

export function assembleReport(ctx: ReportContext, outcomes: readonly AgentOutcome[], extras: ReportExtras = {}): AnalysisReport {
  const slices = outcomes.flatMap((o) => (o.status === 'succeeded' ? [o.result.spend] : []));
  const failures = outcomes.flatMap((o) =>
    o.status === 'failed' || o.status === 'cancelled' ? [{ agent: o.agent, reason: o.reason }] : [],
  );
  const skipped: AnalysisReport['skipped'] = outcomes.flatMap((o) =>
    o.status === 'skipped'
      ? [{ agent: o.agent, needs: o.needs }]
      : o.status === 'succeeded'
        ? (o.result.missing ?? []).map((m) => ({
            agent: o.agent,
            needs: m.needs,
            checks: m.checks,
            ...(m.where?.length ? { where: m.where } : {}),
          }))
        : [],
  );
  const succeeded = outcomes.flatMap((o) => (o.status === 'succeeded' ? [o.result] : []));
  const thresholds = Object.fromEntries(succeeded.flatMap((r) => (r.thresholds ? [[r.agent, r.thresholds]] : [])));
  const commitments = succeeded.flatMap((r) => (r.commitments ? [r.commitments] : []));
  const notes = [
    ...succeeded.flatMap((r) => (r.notes ?? []).map((n) => `${AGENTS[r.agent].title}: ${n}`)),
    ...(extras.notes ?? []),
  ];

  return {
    schemaVersion: 1,
    ...ctx,
    status: failures.length || skipped.length ? 'partial' : 'complete',
    spend: withGroupings(
      summariseSpend(slices, ctx.period),
      succeeded.flatMap((r) => r.spendGroupings ?? []),
    ),
    agents: outcomes.map((o) => ({
      agent: o.agent,
      title: AGENTS[o.agent].title,
      workflowId: o.workflowId,
      status: o.status,
      ...(o.status === 'succeeded'
        ? { spend: o.result.spend.total }
        : o.status === 'skipped'
          ? { reason: `skipped: needs ${o.needs}` }
          : { reason: o.reason }),
    })),
    failures,
    skipped,
    usage: withStateRequests(reportUsage(succeeded), extras.findingStates?.costExplorerRequests ?? 0),
    ...(extras.findings ? { findings: extras.findings } : {}),
    ...(extras.findingStates ? { findingStates: extras.findingStates } : {}),
    ...(Object.keys(thresholds).length ? { thresholds } : {}),
    ...(commitments.length ? { commitments: combineCommitments(commitments) } : {}),
    ...(notes.length ? { notes } : {}),
    ...agentSection(outcomes, 'tagging'),
    ...agentSection(outcomes, 'forecast'),
  };
}

/** Copy one agent's report section (tagging compliance, forecast) into the report when it delivered one. */
function agentSection<K extends 'tagging' | 'forecast'>(
  outcomes: readonly AgentOutcome[],
  key: K,
): Partial<Pick<AgentResult, K>> {
  for (const o of outcomes) {
    if (o.status === 'succeeded' && o.result[key] !== undefined) return { [key]: o.result[key] } as Partial<Pick<AgentResult, K>>;
  }
  return {};
}

/**
 * The analysis's own cost. Agents that report their AWS usage are summed; the others count their Cost
 * Explorer requests (the only billable ones they make).
 */
export function reportUsage(results: readonly AgentResult[]): ReportUsage {
  const requests = results.reduce((n, r) => n + r.costExplorerRequests, 0);
  const base: ReportUsage = {
    costExplorerRequests: requests,
    costExplorerCost: multiplyAmount(COST_EXPLORER_REQUEST_PRICE, requests),
    unit: 'USD',
  };
  if (!results.some((r) => r.usage)) return base;
  const total = addUsage(
    ...results.map((r) => {
      if (r.usage) return r.usage;
      const usage = emptyUsage();
      if (r.costExplorerRequests) countRequest(usage, 'ce:GetCostAndUsage', r.costExplorerRequests);
      return usage;
    }),
  );
  const metricsCost = new Big(PRICES.thousandMetrics).times(total.metricsRequested).div(1000).toString();
  return {
    ...base,
    requests: Object.fromEntries(Object.entries(total.requests).sort(([a], [b]) => a.localeCompare(b))),
    ...(total.purposes ? { purposes: total.purposes } : {}),
    metricsRequested: total.metricsRequested,
    metricsCost,
    totalCost: new Big(usageCost(total)).toString(),
  };
}

/** The realised-savings measurement's Cost Explorer requests (resource-level data) belong to the analysis's own cost too. */
function withStateRequests(usage: ReportUsage, requests: number): ReportUsage {
  if (requests === 0) return usage;
  const cost = multiplyAmount(COST_EXPLORER_REQUEST_PRICE, requests);
  const operation = 'ce:GetCostAndUsageWithResources';
  return {
    ...usage,
    costExplorerRequests: usage.costExplorerRequests + requests,
    costExplorerCost: addAmounts(usage.costExplorerCost, cost),
    ...(usage.requests ? { requests: { ...usage.requests, [operation]: (usage.requests[operation] ?? 0) + requests } } : {}),
    ...(usage.totalCost !== undefined ? { totalCost: addAmounts(usage.totalCost, cost) } : {}),
  };
}

/**
 * One picture of spend from whatever slices arrived. A whole-bill slice wins; otherwise the
 * service-specific slices are disjoint and are added up (and the report says the coverage is partial).
 */
export function summariseSpend(slices: readonly SpendSlice[], period: Period): SpendSummary {
  const whole = slices.find((s) => s.services === null);
  const chosen = whole ? [whole] : dedupeByServices(slices);
  const unit = chosen[0]?.unit ?? 'USD';
  const current: Record<string, string> = {};
  const previous: Record<string, string> = {};
  const daily = new Map<string, string>();
  for (const slice of chosen) {
    for (const [svc, amt] of Object.entries(slice.byService)) current[svc] = addAmounts(current[svc] ?? ZERO, amt);
    for (const [svc, amt] of Object.entries(slice.previousByService)) previous[svc] = addAmounts(previous[svc] ?? ZERO, amt);
    for (const d of slice.daily) daily.set(d.date, addAmounts(daily.get(d.date) ?? ZERO, d.amount));
  }
  const services = [...new Set([...Object.keys(current), ...Object.keys(previous)])];
  const byService = services
    .map((service) => {
      const amount = current[service] ?? ZERO;
      const previousAmount = previous[service] ?? ZERO;
      return {
        service,
        amount,
        previousAmount,
        change: subtractAmounts(amount, previousAmount),
        changePct: percentChange(amount, previousAmount),
      };
    })
    .sort((a, b) => compareAmounts(b.amount, a.amount) || a.service.localeCompare(b.service));
  const total = addAmounts(ZERO, ...byService.map((l) => l.amount));
  const previousTotal = addAmounts(ZERO, ...byService.map((l) => l.previousAmount));
  return {
    unit,
    total,
    previousTotal,
    change: subtractAmounts(total, previousTotal),
    changePct: percentChange(total, previousTotal),
    byService,
    daily: [...daily]
      .filter(([date]) => date >= period.start && date < period.end)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([date, amount]) => ({ date, amount })),
    coverage: whole ? 'whole-bill' : chosen.length ? 'agent-services' : 'none',
    estimated: chosen.some((s) => s.estimated),
    ...(whole?.breakdown ?? {}),
  };
}

/** Add the agents' own groupings (spend by tag) to a whole-bill summary: they are cuts of the same bill. */
function withGroupings(spend: SpendSummary, extra: readonly SpendGrouping[]): SpendSummary {
  if (extra.length === 0 || spend.coverage !== 'whole-bill') return spend;
  return { ...spend, groupings: [...(spend.groupings ?? []), ...extra] };
}

/** Two agents never report the same service twice (guards against overlapping filters). */
function dedupeByServices(slices: readonly SpendSlice[]): SpendSlice[] {
  const seen = new Set<string>();
  return slices.filter((s) => {
    const key = (s.services ?? []).join('|');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
