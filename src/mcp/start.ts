/**
 * start_analysis: start through the gateway (which validates, plans questions and checks the tenant),
 * then either return the ID at once or follow the run on the gateway's live relay, turning its progress
 * into MCP progress notifications, until the report is ready or the wait runs out.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ToolError, type FinopsApi } from './api';
import { ProgressTicker } from './progress';
import { analysisOutput, startAnalysisInput, type AnalysisOutput } from './schemas';
import { analysisText } from './text';
import { result } from './tools';
import { analysisOutputOf } from './views';

export function registerStartTool(server: McpServer, api: FinopsApi): void {
  server.registerTool(
    'start_analysis',
    {
      title: 'Start an analysis',
      description:
        'Analyse AWS accounts — listed, or the accounts of an organisation’s OUs discovered in AWS Organizations — (Regions, period, agents) or answer a plain-language question with a planned analysis. Runs for minutes: by default waits for the report, sending progress notifications; with wait=false returns the ID at once (follow it with get_analysis).',
      inputSchema: startAnalysisInput,
      outputSchema: analysisOutput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async ({ wait, waitSeconds, ...request }, extra) => {
      const started = await api.startAnalysis(request);
      const plan = started.plan ? { plan: started.plan } : {};
      const running: AnalysisOutput = { analysisId: started.analysisId, status: 'RUNNING', reportReady: false, ...plan };
      if (!wait) return result(running, `Started ${started.analysisId}; call get_analysis to follow it.`);

      const token = extra._meta?.progressToken;
      const ticker = new ProgressTicker();
      const deadline = AbortSignal.timeout(waitSeconds * 1000);
      try {
        await api.watch(
          started.analysisId,
          (progress) => {
            const notice = ticker.next(progress);
            if (notice && token !== undefined) {
              void extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, ...notice } }).catch(() => {});
            }
          },
          AbortSignal.any([extra.signal, deadline]),
        );
      } catch (err) {
        if (!deadline.aborted) {
          // It did start: say so, with the ID, whatever went wrong while following it.
          throw new ToolError(`Started ${started.analysisId}, but following it failed (${err instanceof Error ? err.message : String(err)}); call get_analysis.`);
        }
        const text = `${started.analysisId} is still running after ${waitSeconds} s; call get_analysis to follow it.`;
        return result(running, text);
      }
      // Read the finished run as get_analysis shows it (status, failure or report headline).
      const out = { ...analysisOutputOf(await api.getAnalysis(started.analysisId)), ...plan };
      return result(out, analysisText(out));
    },
  );
}
