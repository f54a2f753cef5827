/**
 * The analysis report and how the parent assembles it from the agents' results. Pure functions.
 */
import { AGENTS, type AgentKind } from './agents';
import { addAmounts, compareAmounts, multiplyAmount, percentChange, subtractAmounts, ZERO } from './money';
import type { Period } from './period';
import type { FindingsSummary } from './findings';
import type { DailyAmount, SpendSlice } from './spend';
import type { AwsUsage } from './usage';

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
  /** Agents skipped for want of a permission or plan: "skipped: needs IAM permission ce:GetCostAndUsage". */
  skipped: { agent: AgentKind; needs: string }[];
  usage: { costExplorerRequests: number; costExplorerCost: string; unit: 'USD' };
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

export function assembleReport(ctx: ReportContext, outcomes: readonly AgentOutcome[]): AnalysisReport {
  const slices = outcomes.flatMap((o) => (o.status === 'succeeded' ? [o.result.spend] : []));
  const failures = outcomes.flatMap((o) =>
    o.status === 'failed' || o.status === 'cancelled' ? [{ agent: o.agent, reason: o.reason }] : [],
  );
  const skipped = outcomes.flatMap((o) => (o.status === 'skipped' ? [{ agent: o.agent, needs: o.needs }] : []));
  const requests = outcomes.reduce((n, o) => n + (o.status === 'succeeded' ? o.result.costExplorerRequests : 0), 0);

  return {
    schemaVersion: 1,
    ...ctx,
    status: failures.length || skipped.length ? 'partial' : 'complete',
    spend: summariseSpend(slices, ctx.period),
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
    usage: {
      costExplorerRequests: requests,
      costExplorerCost: multiplyAmount(COST_EXPLORER_REQUEST_PRICE, requests),
      unit: 'USD',
    },
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
  };
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
