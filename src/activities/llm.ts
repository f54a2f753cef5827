/**
 * The LLM activities: the executive summary of a finished report (Bedrock when configured, else the
 * deterministic writer). Never fails the analysis for Bedrock's sake: an outage yields the deterministic
 * summary and the result says so. The SDK retries throttling and model-not-ready within the call; the
 * activity's own retry is for the worker dying mid-call.
 */
import type { AnalysisReport } from '../domain/report';
import { converserFactory, type LlmActivityOptions } from '../llm/bedrock';
import { answerQuestion, type QuestionAnswer } from '../llm/questions';
import { writeExecutiveSummary, type SummaryResult } from '../llm/summary';

export type { LlmActivityOptions } from '../llm/bedrock';

export function createLlmActivities(options: LlmActivityOptions = {}) {
  const converser = converserFactory(options);
  return {
    /** The executive summary of an assembled report, with the tokens it used and their cost. */
    async summariseReport(report: AnalysisReport): Promise<SummaryResult> {
      return writeExecutiveSummary(report, converser());
    },
    /** A follow-up question about a finished report (the gateway calls this in-process, not as an activity). */
    async answerReportQuestion(report: AnalysisReport, question: string): Promise<QuestionAnswer> {
      return answerQuestion(report, question, converser());
    },
  };
}
