/**
 * Follow-up questions about a finished analysis, answered from its report's bounded facts with the same
 * grounding rule as the summary: an answer stating a figure the report lacks is retried once, then
 * replaced by a deterministic answer (the matching facts, or the summary) that says so.
 */
import { formatUsd } from '../domain/money';
import type { AnalysisReport } from '../domain/report';
import { emptyLlmUsage, type Converser, type LlmUsage } from './bedrock';
import { deterministicSummaryFromFacts } from './deterministic-summary';
import { reportFacts, type ReportFacts } from './facts';
import { groundedReply } from './grounded-reply';
import { QUESTION_SYSTEM, questionPrompt } from './prompts';
import type { SummarySource } from './summary';

export const MAX_QUESTION_CHARS = 500;

/** Short names people use for Cost Explorer's service names. */
const SERVICE_ALIASES: Record<string, string> = {
  s3: 'simple storage service',
  ec2: 'elastic compute cloud',
  rds: 'relational database',
  lambda: 'lambda',
  ebs: 'ec2 - other',
  database: 'relational database',
  storage: 'simple storage service',
};

const STOP_WORDS = new Set([
  'the',
  'and',
  'why',
  'did',
  'what',
  'how',
  'our',
  'was',
  'for',
  'cost',
  'costs',
  'spend',
  'bill',
  'amazon',
  'aws',
  'service',
]);

export interface QuestionAnswer {
  answer: string;
  source: SummarySource;
  model?: string;
  rejectedFigures?: string[];
  error?: string;
  usage: LlmUsage;
}

/** Without a model: the facts that match the question's words, else the summary. */
export function deterministicAnswer(facts: ReportFacts, question: string): string {
  const lower = question.toLowerCase();
  const words = (lower.match(/[a-z0-9]{3,}/g) ?? []).filter((w) => !STOP_WORDS.has(w));
  const aliases = Object.entries(SERVICE_ALIASES).flatMap(([alias, name]) =>
    new RegExp(`\\b${alias}\\b`).test(lower) ? [name] : [],
  );
  const hits = facts.topServices.filter((s) => {
    const service = s.service.toLowerCase();
    return aliases.some((a) => service.includes(a)) || words.some((w) => service.includes(w));
  });
  const lines = hits.map(
    (s) =>
      `${s.service}: ${formatUsd(s.amount, facts.unit)} this period, ${formatUsd(s.previousAmount, facts.unit)} the period before.`,
  );
  if (/sav|cut|reduc|waste|cheap/.test(question.toLowerCase()) && facts.findings) {
    lines.push(
      `Savings found: ${formatUsd(facts.findings.monthlySavings, facts.unit)} a month across ${facts.findings.count} findings.`,
    );
    facts.findings.top
      .slice(0, 3)
      .forEach((f, i) => lines.push(`${i + 1}. ${f.title}: ${formatUsd(f.monthlySavings, facts.unit)} a month.`));
  }
  return lines.length ? lines.join('\n') : `This report does not answer that directly. ${deterministicSummaryFromFacts(facts)}`;
}

export async function answerQuestion(report: AnalysisReport, question: string, converser?: Converser): Promise<QuestionAnswer> {
  const facts = reportFacts(report);
  const q = question.slice(0, MAX_QUESTION_CHARS);
  const fallback = deterministicAnswer(facts, q);
  if (!converser) return { answer: fallback, source: 'deterministic', usage: emptyLlmUsage() };
  const { text, ...how } = await groundedReply(report, converser, {
    system: QUESTION_SYSTEM,
    prompt: questionPrompt(facts, q),
    maxTokens: 400,
    fallback,
  });
  return { answer: text, ...how, usage: converser.usage };
}
