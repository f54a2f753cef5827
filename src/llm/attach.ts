/**
 * Puts the summariser's result into the report: `summary` (text, which writer, rejected figures) and
 * `usage.llm` (tokens and their cost), the fields the exports already read. Pure and free of runtime
 * imports, so the workflow can call it:
 *
 *   report = attachSummary(report, await summariseReport(report));
 */
import type { AnalysisReport } from '../domain/report';
import type { LlmUsage } from './bedrock';
import type { ExecutiveSummary, SummaryResult } from './summary';

export type SummarisedReport = AnalysisReport & {
  summary: ExecutiveSummary;
  usage: AnalysisReport['usage'] & { llm: LlmUsage };
};

export function attachSummary(report: AnalysisReport, result: SummaryResult): SummarisedReport {
  return { ...report, summary: result.summary, usage: { ...report.usage, llm: result.usage } };
}
