/**
 * Tokens an AI assistant receives to answer "what are my top savings?" on the sample account: with this
 * project's MCP tools (the analysed view) against raw Cost Explorer responses for the same question (what
 * raw-API MCP servers hand over).
 *
 *   npx tsx bench/mcp-tokens.ts [small|medium]     (small, the default, is the sample account)
 *
 * Starts its own Temporal dev server, simulator and worker, as the tests do, and a gateway whose /mcp
 * the SDK Client calls over Streamable HTTP. BENCH_SHOW=1 prints what the assistant receives.
 *
 * MCP side: get_report_summary, the one call that answers the question (spend headline, savings by
 * check, the top five findings with their actions), counting its text and its structured content (a
 * client may pass both to the model), and its text alone (what most clients show the model). Raw side: the Cost Explorer calls an assistant needs for the same question,
 * every page, as JSON (spend by service for the period, EC2 rightsizing, Savings Plans and Reserved
 * Instance purchase recommendations). The raw side is a lower bound: Cost Explorer alone does not see idle
 * volumes, old snapshots or S3 lifecycle savings, which would take EC2, CloudWatch and S3 calls too.
 *
 * Tokens: js-tiktoken's o200k_base encoding. Claude's tokenizer is not published; o200k_base is a
 * well-kept BPE of the same family, so absolute counts are approximate and the ratio is what matters.
 */
import {
  CostExplorerClient,
  GetCostAndUsageCommand,
  GetReservationPurchaseRecommendationCommand,
  GetRightsizingRecommendationCommand,
  GetSavingsPlansPurchaseRecommendationCommand,
} from '@aws-sdk/client-cost-explorer';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { getEncoding } from 'js-tiktoken';
import { AGENT_KINDS } from '../src/domain/agents';
import { createGateway } from '../src/gateway/app';
import { lastFullMonths, SIM_CREDENTIALS, startStack, testNow } from '../test/helpers/stack';

const encoding = getEncoding('o200k_base');
const tokens = (text: string) => encoding.encode(text).length;

interface Received {
  what: string;
  text: string;
}

function toolText(result: CallToolResult): { text: string; structured: string } {
  const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
  return { text, structured: result.structuredContent ? JSON.stringify(result.structuredContent) : '' };
}

/** Every page of a Cost Explorer call, as the JSON a raw-API tool would return (SDK metadata dropped). */
async function allPages<T extends { NextPageToken?: string; NextToken?: string; $metadata?: unknown }>(
  fetchPage: (token: string | undefined) => Promise<T>,
): Promise<{ pages: number; json: string }> {
  const bodies: unknown[] = [];
  let token: string | undefined;
  do {
    const { $metadata: _metadata, ...body } = await fetchPage(token);
    bodies.push(body);
    token = body.NextPageToken ?? body.NextToken;
  } while (token);
  return { pages: bodies.length, json: bodies.map((b) => JSON.stringify(b)).join('\n') };
}

