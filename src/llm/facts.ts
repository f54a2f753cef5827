/**
 * The bounded view of a report that the summary writers (deterministic and Bedrock) work from: totals,
 * the top services, the top findings, the forecast and what is missing. Its size does not grow with the
 * account: lists are capped and untrusted text (resource names, tag values, titles) is cut short.
 *
 * Fields that other agents add to the report (forecast, tagging) are read defensively: a report without
 * them still yields facts.
 */
import Big from 'big.js';
import type { AnalysisReport } from '../domain/report';

export const TOP_SERVICES = 8;
export const TOP_FINDINGS = 8;
export const MAX_TAGS_PER_FINDING = 3;
export const MAX_UNTRUSTED_CHARS = 80;

export interface ServiceFact {
  service: string;
  amount: string;
  previousAmount: string;
  change: string;
  changePct: number | null;
  /** Share of the period's total, percent rounded to 0.1. */
  sharePct: number | null;
}

export interface FindingFact {
  title: string;
  check: string;
  action: string;
  monthlySavings: string;
  confidence: string;
  resource: { account: string; region: string; id: string; name?: string; tags: Record<string, string> };
}

export interface ReportFacts {
  analysisId: string;
  accounts: string[];
  regions: string[];
  period: { start: string; end: string };
  previousPeriod: { start: string; end: string };
  status: string;
  unit: string;
  total: string;
  previousTotal: string;
  change: string;
  changePct: number | null;
  coverage: string;
  servicesCount: number;
  topServices: ServiceFact[];
  findings?: { count: number; monthlySavings: string; top: FindingFact[] };
  forecast?: { horizonDays: number; total: string; lower?: string; upper?: string };
  tagging?: { compliantPct?: number; nonCompliantResources?: number };
  missing: string[];
}

/** Untrusted text: control characters removed, whitespace folded, cut to a fixed length. */
export function cleanUntrusted(text: unknown, max = MAX_UNTRUSTED_CHARS): string {
  const raw = typeof text === 'string' ? text : typeof text === 'number' || typeof text === 'boolean' ? String(text) : '';
  const flat = raw
    // eslint-disable-next-line no-control-regex -- removing control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function sharePct(amount: string, total: string): number | null {
  try {
    const t = new Big(total);
    if (t.eq(0)) return null;
    return Number(new Big(amount).div(t).times(100).round(1).toString());
  } catch {
    return null;
  }
}

export function reportFacts(report: AnalysisReport): ReportFacts {
  const spend = report.spend;
  const facts: ReportFacts = {
    analysisId: report.analysisId,
    accounts: report.accounts.slice(0, 10),
    regions: report.regions.slice(0, 10),
    period: report.period,
    previousPeriod: report.previousPeriod,
    status: report.status,
    unit: spend.unit,
    total: spend.total,
    previousTotal: spend.previousTotal,
    change: spend.change,
    changePct: spend.changePct,
    coverage: spend.coverage,
    servicesCount: spend.byService.length,
    topServices: spend.byService.slice(0, TOP_SERVICES).map((s) => ({
      service: cleanUntrusted(s.service),
      amount: s.amount,
      previousAmount: s.previousAmount,
      change: s.change,
      changePct: s.changePct,
      sharePct: sharePct(s.amount, spend.total),
    })),
    missing: [
      ...report.failures.map((f) => `${f.agent}: failed (${cleanUntrusted(f.reason, 120)})`),
      ...report.skipped.map((s) => `${s.agent}: skipped, needs ${cleanUntrusted(s.needs, 120)}`),
    ].slice(0, 10),
  };
  const findings = record(report.findings);
  if (findings) {
    const items = Array.isArray(findings.items) ? findings.items : [];
    facts.findings = {
      count: Number(findings.count ?? items.length) || 0,
      monthlySavings: str(findings.monthlySavings) ?? '0',
      top: items.slice(0, TOP_FINDINGS).flatMap((raw): FindingFact[] => {
        const f = record(raw);
        const r = record(f?.resource);
        if (!f || !r) return [];
        const tags = Object.entries(record(r.tags) ?? {})
          .slice(0, MAX_TAGS_PER_FINDING)
          .map(([k, v]) => [cleanUntrusted(k, 40), cleanUntrusted(v)] as const);
        const name = str(r.name);
        return [
          {
            title: cleanUntrusted(f.title, 120),
            check: cleanUntrusted(f.check, 40),
            action: cleanUntrusted(f.action, 40),
            monthlySavings: str(f.monthlySavings) ?? '0',
            confidence: cleanUntrusted(f.confidence, 10),
            resource: {
              account: cleanUntrusted(r.account, 20),
              region: cleanUntrusted(r.region, 30),
              id: cleanUntrusted(r.id),
              ...(name ? { name: cleanUntrusted(name) } : {}),
              tags: Object.fromEntries(tags),
            },
          },
        ];
      }),
    };
  }
  const extra = report as unknown as Record<string, unknown>;
  const forecast = record(extra.forecast);
  const fTotal = record(forecast?.total);
  if (forecast && fTotal && str(fTotal.mean)) {
    facts.forecast = {
      horizonDays: Number(forecast.horizonDays) || 0,
      total: str(fTotal.mean)!,
      ...(str(fTotal.lower) ? { lower: str(fTotal.lower)! } : {}),
      ...(str(fTotal.upper) ? { upper: str(fTotal.upper)! } : {}),
    };
  }
  const tagging = record(extra.tagging);
  if (tagging) {
    const byCount = record(tagging.byCount);
    const pct = byCount && typeof byCount.compliantPct === 'number' ? byCount.compliantPct : undefined;
    const nonCompliant = typeof tagging.nonCompliantResources === 'number' ? tagging.nonCompliantResources : undefined;
    facts.tagging = {
      ...(pct !== undefined ? { compliantPct: pct } : {}),
      ...(nonCompliant !== undefined ? { nonCompliantResources: nonCompliant } : {}),
    };
  }
  return facts;
}
