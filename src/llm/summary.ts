/**
 * The executive summary: Bedrock when a model is configured, checked for grounding; a summary stating a
 * figure the report lacks is retried once with the problem pointed out, then replaced by the
 * deterministic writer. A Bedrock failure (outage, throttling past the retries, timeout) also yields the
 * deterministic summary. The result says which happened, and what the model calls cost.
 */
import type { ExecutiveSummary, SummarySource } from '../domain/summary';

export type { ExecutiveSummary, SummarySource };
import type { Message } from '@aws-sdk/client-bedrock-runtime';
import type { AnalysisReport } from '../domain/report';
import { describeBedrockError, emptyLlmUsage, type Converser, type LlmUsage } from './bedrock';
import { deterministicSummaryFromFacts } from './deterministic-summary';
import { reportFacts } from './facts';
import { checkGrounding, reportNumbers } from './grounding';
import { groundingRetryPrompt, SUMMARY_SYSTEM, summaryPrompt } from './prompts';

export interface SummaryResult {
  summary: ExecutiveSummary;
  usage: LlmUsage;
}

export async function writeExecutiveSummary(report: AnalysisReport, converser?: Converser): Promise<SummaryResult> {
  const facts = reportFacts(report);
  const fallback = deterministicSummaryFromFacts(facts);
  if (!converser) return { summary: { text: fallback, source: 'deterministic' }, usage: emptyLlmUsage() };

  const numbers = reportNumbers(report);
  const messages: Message[] = [{ role: 'user', content: [{ text: summaryPrompt(facts) }] }];
  const rejected: string[] = [];
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      const reply = await converser.converse({ system: SUMMARY_SYSTEM, messages });
      const grounding = checkGrounding(reply.text, report, numbers);
      if (reply.text && grounding.ok) {
        return {
          summary: {
            text: reply.text,
            source: attempt === 0 ? 'bedrock' : 'bedrock-after-retry',
            model: converser.modelId,
            ...(rejected.length ? { rejectedFigures: rejected } : {}),
          },
          usage: converser.usage,
        };
      }
      const problems = reply.text ? grounding.unsupported.map((f) => f.text) : ['(empty answer)'];
      rejected.push(...problems);
      messages.push(reply.message.content?.length ? reply.message : { role: 'assistant', content: [{ text: '(empty)' }] });
      messages.push({ role: 'user', content: [{ text: groundingRetryPrompt(problems) }] });
    }
    return {
      summary: {
        text: fallback,
        source: 'deterministic-after-grounding-failure',
        model: converser.modelId,
        rejectedFigures: rejected,
      },
      usage: converser.usage,
    };
  } catch (err) {
    return {
      summary: {
        text: fallback,
        source: 'deterministic-after-error',
        model: converser.modelId,
        error: describeBedrockError(err),
        ...(rejected.length ? { rejectedFigures: rejected } : {}),
      },
      usage: converser.usage,
    };
  }
}
