/**
 * A tolerant reading of the report's findings, summary, usage and missing agents, for the view model
 * (build.ts). Pure functions.
 *
 * The report grows as the agents land: `findings`, `forecast`, `tagging`, `summary` and LLM `usage` are
 * read here defensively (any of them may be missing, and field names are matched by the shapes the issues
 * describe), so exports and the dashboard render what exists and gain sections as they appear.
 *
 * Account data (resource names, tag keys and values, service names) is untrusted text: Markdown escapes
 * it, CSV quotes it and defuses spreadsheet formulas, and the dashboard renders it as text nodes.
 */
import { evidenceFields, evidenceLine, type EvidenceField } from '../domain/evidence';
import { addAmounts, compareAmounts, ZERO } from '../domain/money';
import type { AnalysisReport } from '../domain/report';
import { date as formatDate, money as formatUsd } from './format';

/** One finding, normalised for display and export. Amounts stay exact decimal strings. */
export interface ExportFinding {
  id: string;
  rank: number;
  agent: string;
  check: string;
  title: string;
  action: string;
  /** Monthly savings, decimal string. */
  monthlySavings: string;
  unit: string;
  confidence: string;
  account: string;
  region: string;
  resourceType: string;
  resourceId: string;
  resourceName: string;
  tags: [string, string][];
  /** The evidence as labelled fields with units, and on one line. */
  evidenceFields: EvidenceField[];
  evidence: string;
  recommendation: string;
  command: string;
  sources: string[];
  /** What a person decided, when the analysis applied finding states: accepted (highlighted) or done (still present). */
  state?: 'accepted' | 'done';
  /** "Accepted by key:alice on 6 Dec 2026", "Marked done, still present (by key:alice on 6 Dec 2026)". */
  stateText?: string;
}

type Loose = Record<string, unknown>;

function isObject(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(...candidates: unknown[]): string {
  for (const c of candidates) {
    if (typeof c === 'string' && c !== '') return c;
    if (typeof c === 'number' && Number.isFinite(c)) return String(c);
  }
  return '';
}

const DECIMAL = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/** A decimal string from "12.5", 12.5, { amount: "12.5", unit } or { monthly: ... }. */
function amountOf(value: unknown): { amount: string; unit?: string } | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return { amount: String(value) };
  if (typeof value === 'string' && DECIMAL.test(value.trim())) return { amount: value.trim() };
  if (isObject(value)) {
    const inner = amountOf(value.amount ?? value.monthly ?? value.value);
    if (inner)
      return {
        amount: inner.amount,
        ...(typeof value.unit === 'string'
          ? { unit: value.unit }
          : typeof value.currency === 'string'
            ? { unit: value.currency }
            : {}),
      };
  }
  return undefined;
}

function tagsOf(value: unknown): [string, string][] {
  if (Array.isArray(value)) {
    return value.flatMap((t) => {
      if (!isObject(t)) return [];
      const key = text(t.key, t.Key);
      return key ? [[key, text(t.value, t.Value)] as [string, string]] : [];
    });
  }
  if (isObject(value)) return Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : (JSON.stringify(v) ?? '')]);
  return [];
}

/** Evidence as labelled fields: a record through the catalogue (src/domain/evidence.ts), a plain summary as one field. */
function evidenceOf(value: unknown, check: string): EvidenceField[] {
  if (typeof value === 'string') return value ? [{ key: 'summary', label: 'Evidence', unit: 'text', value, text: value, known: true }] : [];
  if (Array.isArray(value)) return value.flatMap((v) => evidenceOf(v, check));
  if (isObject(value)) {
    const { summary, ...rest } = value;
    return [...(typeof summary === 'string' ? evidenceOf(summary, check) : []), ...evidenceFields(rest, check)];
  }
  return [];
}

/**
 * The report's finding list: `findings.items` (a FindingsSummary, src/domain/findings.ts: the ranked top of
 * the list, the rest in the store) or, from older reports, a plain array.
 */
