/**
 * Weekly reviews: a compact snapshot of one analysis, and the comparison of two snapshots of the same
 * scope (spend by service and account, findings new / resolved / still open and for how long, forecast
 * against budget). Pure functions: the review activities and the workflow call them.
 */
import { addAmounts, compareAmounts, percentChange, subtractAmounts, ZERO } from './money';
import type { Period } from './period';
import { toEpochDay } from './period';
import type { ForecastSummary } from './forecast';
import { buildReportView } from '../presentation/build';
import { sectionLines, type SectionLine } from '../presentation/lines';
import type { AnalysisReport } from './report';

/** One finding as a review keeps it: enough to say what it is, what it saves and since when it is open. */
export interface ReviewFinding {
  id: string;
  title: string;
  account: string;
  action: string;
  monthlySavings: string;
  /** The review date it was first seen (carried forward from review to review). */
  firstSeen: string;
}

/** What a review keeps of its analysis. */
export interface ReviewSnapshot {
  date: string;
  analysisId: string;
  period: Period;
  unit: string;
  total: string;
  byService: Record<string, string>;
  byAccount: Record<string, string>;
  /** Absent when the analysis produced no findings section (agents without checks). */
  findings?: ReviewFinding[];
  monthlySavings?: string;
  /** The month's projected spend and each budget's status, when the forecasting agent says. */
  forecast?: ReviewForecast;
  /** Each section of the report view on one line (src/presentation/lines.ts), for the review message. */
  sections?: SectionLine[];
  /** Findings people dismissed (out of `findings` and its savings) and marked done, when the analysis applied states. */
  dismissed?: ReviewStateFinding[];
  done?: ReviewStateFinding[];
}

/** A dismissed or done finding as a review lists it. */
export interface ReviewStateFinding {
  id: string;
  title: string;
  monthlySavings: string;
  by: string;
  /** Dismissed: why, and until when. */
  reason?: string;
  snoozeUntil?: string;
  /** Done: whether the analysis still finds it, and the saving it realised when measured. */
  stillPresent?: boolean;
  realisedMonthlySavings?: string;
}

export interface SpendChangeLine {
  key: string;
  amount: string;
  previousAmount: string;
  change: string;
  changePct: number | null;
}

export interface ReviewComparison {
  /** The previous review's date, or undefined for the first review of a scope. */
  previousDate?: string;
  spend: {
    unit: string;
    total: string;
    previousTotal?: string;
    change?: string;
    changePct?: number | null;
    /** Largest absolute change first. */
    byService: SpendChangeLine[];
    byAccount: SpendChangeLine[];
  };
  findings?: {
    new: ReviewFinding[];
    /** Resolved since the previous review, with the monthly savings they realised. */
    resolved: ReviewFinding[];
    realisedMonthlySavings: string;
    stillOpen: (ReviewFinding & { openDays: number })[];
    openMonthlySavings: string;
    /** Dismissed by people (not counted as open or resolved), and marked done. */
    dismissed?: ReviewStateFinding[];
    done?: ReviewStateFinding[];
  };
  forecast?: ReviewForecast;
}

export interface ReviewForecast {
  /** YYYY-MM and its projected spend (month to date plus the forecast of the rest). */
  month: string;
  projected: string;
  budgets: { name: string; limit: string; projected?: string; status: 'under' | 'at-risk' | 'over' | 'unknown' }[];
}

/** The stored review document. */
export interface ReviewDocument {
  schemaVersion: 1;
  tenant: string;
  scope: string;
  date: string;
  analysisId: string;
  reviewId: string;
  snapshot: ReviewSnapshot;
  comparison: ReviewComparison;
}

/** The small result the workflow returns (and the delivery activities format). */
export interface ReviewHeadline {
  tenant: string;
  scope: string;
  date: string;
  analysisId: string;
  reviewKey: string;
  period: Period;
  unit: string;
  total: string;
  previousTotal?: string;
  change?: string;
  changePct?: number | null;
  newFindings: number;
  resolvedFindings: number;
  stillOpenFindings: number;
  openMonthlySavings: string;
  realisedMonthlySavings: string;
  /** Findings people dismissed and marked done (when the analysis applied finding states). */
  dismissedFindings?: number;
  doneFindings?: number;
  /** The dismissed and done findings, highest savings first (at most five each). */
  dismissed?: { title: string; monthlySavings: string; reason: string; snoozeUntil?: string; by: string }[];
  done?: { title: string; monthlySavings: string; stillPresent: boolean; realisedMonthlySavings?: string; by: string }[];
  /** The top actions: highest-savings open findings. */
  topActions: { title: string; monthlySavings: string; openDays: number }[];
  /** The largest spend movers by service. */
  topMovers: SpendChangeLine[];
  /** The month's projection, and the budgets it puts at risk or over. */
  forecast?: { month: string; projected: string; budgetsAtRisk: { name: string; limit: string; status: string }[] };
  /** Each section of the analysis's report on one line, as the dashboard shows it. */
  sections?: SectionLine[];
}

