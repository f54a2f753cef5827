/**
 * The executive summary's shape and the LLM usage the report carries. Types only, so the report (and the
 * dashboard, which type-checks against the DOM only) need not reach the LLM modules that produce them.
 */

export type SummarySource =
  /** The model's first answer passed the grounding check. */
  | 'bedrock'
  /** The first answer stated figures the report lacks; the retry passed. */
  | 'bedrock-after-retry'
  /** The model's answers failed grounding twice: the deterministic writer's summary. */
  | 'deterministic-after-grounding-failure'
  /** Bedrock could not be reached or failed. */
  | 'deterministic-after-error'
  /** No model configured. */
  | 'deterministic';

export interface ExecutiveSummary {
  text: string;
  source: SummarySource;
  model?: string;
  /** Figures the rejected answers stated that the report does not have. */
  rejectedFigures?: string[];
  /** Why Bedrock was not used (an error, secret-free). */
  error?: string;
}

export interface LlmUsage {
  model: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** USD, decimal string. */
  cost: string;
  unit: 'USD';
}