async function main() {
  const size = (process.argv[2] ?? 'small') as 'small' | 'medium';
  if (size !== 'small' && size !== 'medium') throw new Error('usage: npx tsx bench/mcp-tokens.ts [small|medium]');
  const stack = await startStack(size === 'small' ? {} : { size, seed: 1, memberRoles: true });
  try {
    await stack.withWorker(async () => {
      const gateway = createGateway({ client: stack.env.client, taskQueue: stack.taskQueue, now: testNow, llm: {}, dashboard: false });
      const { url } = await gateway.listen(0);
      const mcp = new Client({ name: 'bench', version: '1.0.0' });
      try {
        await mcp.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
        const { tools } = await mcp.listTools();
        const scenario = stack.sim.scenario;
        const accounts = scenario.accounts.map((a) => a.id);
        const period = lastFullMonths(1);

        const started = Date.now();
        const run = (await mcp.callTool(
          { name: 'start_analysis', arguments: { tenant: 'sample', accounts, regions: scenario.regions, period, agents: [...AGENT_KINDS] } },
          undefined,
          { timeout: 600_000 },
        )) as CallToolResult;
        if (run.isError) throw new Error(`start_analysis failed: ${toolText(run).text}`);
        const analysisId = (run.structuredContent as { analysisId: string }).analysisId;
        const seconds = ((Date.now() - started) / 1000).toFixed(1);

        // The assistant's answer, with the MCP tools.
        const mcpCalls: [string, Record<string, unknown>][] = [['get_report_summary', { analysisId }]];
        const mcpReceived: Received[] = [];
        const mcpTextOnly: Received[] = [];
        for (const [name, args] of mcpCalls) {
          const result = (await mcp.callTool({ name, arguments: args })) as CallToolResult;
          if (result.isError) throw new Error(`${name} failed: ${toolText(result).text}`);
          const { text, structured } = toolText(result);
          mcpReceived.push({ what: name, text: `${text}\n${structured}` });
          mcpTextOnly.push({ what: name, text });
          if (process.env.BENCH_SHOW) console.log(`--- ${name}\n${text}\n${structured}\n`);
        }
        const topFindings = (await mcp.callTool({ name: 'search_findings', arguments: { analysisId, pageSize: 3 } })) as CallToolResult;

        // The same question with raw Cost Explorer responses.
        const ce = new CostExplorerClient({ endpoint: stack.sim.url, region: 'us-east-1', credentials: SIM_CREDENTIALS, maxAttempts: 1 });
        const raw: (Received & { pages: number })[] = [];
        const add = async (what: string, fetch: () => Promise<{ pages: number; json: string }>) => {
          const { pages, json } = await fetch();
          raw.push({ what, text: json, pages });
        };
        const TimePeriod = { Start: period.start, End: period.end };
        await add('GetCostAndUsage (MONTHLY, by SERVICE)', () =>
          allPages((NextPageToken) =>
            ce.send(new GetCostAndUsageCommand({ TimePeriod, Granularity: 'MONTHLY', Metrics: ['UnblendedCost'], GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }], NextPageToken })),
          ),
        );
        await add('GetRightsizingRecommendation (AmazonEC2)', () =>
          allPages((NextPageToken) => ce.send(new GetRightsizingRecommendationCommand({ Service: 'AmazonEC2', NextPageToken }))),
        );
        await add('GetSavingsPlansPurchaseRecommendation (Compute SP, 1 year, no upfront)', () =>
          allPages((NextPageToken) =>
            ce.send(
              new GetSavingsPlansPurchaseRecommendationCommand({
                SavingsPlansType: 'COMPUTE_SP',
                TermInYears: 'ONE_YEAR',
                PaymentOption: 'NO_UPFRONT',
                LookbackPeriodInDays: 'THIRTY_DAYS',
                NextPageToken,
              }),
            ),
          ),
        );
        for (const service of ['Amazon Elastic Compute Cloud - Compute', 'Amazon Relational Database Service']) {
          await add(`GetReservationPurchaseRecommendation (${service})`, () =>
            allPages((NextPageToken) => ce.send(new GetReservationPurchaseRecommendationCommand({ Service: service, NextPageToken }))),
          );
        }

        const sum = (items: Received[]) => items.reduce((n, r) => n + tokens(r.text), 0);
        const mcpTokens = sum(mcpReceived);
        const mcpTextTokens = sum(mcpTextOnly);
        const rawTokens = sum(raw);
        const rawRequests = raw.reduce((n, r) => n + r.pages, 0);
        const line = (what: string, n: number) => console.log(`  ${String(n).padStart(8)}  ${what}`);

        console.log(`${size === 'small' ? 'Sample account' : 'Medium organisation'} (${accounts.join(', ')}; ${scenario.regions.join(', ')}), ${period.start} to ${period.end}`);
        console.log(`Analysis ${analysisId}: ${seconds} s through start_analysis.`);
        console.log(`Question: "what are my top savings?"  (tokens: js-tiktoken o200k_base)\n`);
        console.log('With the MCP tools (text + structured content):');
        for (const r of mcpReceived) line(r.what, tokens(r.text));
        line('total', mcpTokens);
        console.log(`  (text renderings only: ${mcpTextTokens})`);
        console.log(`\nWith raw Cost Explorer responses (${rawRequests} requests, $${(rawRequests * 0.01).toFixed(2)} of Cost Explorer charges per asking):`);
        for (const r of raw) line(`${r.what}${r.pages > 1 ? `, ${r.pages} pages` : ''}`, tokens(r.text));
        line('total', rawTokens);
        console.log(`\nRatio raw / MCP: ${(rawTokens / mcpTokens).toFixed(1)}x (text only: ${(rawTokens / mcpTextTokens).toFixed(1)}x)`);
        console.log(`One-off per session: the MCP tool list is ${tokens(JSON.stringify(tools))} tokens (${tools.length} tools with schemas).`);
        console.log(`\nTop three findings as the assistant reads them:\n${toolText(topFindings).text}`);
      } finally {
        await mcp.close();
        await gateway.close();
      }
    });
  } finally {
    await stack.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