const TOP = 5;

/** A snapshot of a report; findings keep their first-seen date from the previous snapshot. */
export function snapshotOf(report: AnalysisReport, date: string, previous?: ReviewSnapshot): ReviewSnapshot {
  const byService = Object.fromEntries(report.spend.byService.map((s) => [s.service, s.amount]));
  // The report has no per-account split; a single-account analysis puts its whole total on that account.
  const byAccount: Record<string, string> =
    report.accounts.length === 1 ? { [report.accounts[0]!]: report.spend.total } : {};
  const seen = new Map((previous?.findings ?? []).map((f) => [f.id, f.firstSeen]));
  const items = report.findings?.items;
  const snapshot: ReviewSnapshot = {
    date,
    analysisId: report.analysisId,
    period: report.period,
    unit: report.spend.unit,
    total: report.spend.total,
    byService,
    byAccount,
  };
  if (items) {
    snapshot.findings = items.map((f) => ({
      id: f.id,
      title: f.title,
      account: f.resource.account,
      action: f.action,
      monthlySavings: f.monthlySavings,
      firstSeen: seen.get(f.id) ?? date,
    }));
    snapshot.monthlySavings = report.findings?.monthlySavings ?? ZERO;
  }
  const states = report.findingStates;
  if (states) {
    snapshot.dismissed = states.dismissed.map((d) => ({
      id: d.finding.id,
      title: d.finding.title,
      monthlySavings: d.finding.monthlySavings,
      by: d.by,
      reason: d.reason,
      ...(d.snoozeUntil ? { snoozeUntil: d.snoozeUntil } : {}),
    }));
    snapshot.done = states.done.map((d) => ({
      id: d.findingId,
      title: d.title,
      monthlySavings: d.estimatedMonthlySavings,
      by: d.by,
      stillPresent: d.stillPresent,
      ...(d.realised ? { realisedMonthlySavings: d.realised.monthlySavings } : {}),
    }));
  }
  const forecast = forecastOf(report);
  if (forecast) snapshot.forecast = forecast;
  try {
    snapshot.sections = sectionLines(buildReportView(report)).filter((l) => l.id !== 'headline' && l.id !== 'notes');
  } catch {
    // The message goes out without the per-section lines rather than not at all.
  }
  return snapshot;
}

/**
 * The month's projection against budget, when the report carries the forecasting agent's summary
 * (`report.forecast`, read defensively: the report may not carry it yet).
 */
function forecastOf(report: AnalysisReport): ReviewSnapshot['forecast'] | undefined {
  const budget = (report as { forecast?: ForecastSummary }).forecast?.budget;
  if (!budget || typeof budget.projected !== 'string') return undefined;
  return {
    month: budget.month,
    projected: budget.projected,
    budgets: (budget.budgets ?? []).map((b) => ({
      name: b.name,
      limit: b.limit,
      status: b.status,
      ...(b.projected !== undefined ? { projected: b.projected } : {}),
    })),
  };
}

/** The snapshot with each finding's first-seen date taken from the previous review's. */
export function carryFirstSeen(snapshot: ReviewSnapshot, previous?: ReviewSnapshot): ReviewSnapshot {
  if (!snapshot.findings || !previous?.findings) return snapshot;
  const seen = new Map(previous.findings.map((f) => [f.id, f.firstSeen]));
  return { ...snapshot, findings: snapshot.findings.map((f) => ({ ...f, firstSeen: seen.get(f.id) ?? f.firstSeen })) };
}

