/**
 * The project's own worker metrics, recorded when an analysis workflow ends: analyses by outcome, the AWS
 * requests it made (by service and operation) and its billable Cost Explorer requests, the LLM tokens of its
 * summary, its findings and their monthly savings, and its duration. They go through the SDK's workflow
 * metric meter, so they are served on the same Prometheus endpoint as the SDK's own metrics (task slots,
 * schedule-to-start latency, activity failures) and are not recorded again when a history is replayed.
 *
 * Registered as a workflow interceptor module (src/worker/worker.ts), so the analysis workflow itself is
 * unchanged and old histories replay exactly as before.
 */
import { isCancellation, metricMeter, workflowInfo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import type { AnalysisReport } from '../domain/report';

/** Metric names as the Prometheus endpoint shows them (counters gain `_total`). */
export const FINOPS_METRICS = {
  analyses: 'finops_analyses',
  awsRequests: 'finops_aws_requests',
  costExplorerRequests: 'finops_cost_explorer_requests',
  llmTokens: 'finops_llm_tokens',
  findings: 'finops_findings',
  monthlySavings: 'finops_analysis_monthly_savings_usd',
  duration: 'finops_analysis_duration_seconds',
} as const;

/** The workflow type whose results are counted (src/workflows/analysis.ts). */
const ANALYSIS_WORKFLOW = 'analysis';

function countAnalysis(outcome: string): void {
  metricMeter
    .createCounter(FINOPS_METRICS.analyses, 'analyses', 'Analyses ended, by outcome (complete, partial, failed, cancelled)')
    .add(1, { outcome });
}

function recordReport(report: AnalysisReport): void {
  countAnalysis(report.status);
  const requests = metricMeter.createCounter(FINOPS_METRICS.awsRequests, 'requests', 'AWS requests the analyses made, by service and operation');
  for (const [key, count] of Object.entries(report.usage.requests ?? {})) {
    const [service = 'unknown', operation = key] = key.split(':');
    if (count > 0) requests.add(count, { service, operation });
  }
  if (report.usage.costExplorerRequests > 0) {
    metricMeter
      .createCounter(FINOPS_METRICS.costExplorerRequests, 'requests', 'Billable Cost Explorer requests ($0.01 each)')
      .add(report.usage.costExplorerRequests);
  }
  const llm = report.usage.llm;
  if (llm) {
    const tokens = metricMeter.createCounter(FINOPS_METRICS.llmTokens, 'tokens', 'LLM tokens the executive summaries used, by direction');
    if (llm.inputTokens > 0) tokens.add(llm.inputTokens, { direction: 'input', model: llm.model });
    if (llm.outputTokens > 0) tokens.add(llm.outputTokens, { direction: 'output', model: llm.model });
  }
  const findings = report.findings;
  if (findings) {
    const counter = metricMeter.createCounter(FINOPS_METRICS.findings, 'findings', 'Findings reported (after merging), by check');
    for (const [check, { count }] of Object.entries(findings.byCheck)) if (count > 0) counter.add(count, { check });
    metricMeter
      .createHistogram(FINOPS_METRICS.monthlySavings, 'float', 'USD', 'Monthly savings found per analysis (each dollar once)')
      .record(Number(findings.monthlySavings));
  }
}

function recordDuration(outcome: string): void {
  const seconds = (Date.now() - workflowInfo().startTime.getTime()) / 1000;
  metricMeter
    .createHistogram(FINOPS_METRICS.duration, 'float', 's', 'How long analyses took, start to end, by outcome')
    .record(seconds, { outcome });
}

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      async execute(input, next) {
        if (workflowInfo().workflowType !== ANALYSIS_WORKFLOW) return next(input);
        let report: AnalysisReport;
        try {
          report = (await next(input)) as AnalysisReport;
        } catch (err) {
          const outcome = isCancellation(err) ? 'cancelled' : 'failed';
          countAnalysis(outcome);
          recordDuration(outcome);
          throw err;
        }
        // Metrics never fail an analysis: a report of an unexpected shape is simply not counted.
        try {
          recordReport(report);
          recordDuration(report.status);
        } catch {
          // nothing to do
        }
        return report;
      },
    },
  ],
});
