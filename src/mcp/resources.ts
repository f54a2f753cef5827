/**
 * Resources: each finished analysis's report (Markdown, the same export as GET .../report?format=md)
 * and the tag policy its tagging agent applied, plus `finops://tag-policy` for the policy in force.
 * IDs contain slashes, so they travel URL-encoded in one segment:
 *   finops://analyses/analysis%2Facme%2F20261121-0930-a1b2c3/report
 * Reads go through the gateway with the caller's credentials: another tenant's report reads exactly
 * like a missing one.
 */
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, type ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { DEFAULT_TAG_POLICY, organizationsTagPolicy } from '../domain/tag-policy';
import type { AnalysisReport } from '../domain/report';
import { ToolError, type FinopsApi } from './api';

export const reportUri = (analysisId: string) => `finops://analyses/${encodeURIComponent(analysisId)}/report`;
export const tagPolicyUri = (analysisId: string) => `finops://analyses/${encodeURIComponent(analysisId)}/tag-policy`;
export const CURRENT_TAG_POLICY_URI = 'finops://tag-policy';

/** How many recent completed analyses are listed as resources, and searched for the policy in force. */
const LISTED = 20;
const SEARCHED_FOR_POLICY = 5;

export function registerResources(server: McpServer, api: FinopsApi): void {
  const recent = async () => (await api.listAnalyses({ status: 'COMPLETED', pageSize: LISTED })).analyses;

  server.registerResource(
    'report',
    new ResourceTemplate('finops://analyses/{id}/report', {
      list: async () => ({
        resources: (await recent()).map((a) => ({
          uri: reportUri(a.analysisId),
          name: `Report ${a.analysisId}`,
          description: `Cost analysis of ${a.accounts.join(', ')}, finished ${a.closeTime ?? a.startTime}`,
          mimeType: 'text/markdown',
        })),
      }),
    }),
    { title: 'Analysis report', description: 'The report of a finished analysis, as Markdown (spend, findings, forecast, what is missing)', mimeType: 'text/markdown' },
    (uri, variables) => guard(async () => ({ contents: [{ uri: uri.href, mimeType: 'text/markdown', text: await api.reportMarkdown(idOf(variables.id)) }] })),
  );

  server.registerResource(
    'analysis-tag-policy',
    new ResourceTemplate('finops://analyses/{id}/tag-policy', { list: undefined }),
    {
      title: 'Tag policy of an analysis',
      description: 'The tag policy the analysis judged resources against, and the AWS Organizations tag policy document for it',
      mimeType: 'application/json',
    },
    (uri, variables) =>
      guard(async () => {
        const report = await api.report(idOf(variables.id));
        if (!report.tagging) {
          throw new ToolError(`Analysis ${report.analysisId} did not run the tagging agent, so it applied no tag policy.`);
        }
        return json(uri.href, tagPolicyDocument(report));
      }),
  );

  server.registerResource(
    'tag-policy',
    CURRENT_TAG_POLICY_URI,
    {
      title: 'Tag policy in force',
      description: `The tag policy of the newest analysis (of the last ${SEARCHED_FOR_POLICY} completed) that ran the tagging agent, or the built-in default; with its AWS Organizations tag policy document`,
      mimeType: 'application/json',
    },
    (uri) =>
      guard(async () => {
        for (const a of (await recent()).slice(0, SEARCHED_FOR_POLICY)) {
          const report = await api.report(a.analysisId);
          if (report.tagging) return json(uri.href, tagPolicyDocument(report));
        }
        return json(uri.href, defaultTagPolicyDocument());
      }),
  );
}

export function tagPolicyDocument(report: AnalysisReport): Record<string, unknown> {
  return {
    source: 'analysis',
    analysisId: report.analysisId,
    generatedAt: report.generatedAt,
    policy: report.tagging!.policy,
    organizationsPolicy: report.tagging!.organizationsPolicy,
  };
}

export function defaultTagPolicyDocument(): Record<string, unknown> {
  return {
    source: 'built-in default',
    note: 'No recent analysis you may see ran the tagging agent; this is the policy the worker applies unless FINOPS_TAG_POLICY_FILE configures another.',
    policy: DEFAULT_TAG_POLICY,
    organizationsPolicy: organizationsTagPolicy(DEFAULT_TAG_POLICY),
  };
}

function json(uri: string, value: unknown): ReadResourceResult {
  return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }] };
}

function idOf(raw: string | string[] | undefined): string {
  const value = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  try {
    return decodeURIComponent(value);
  } catch {
    throw new ToolError(`The analysis ID in the URI is not valid URL encoding: ${JSON.stringify(value)}`);
  }
}

/** A resource read that fails answers with an MCP error naming the problem (the server keeps serving). */
async function guard(read: () => Promise<ReadResourceResult>): Promise<ReadResourceResult> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof ToolError) throw new McpError(ErrorCode.InvalidParams, err.message);
    throw err;
  }
}