/** The date (YYYY-MM-DD) of an instant in an IANA time zone. */
export function localDate(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

export function compareSnapshots(current: ReviewSnapshot, previous?: ReviewSnapshot): ReviewComparison {
  const comparison: ReviewComparison = {
    spend: {
      unit: current.unit,
      total: current.total,
      byService: changeLines(current.byService, previous?.byService ?? {}),
      byAccount: changeLines(current.byAccount, previous?.byAccount ?? {}),
    },
  };
  if (previous) {
    comparison.previousDate = previous.date;
    comparison.spend.previousTotal = previous.total;
    comparison.spend.change = subtractAmounts(current.total, previous.total);
    comparison.spend.changePct = percentChange(current.total, previous.total);
  }
  if (current.findings) {
    const before = new Map((previous?.findings ?? []).map((f) => [f.id, f]));
    const now = new Set(current.findings.map((f) => f.id));
    const fresh = current.findings.filter((f) => !before.has(f.id));
    const stillOpen = current.findings
      .filter((f) => before.has(f.id))
      .map((f) => ({ ...f, openDays: toEpochDay(current.date) - toEpochDay(f.firstSeen) }));
    // Findings the previous review had and this one does not: resolved (only meaningful when both have findings).
    // A finding people dismissed since is not resolved: it is listed as dismissed.
    const dismissedNow = new Set((current.dismissed ?? []).map((f) => f.id));
    const resolved = previous?.findings ? previous.findings.filter((f) => !now.has(f.id) && !dismissedNow.has(f.id)) : [];
    comparison.findings = {
      new: fresh,
      resolved,
      realisedMonthlySavings: addAmounts(ZERO, ...resolved.map((f) => f.monthlySavings)),
      stillOpen,
      openMonthlySavings: addAmounts(ZERO, ...current.findings.map((f) => f.monthlySavings)),
      ...(current.dismissed ? { dismissed: current.dismissed } : {}),
      ...(current.done ? { done: current.done } : {}),
    };
  }
  if (current.forecast) comparison.forecast = current.forecast;
  return comparison;
}

function changeLines(current: Record<string, string>, previous: Record<string, string>): SpendChangeLine[] {
  const keys = [...new Set([...Object.keys(current), ...Object.keys(previous)])];
  const lines = keys.map((key) => {
    const amount = current[key] ?? ZERO;
    const previousAmount = previous[key] ?? ZERO;
    return { key, amount, previousAmount, change: subtractAmounts(amount, previousAmount), changePct: percentChange(amount, previousAmount) };
  });
  return lines.sort((a, b) => {
    const byMagnitude = compareAmounts(abs(b.change), abs(a.change));
    return byMagnitude !== 0 ? byMagnitude : a.key.localeCompare(b.key);
  });
}

function abs(amount: string): string {
  return amount.startsWith('-') ? amount.slice(1) : amount;
}

export function headlineOf(doc: ReviewDocument, reviewKey: string): ReviewHeadline {
  const c = doc.comparison;
  const open = [...(c.findings?.stillOpen ?? []), ...(c.findings?.new ?? []).map((f) => ({ ...f, openDays: 0 }))];
  open.sort((a, b) => compareAmounts(b.monthlySavings, a.monthlySavings) || a.id.localeCompare(b.id));
  return {
    tenant: doc.tenant,
    scope: doc.scope,
    date: doc.date,
    analysisId: doc.analysisId,
    reviewKey,
    period: doc.snapshot.period,
    unit: c.spend.unit,
    total: c.spend.total,
    ...(c.spend.previousTotal !== undefined ? { previousTotal: c.spend.previousTotal } : {}),
    ...(c.spend.change !== undefined ? { change: c.spend.change, changePct: c.spend.changePct ?? null } : {}),
    newFindings: c.findings?.new.length ?? 0,
    resolvedFindings: c.findings?.resolved.length ?? 0,
    stillOpenFindings: c.findings?.stillOpen.length ?? 0,
    openMonthlySavings: c.findings?.openMonthlySavings ?? ZERO,
    realisedMonthlySavings: c.findings?.realisedMonthlySavings ?? ZERO,
    ...(c.findings?.dismissed ? { dismissedFindings: c.findings.dismissed.length } : {}),
    ...(c.findings?.done ? { doneFindings: c.findings.done.length } : {}),
    ...(c.findings?.dismissed?.length
      ? {
          dismissed: topBySavings(c.findings.dismissed).map((f) => ({
            title: f.title,
            monthlySavings: f.monthlySavings,
            reason: f.reason ?? '',
            ...(f.snoozeUntil ? { snoozeUntil: f.snoozeUntil } : {}),
            by: f.by,
          })),
        }
      : {}),
    ...(c.findings?.done?.length
      ? {
          done: topBySavings(c.findings.done).map((f) => ({
            title: f.title,
            monthlySavings: f.monthlySavings,
            stillPresent: f.stillPresent ?? false,
            ...(f.realisedMonthlySavings !== undefined ? { realisedMonthlySavings: f.realisedMonthlySavings } : {}),
            by: f.by,
          })),
        }
      : {}),
    topActions: open.slice(0, TOP).map((f) => ({ title: f.title, monthlySavings: f.monthlySavings, openDays: f.openDays })),
    topMovers: c.spend.byService.slice(0, TOP),
    ...(doc.snapshot.sections ? { sections: doc.snapshot.sections } : {}),
    ...(c.forecast
      ? {
          forecast: {
            month: c.forecast.month,
            projected: c.forecast.projected,
            budgetsAtRisk: c.forecast.budgets
              .filter((b) => b.status === 'at-risk' || b.status === 'over')
              .map((b) => ({ name: b.name, limit: b.limit, status: b.status })),
          },
        }
      : {}),
  };
}

function topBySavings(list: readonly ReviewStateFinding[]): ReviewStateFinding[] {
  return [...list].sort((a, b) => compareAmounts(b.monthlySavings, a.monthlySavings) || a.id.localeCompare(b.id)).slice(0, TOP);
}

/** Store keys: reports are kept by tenant, scope and date. */
export function reviewKey(tenant: string, scope: string, date: string): string {
  return `reviews/${tenant}/${scope}/${date}.json`;
}
export function reviewIndexKey(tenant: string, scope: string): string {
  return `reviews/${tenant}/${scope}/index.json`;
}
export function deliveryKey(tenant: string, scope: string, date: string, destination: string): string {
  return `reviews/${tenant}/${scope}/deliveries/${date}/${destination}.json`;
}

export const SCOPE_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
