/**
 * Report exports (Markdown, CSV) and a tolerant reading of the report's optional sections, shared by the
 * gateway, the dashboard (bundled for the browser) and the command line. Pure functions.
 *
 * The report grows as the agents land: `findings`, `forecast`, `tagging`, `summary` and LLM `usage` are
 * read here defensively (any of them may be missing, and field names are matched by the shapes the issues
 * describe), so exports and the dashboard render what exists and gain sections as they appear.
 *
 * Account data (resource names, tag keys and values, service names) is untrusted text: Markdown escapes
 * it, CSV quotes it and defuses spreadsheet formulas, and the dashboard renders it as text nodes.
 */
import { addAmounts, compareAmounts, formatUsd, ZERO } from './money';
import type { AnalysisReport } from './report';

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
  evidence: string;
  command: string;
  sources: string[];
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

function evidenceOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(evidenceOf).filter(Boolean).join('; ');
  if (isObject(value)) {
    if (typeof value.summary === 'string') return value.summary;
    return Object.entries(value)
      .filter(([, v]) => v !== undefined && v !== null && typeof v !== 'object')
      .map(([k, v]) => `${k}=${String(v)}`)
      .join('; ');
  }
  return '';
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
    return {
      id: text(f.id, f.findingId, `${index + 1}`),
      rank: 0,
      agent,
      check: text(f.check, f.checkId, f.type, f.kind),
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
      evidence: evidenceOf(f.evidence),
      command: text(f.command, f.cliCommand, actionObject.command, actionObject.cli, f.consoleUrl, actionObject.consoleUrl),
      sources: sources.length ? sources : agent ? [agent] : [],
    };
  });
  findings.sort((a, b) => compareAmounts(b.monthlySavings, a.monthlySavings) || a.id.localeCompare(b.id));
  findings.forEach((f, i) => (f.rank = i + 1));
  return findings;
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

// --- Markdown ---------------------------------------------------------------------------------------

/** Escape untrusted text for Markdown (inline and table cells): no HTML, links, emphasis or table breaks. */
export function escapeMarkdown(value: string): string {
  return value
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_{}[\]()#+!|<>~&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : `\\${c}`));
}

function pct(value: number | null): string {
  return value === null ? 'new' : `${value >= 0 ? '+' : ''}${value.toFixed(1)}%`;
}

export interface MarkdownOptions {
  /** Most findings listed (the CSV has them all). */
  maxFindings?: number;
}