function findingList(report: AnalysisReport): unknown[] | undefined {
  const findings = (report as unknown as Loose).findings;
  if (Array.isArray(findings)) return findings as unknown[];
  if (isObject(findings) && Array.isArray(findings.items)) return findings.items as unknown[];
  return undefined;
}

/** True when the report has a findings list (possibly empty): the agents that produce findings have landed. */
export function hasFindings(report: AnalysisReport): boolean {
  return findingList(report) !== undefined;
}

/** The report's findings, normalised and ranked by monthly savings (highest first). */
export function readFindings(report: AnalysisReport): ExportFinding[] {
  const raw = findingList(report);
  if (!raw) return [];
  const currency = report.spend?.unit ?? 'USD';
  const findings = raw.filter(isObject).map((f, index): ExportFinding => {
    const resource = isObject(f.resource) ? f.resource : {};
    const action = f.action;
    const actionObject = isObject(action) ? action : {};
    const savings = amountOf(f.monthlySavings) ?? amountOf(f.savings) ?? amountOf(f.estimatedMonthlySavings) ?? { amount: ZERO };
    const sources = Array.isArray(f.sources) ? f.sources.filter((s): s is string => typeof s === 'string') : [];
    const agent = text(f.agent, sources[0]);
    const check = text(f.check, f.checkId, f.type, f.kind);
    const fields = evidenceOf(f.evidence, check);
    return {
      id: text(f.id, f.findingId, `${index + 1}`),
      rank: 0,
      agent,
      check,
      title: text(f.title, f.summary, f.description, f.check),
      action: text(
        typeof action === 'string' ? action : undefined,
        actionObject.type,
        actionObject.kind,
        f.actionType,
        actionObject.description,
      ),
      monthlySavings: savings.amount,
      unit: savings.unit ?? currency,
      confidence: text(f.confidence),
      account: text(resource.account, resource.accountId, f.account, f.accountId),
      region: text(resource.region, f.region),
      resourceType: text(resource.type, resource.resourceType, f.resourceType),
      resourceId: text(resource.id, resource.arn, resource.resourceId, f.resourceId, f.resourceArn),
      resourceName: text(resource.name, f.resourceName),
      tags: tagsOf(resource.tags ?? f.tags),
      evidenceFields: fields,
      evidence: evidenceLine(fields),
      recommendation: text(f.recommendation, actionObject.description),
      command: text(f.command, f.cliCommand, actionObject.command, actionObject.cli, f.consoleUrl, actionObject.consoleUrl),
      sources: sources.length ? sources : agent ? [agent] : [],
      ...stateOf(f.state),
    };
  });
  findings.sort((a, b) => compareAmounts(b.monthlySavings, a.monthlySavings) || a.id.localeCompare(b.id));
  findings.forEach((f, i) => (f.rank = i + 1));
  return findings;
}

/** A finding's state mark (src/domain/finding-states.ts), read tolerantly, as the surfaces show it. */
function stateOf(value: unknown): Pick<ExportFinding, 'state' | 'stateText'> {
  if (!isObject(value) || (value.state !== 'accepted' && value.state !== 'done')) return {};
  const who = `by ${text(value.by) || 'someone'}${typeof value.at === 'string' ? ` on ${formatDate(value.at.slice(0, 10))}` : ''}`;
  return {
    state: value.state,
    stateText: value.state === 'accepted' ? `Accepted ${who}` : `${capitalise(text(value.flag) || 'marked done')} (${who})`,
  };
}

