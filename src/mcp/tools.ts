/**
 * The read tools: each has an input schema, an output schema, structured content and a short text.
 * Bad arguments are refused by the SDK against the input schema; problems found later (unknown IDs,
 * unfinished analyses, gateway refusals) are ToolErrors. Both become tool results with isError and a
 * message naming the problem; nothing a caller sends can stop the server.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { AgentKind } from '../domain/agents';
import type { FinopsApi } from './api';
import {
  analysisOutput,
  askInput,
  askOutput,
  explainFindingInput,
  explainFindingOutput,
  forecastOutput,
  getAnalysisInput,
  getSpendInput,
  listAnalysesInput,
  listAnalysesOutput,
  reportInput,
  reportSummaryOutput,
  searchFindingsInput,
  searchFindingsOutput,
  spendOutput,
} from './schemas';
import { analysisText, explainText, forecastText, searchText, spendText, summaryText } from './text';
import { analysisOutputOf, findingOf, findingRowOf, forecastOf, reportSummaryOf, searchFindings, spendOf } from './views';

/** A tool result: the structured content and its short text rendering. */
export function result(structured: object, text: string): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured as Record<string, unknown> };
}

const READ_ONLY = { readOnlyHint: true, openWorldHint: false } as const;

export function registerReadTools(server: McpServer, api: FinopsApi): void {
  server.registerTool(
    'get_analysis',
    {
      title: 'Analysis status',
      description: 'Status and live progress of one analysis; when it has finished, its headline figures.',
      inputSchema: getAnalysisInput,
      outputSchema: analysisOutput,
      annotations: READ_ONLY,
    },
    async ({ analysisId }) => {
      const out = analysisOutputOf(await api.getAnalysis(analysisId));
      return result(out, analysisText(out));
    },
  );

  server.registerTool(
    'list_analyses',
    {
      title: 'List analyses',
      description: 'Analyses you may see, newest first, filtered by status and account; paged with nextPageToken.',
      inputSchema: listAnalysesInput,
      outputSchema: listAnalysesOutput,
      annotations: READ_ONLY,
    },
    async ({ status, account, pageSize, pageToken }) => {
      const page = await api.listAnalyses({ status, account, pageSize, pageToken });
      const out = {
        analyses: page.analyses.map((a) => ({
          analysisId: a.analysisId,
          tenant: a.tenant,
          accounts: a.accounts,
          status: a.status,
          startTime: a.startTime,
          ...(a.closeTime ? { closeTime: a.closeTime } : {}),
        })),
        ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
      };
      const lines = out.analyses.map((a) => `${a.analysisId} ${a.status} ${a.accounts.join(',')} started ${a.startTime}`);
      return result(out, [`${out.analyses.length} analyses${out.nextPageToken ? ' (more with nextPageToken)' : ''}.`, ...lines].join('\n'));
    },
  );

  server.registerTool(
    'get_report_summary',
    {
      title: 'Report summary',
      description:
        'The headline of a finished analysis: spend and its change, top services, findings count and monthly savings by check, the top five findings, and what is missing.',
      inputSchema: reportInput,
      outputSchema: reportSummaryOutput,
      annotations: READ_ONLY,
    },
    async ({ analysisId }) => {
      const out = reportSummaryOf(await api.report(analysisId));
      return result(out, summaryText(out));
    },
  );

  server.registerTool(
    'search_findings',
    {
      title: 'Search findings',
      description:
        'Savings findings of a finished analysis, highest savings first, filtered by agent, check, account, Region, action, tag and minimum monthly savings; paged.',
      inputSchema: searchFindingsInput,
      outputSchema: searchFindingsOutput,
      annotations: READ_ONLY,
    },
    async ({ analysisId, page, pageSize, ...filter }) => {
      const out = searchFindings(await api.report(analysisId), filter, page, pageSize);
      return result(out, searchText(out));
    },
  );

  server.registerTool(
    'explain_finding',
    {
      title: 'Explain a finding',
      description: 'One finding in full: the resource, the evidence (metrics) that triggered it, the thresholds used, the exact action and its command.',
      inputSchema: explainFindingInput,
      outputSchema: explainFindingOutput,
      annotations: READ_ONLY,
    },
    async ({ analysisId, findingId }) => {
      const report = await api.report(analysisId);
      const found = findingOf(report, findingId);
      const raw = found.raw;
      const finding = {
        ...findingRowOf(found),
        title: found.title,
        resourceType: found.resourceType,
        tags: Object.fromEntries(found.tags),
        evidence: found.evidence,
        ...(raw && isEvidenceRecord(raw.evidence) ? { evidenceDetail: raw.evidence } : {}),
        sources: found.sources,
        ...(found.command ? { command: found.command } : {}),
        ...(raw?.consoleUrl ? { consoleUrl: raw.consoleUrl } : {}),
      };
      const thresholds = report.thresholds?.[found.agent as AgentKind];
      const out = { analysisId: report.analysisId, finding, ...(thresholds ? { thresholds } : {}) };
      return result(out, explainText(finding));
    },
  );

  server.registerTool(
    'get_spend',
    {
      title: 'Spend',
      description: 'Spend of a finished analysis by service (analysed or previous period, with the change), or by day, week or month.',
      inputSchema: getSpendInput,
      outputSchema: spendOutput,
      annotations: READ_ONLY,
    },
    async ({ analysisId, groupBy, period, start, end }) => {
      const out = spendOf(await api.report(analysisId), groupBy, period, { start, end });
      return result(out, spendText(out));
    },
  );

  server.registerTool(
    'get_forecast',
    {
      title: 'Forecast',
      description: "The forecasting agent's spend forecast beside Cost Explorer's, its backtest, the top services' outlook, anomalies and budget advice.",
      inputSchema: reportInput,
      outputSchema: forecastOutput,
      annotations: READ_ONLY,
    },
    async ({ analysisId }) => {
      const out = forecastOf(await api.report(analysisId));
      return result(out, forecastText(out));
    },
  );

  server.registerTool(
    'ask',
    {
      title: 'Ask about a report',
      description: 'A follow-up question about a finished analysis, answered from its report only (figures not in the report are refused).',
      inputSchema: askInput,
      outputSchema: askOutput,
      annotations: READ_ONLY,
    },
    async ({ analysisId, question }) => {
      const answer = await api.ask(analysisId, question);
      const out = {
        analysisId: answer.analysisId,
        question: answer.question,
        answer: answer.answer,
        source: answer.source,
        ...(answer.model ? { model: answer.model } : {}),
      };
      return result(out, answer.answer);
    },
  );
}

function isEvidenceRecord(value: unknown): value is Record<string, string | number | boolean> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
  );
}
