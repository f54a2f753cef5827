/**
 * Report exports: Markdown, CSV, JSON (the report view model) and self-contained HTML, each rendered from
 * the report view model (src/presentation), so every export shows the same figures as the dashboard and
 * the command line. The gateway serves the Markdown and CSV; the CLI and the dashboard build the HTML.
 *
 * Account data (resource names, tag keys and values, service names) is untrusted text: Markdown escapes
 * it, CSV quotes it and defuses spreadsheet formulas, HTML escapes it.
 */
import { buildReportView } from '../presentation/build';
import { allTablesCsv, findingsCsv, spendCsv, type CsvTable } from '../presentation/csv';
import { viewToMarkdown } from '../presentation/markdown';
import type { ReportView } from '../presentation/model';
import { hasFindings } from '../presentation/read';
import type { AnalysisReport } from './report';

export { ALL_CSV_COLUMNS, CSV_TABLES, csvField, FINDINGS_CSV_COLUMNS, SPEND_CSV_COLUMNS, type CsvTable } from '../presentation/csv';
export { escapeMarkdown } from '../presentation/markdown';
export {
  analysisCost,
  hasFindings,
  missingAgents,
  readFindings,
  summaryText,
  totalSavings,
  usageLines,
  type ExportFinding,
  type MissingAgent,
  type UsageLine,
} from '../presentation/read';

export interface MarkdownOptions {
  /** A view already built from the report (saves building it twice). */
  view?: ReportView;
  /** Most findings listed (the CSV has them all). */
  maxFindings?: number;
}

export function reportToMarkdown(report: AnalysisReport, options: MarkdownOptions = {}): string {
  return viewToMarkdown(options.view ?? buildReportView(report, options.maxFindings !== undefined ? { maxFindings: options.maxFindings } : {}));
}

/** The table a CSV export holds by default: findings once the report has them, spend by service before. */
export function defaultCsvTable(report: AnalysisReport): CsvTable {
  return hasFindings(report) ? 'findings' : 'spend';
}

export function reportToCsv(report: AnalysisReport, table: CsvTable = defaultCsvTable(report)): string {
  const view = buildReportView(report);
  return table === 'findings' ? findingsCsv(view) : table === 'all' ? allTablesCsv(view) : spendCsv(view, report.period);
}

/** The JSON export of the view model: every section with its figures as exact values and as shown. */
export function reportToViewJson(report: AnalysisReport): string {
  return `${JSON.stringify(buildReportView(report), null, 2)}\n`;
}