export function reportToMarkdown(report: AnalysisReport, options: MarkdownOptions = {}): string {
  const maxFindings = options.maxFindings ?? 50;
  const unit = report.spend.unit;
  const money = (amount: string) => formatUsd(amount, unit);
  const out: string[] = [];
  out.push(`# Cost analysis ${escapeMarkdown(report.analysisId)}`);
  out.push('');
  out.push(`- **Tenant:** ${escapeMarkdown(report.tenant)}`);
  out.push(`- **Accounts:** ${report.accounts.map(escapeMarkdown).join(', ')}`);
  out.push(`- **Regions:** ${report.regions.map(escapeMarkdown).join(', ')}`);
  out.push(
    `- **Period:** ${report.period.start} to ${report.period.end} (end exclusive), compared with ${report.previousPeriod.start} to ${report.previousPeriod.end}`,
  );
  out.push(`- **Generated:** ${report.generatedAt}`);
  out.push(`- **Status:** ${report.status === 'complete' ? 'complete' : 'PARTIAL: some agents did not deliver (see below)'}`);
  out.push('');

  const missing = missingAgents(report);
  if (missing.length) {
    out.push('## What is missing');
    out.push('');
    for (const m of missing) out.push(`- **${escapeMarkdown(m.agent)}** (${m.kind}): ${escapeMarkdown(m.reason)}`);
    out.push('');
  }

  const summary = summaryText(report);
  if (summary) {
    out.push('## Executive summary');
    out.push('');
    // Paragraphs survive; everything inside them is escaped (the summary may quote account data).
    out.push(
      summary
        .split(/\n\s*\n/)
        .map(escapeMarkdown)
        .join('\n\n'),
    );
    out.push('');
  }

  const findings = readFindings(report);
  out.push('## Spend');
  out.push('');
  out.push(
    `Total **${money(report.spend.total)}** (previous period ${money(report.spend.previousTotal)}, ${pct(report.spend.changePct)}).`,
  );
  if (report.spend.coverage === 'agent-services') out.push('Only the services of the agents that ran are counted.');
  if (report.spend.estimated) out.push('Some days are still estimated by AWS.');
  out.push('');
  out.push('| Service | Spend | Previous | Change |');
  out.push('|---|---:|---:|---:|');
  for (const line of report.spend.byService) {
    out.push(
      `| ${escapeMarkdown(line.service)} | ${money(line.amount)} | ${money(line.previousAmount)} | ${pct(line.changePct)} |`,
    );
  }
  out.push('');

  if (hasFindings(report)) {
    out.push('## Findings');
    out.push('');
    if (findings.length === 0) {
      out.push('No savings opportunities were found.');
    } else {
      out.push(`${findings.length} findings, **${money(totalSavings(findings))} per month** in total, highest savings first.`);
      out.push('');
      out.push('| # | Savings / month | Action | Resource | Account | Region | Confidence | Finding |');
      out.push('|---:|---:|---|---|---|---|---|---|');
      for (const f of findings.slice(0, maxFindings)) {
        const resource = f.resourceName ? `${f.resourceName} (${f.resourceId})` : f.resourceId;
        out.push(
          `| ${f.rank} | ${formatUsd(f.monthlySavings, f.unit)} | ${escapeMarkdown(f.action)} | ${escapeMarkdown(resource)} | ${escapeMarkdown(f.account)} | ${escapeMarkdown(f.region)} | ${escapeMarkdown(f.confidence)} | ${escapeMarkdown(f.title)} |`,
        );
      }
      if (findings.length > maxFindings) out.push('', `…and ${findings.length - maxFindings} more in the CSV export.`);
    }
    out.push('');
  }

  out.push('## Agents');
  out.push('');
  out.push('| Agent | Status | Spend | Note |');
  out.push('|---|---|---:|---|');
  for (const agent of report.agents) {
    out.push(
      `| ${escapeMarkdown(agent.title)} | ${agent.status} | ${agent.spend !== undefined ? money(agent.spend) : ''} | ${escapeMarkdown(agent.reason ?? '')} |`,
    );
  }
  out.push('');

  const usage = usageLines(report);
  if (usage.length) {
    out.push('## Cost of this analysis');
    out.push('');
    for (const line of usage) out.push(`- ${line.label}: ${line.value}`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

// --- CSV --------------------------------------------------------------------------------------------

export type CsvTable = 'findings' | 'spend';

/** The table a CSV export holds by default: findings once the report has them, spend by service before. */
export function defaultCsvTable(report: AnalysisReport): CsvTable {
  return hasFindings(report) ? 'findings' : 'spend';
}

export const FINDINGS_CSV_COLUMNS = [
  'rank',
  'monthly_savings',
  'currency',
  'agent',
  'check',
  'action',
  'confidence',
  'account',
  'region',
  'resource_type',
  'resource_id',
  'resource_name',
  'title',
  'evidence',
  'command',
  'sources',
  'tags',
  'finding_id',
] as const;

export const SPEND_CSV_COLUMNS = [
  'service',
  'amount',
  'previous_amount',
  'change',
  'change_pct',
  'currency',
  'period_start',
  'period_end',
] as const;

/**
 * One CSV field (RFC 4180). Text cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR)
 * get a leading apostrophe; numeric columns are written as plain decimals.
 */
export function csvField(value: string, kind: 'text' | 'number' = 'text'): string {
  let v = value;
  if (kind === 'text' && /^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

export function reportToCsv(report: AnalysisReport, table: CsvTable = defaultCsvTable(report)): string {
  const rows: string[] = [];
  if (table === 'findings') {
    rows.push(FINDINGS_CSV_COLUMNS.join(','));
    for (const f of readFindings(report)) {
      rows.push(
        [
          csvField(String(f.rank), 'number'),
          csvField(f.monthlySavings, 'number'),
          csvField(f.unit),
          csvField(f.agent),
          csvField(f.check),
          csvField(f.action),
          csvField(f.confidence),
          csvField(f.account),
          csvField(f.region),
          csvField(f.resourceType),
          csvField(f.resourceId),
          csvField(f.resourceName),
          csvField(f.title),
          csvField(f.evidence),
          csvField(f.command),
          csvField(f.sources.join(';')),
          csvField(f.tags.map(([k, v]) => `${k}=${v}`).join(';')),
          csvField(f.id),
        ].join(','),
      );
    }
  } else {
    rows.push(SPEND_CSV_COLUMNS.join(','));
    for (const line of report.spend.byService) {
      rows.push(
        [
          csvField(line.service),
          csvField(line.amount, 'number'),
          csvField(line.previousAmount, 'number'),
          csvField(line.change, 'number'),
          csvField(line.changePct === null ? '' : String(line.changePct), 'number'),
          csvField(report.spend.unit),
          csvField(report.period.start),
          csvField(report.period.end),
        ].join(','),
      );
    }
  }
  return `${rows.join('\r\n')}\r\n`;
}