function capitalise(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

export function totalSavings(findings: readonly ExportFinding[]): string {
  return addAmounts(ZERO, ...findings.map((f) => f.monthlySavings));
}

/** The executive summary's text, whether the report holds a string or { text | markdown, ... }. */
export function summaryText(report: AnalysisReport): string | undefined {
  const summary = (report as unknown as Loose).summary;
  if (typeof summary === 'string') return summary;
  if (isObject(summary)) {
    const value = text(summary.text, summary.markdown, summary.body);
    return value || undefined;
  }
  return undefined;
}

export interface UsageLine {
  label: string;
  value: string;
}

/** What the analysis itself cost: Cost Explorer requests, and LLM tokens when the report has them. */
export function usageLines(report: AnalysisReport): UsageLine[] {
  const usage = report.usage as unknown as Loose | undefined;
  if (!isObject(usage)) return [];
  const lines: UsageLine[] = [];
  if (typeof usage.costExplorerRequests === 'number') {
    const cost = amountOf(usage.costExplorerCost);
    lines.push({
      label: 'Cost Explorer requests',
      value: `${usage.costExplorerRequests}${cost ? ` (${formatUsd(cost.amount)})` : ''}`,
    });
  }
  const llm = isObject(usage.llm) ? usage.llm : usage;
  const input = llm.inputTokens ?? llm.promptTokens;
  const output = llm.outputTokens ?? llm.completionTokens;
  if (typeof input === 'number' || typeof output === 'number') {
    const cost = amountOf(llm.cost ?? llm.llmCost);
    lines.push({
      label: 'LLM tokens',
      value: `${typeof input === 'number' ? input : 0} in, ${typeof output === 'number' ? output : 0} out${cost ? ` (${formatUsd(cost.amount)})` : ''}`,
    });
  }
  // AWS usage by operation (src/domain/usage.ts), once the report carries it.
  if (isObject(usage.requests)) {
    const counts = Object.values(usage.requests).filter((n): n is number => typeof n === 'number');
    lines.push({ label: 'AWS requests', value: `${counts.reduce((a, b) => a + b, 0)} across ${counts.length} operations` });
  }
  if (typeof usage.metricsRequested === 'number' && usage.metricsRequested > 0) {
    lines.push({ label: 'CloudWatch metrics requested', value: String(usage.metricsRequested) });
  }
  const total = amountOf(usage.totalCost ?? usage.cost);
  if (total) lines.push({ label: 'Total cost of this analysis', value: formatUsd(total.amount) });
  return lines;
}

export interface MissingAgent {
  agent: string;
  title: string;
  /** 'failed' (or cancelled): an error; 'skipped': it could not run for want of a permission or plan. */
  kind: 'failed' | 'skipped';
  reason: string;
}

/** The agents that did not deliver, and why: failures first, then those skipped for a missing permission. */
export function missingAgents(report: AnalysisReport): MissingAgent[] {
  const titles = new Map<string, string>(report.agents.map((a) => [a.agent, a.title]));
  const failures = (report.failures ?? []).map((f) => ({
    agent: f.agent,
    title: titles.get(f.agent) ?? f.agent,
    kind: 'failed' as const,
    reason: f.reason,
  }));
  // Reports from before agents could be skipped have no `skipped` list.
  const skipped = (Array.isArray(report.skipped) ? report.skipped : []).map((s) => ({
    agent: s.agent,
    title: titles.get(s.agent) ?? s.agent,
    kind: 'skipped' as const,
    reason: `needs ${s.needs}`,
  }));
  return [...failures, ...skipped];
}

/** What the analysis itself cost in dollars: Cost Explorer requests plus LLM use when reported. */
export function analysisCost(report: AnalysisReport): string {
  const usage = report.usage as unknown as Loose | undefined;
  if (!isObject(usage)) return ZERO;
  const total = amountOf(usage.totalCost ?? usage.cost);
  if (total) return total.amount;
  const llm = isObject(usage.llm) ? usage.llm : {};
  const parts = [amountOf(usage.costExplorerCost), amountOf(llm.cost ?? usage.llmCost)].flatMap((a) => (a ? [a.amount] : []));
  return addAmounts(ZERO, ...parts);
}
