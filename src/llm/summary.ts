/**
 * The executive summary: Bedrock when a model is configured, checked for grounding; a summary stating a
 * figure the report lacks is retried once with the problem pointed out, then replaced by the
 * deterministic writer. A Bedrock failure (outage, throttling past the retries, timeout) also yields the
 * deterministic summary. The result says which happened, and what the model calls cost.
 */
import type { ExecutiveSummary, SummarySource } from '../domain/summary';

export type { ExecutiveSummary, SummarySource };
import type { AnalysisReport } from '../domain/report';
import { emptyLlmUsage, type Converser, type LlmUsage } from './bedrock';
import { deterministicSummaryFromFacts } from './deterministic-summary';
import { reportFacts } from './facts';
import { groundedReply } from './grounded-reply';
import { SUMMARY_SYSTEM, summaryPrompt } from './prompts';

export interface SummaryResult {
  summary: ExecutiveSummary;
  usage: LlmUsage;
}

export async function writeExecutiveSummary(report: AnalysisReport, converser?: Converser): Promise<SummaryResult> {
  const facts = reportFacts(report);
  const fallback = deterministicSummaryFromFacts(facts);
  if (!converser) return { summary: { text: fallback, source: 'deterministic' }, usage: emptyLlmUsage() };

  const summary = await groundedReply(report, converser, { system: SUMMARY_SYSTEM, prompt: summaryPrompt(facts), fallback });
  return { summary, usage: converser.usage };
}
