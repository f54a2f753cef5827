/**
 * Asking the model for prose about a report, the one way both the executive summary and follow-up questions
 * do it: an answer stating a figure the report lacks is sent back once with the problem pointed out; a second
 * miss, or a Bedrock failure (outage, throttling past the retries, timeout), yields the deterministic text.
 * The result says which happened, with the rejected figures and the error, so nothing is hidden.
 */
import type { Message } from '@aws-sdk/client-bedrock-runtime';
import type { AnalysisReport } from '../domain/report';
import type { ExecutiveSummary } from '../domain/summary';
import { describeBedrockError, type Converser } from './bedrock';
import { checkGrounding, reportNumbers } from './grounding';
import { groundingRetryPrompt } from './prompts';

export interface GroundedRequest {
  system: string;
  prompt: string;
  maxTokens?: number;
  /** What to say when the model cannot be used or cannot stay with the report's figures. */
  fallback: string;
}

export async function groundedReply(
  report: AnalysisReport,
  converser: Converser,
  request: GroundedRequest,
): Promise<ExecutiveSummary> {
  const numbers = reportNumbers(report);
  const messages: Message[] = [{ role: 'user', content: [{ text: request.prompt }] }];
  const rejected: string[] = [];
  const rejectedFigures = () => (rejected.length ? { rejectedFigures: rejected } : {});
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      const reply = await converser.converse({
        system: request.system,
        messages,
        ...(request.maxTokens !== undefined ? { maxTokens: request.maxTokens } : {}),
      });
      const grounding = checkGrounding(reply.text, report, numbers);
      if (reply.text && grounding.ok) {
        return {
          text: reply.text,
          source: attempt === 0 ? 'bedrock' : 'bedrock-after-retry',
          model: converser.modelId,
          ...rejectedFigures(),
        };
      }
      const problems = reply.text ? grounding.unsupported.map((f) => f.text) : ['(empty answer)'];
      rejected.push(...problems);
      messages.push(reply.message.content?.length ? reply.message : { role: 'assistant', content: [{ text: '(empty)' }] });
      messages.push({ role: 'user', content: [{ text: groundingRetryPrompt(problems) }] });
    }
    return {
      text: request.fallback,
      source: 'deterministic-after-grounding-failure',
      model: converser.modelId,
      rejectedFigures: rejected,
    };
  } catch (err) {
    return {
      text: request.fallback,
      source: 'deterministic-after-error',
      model: converser.modelId,
      error: describeBedrockError(err),
      ...rejectedFigures(),
    };
  }
}
