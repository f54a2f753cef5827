/**
 * set_finding_state: what the person behind the assistant decided about a finding (dismiss with a reason
 * and optional snooze, accept, mark done, reopen), through the gateway's /api/finding-states, so the same
 * checks apply and who decided is the MCP request's own credential.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { FinopsApi } from './api';
import { setFindingStateInput, setFindingStateOutput } from './schemas';
import { result } from './tools';

export function registerFindingStateTools(server: McpServer, api: FinopsApi): void {
  server.registerTool(
    'set_finding_state',
    {
      title: 'Set a finding’s state',
      description:
        'Dismiss a finding (a reason is required; snoozeUntil brings it back on that day), accept it, mark it done or reopen it. ' +
        'Kept per finding identity across analyses and weekly reviews; the next analysis applies it (dismissed findings leave the totals; ' +
        'done ones get their realised savings measured). Ask the person first: this records a decision in their name.',
      inputSchema: setFindingStateInput,
      outputSchema: setFindingStateOutput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async (args) => {
      const { state } = await api.setFindingState(args);
      const out = {
        findingId: state.findingId,
        state: state.state,
        by: state.by,
        at: state.at,
        version: state.version,
        ...(state.reason ? { reason: state.reason } : {}),
        ...(state.snoozeUntil ? { snoozeUntil: state.snoozeUntil } : {}),
      };
      return result(out, `${out.findingId}: ${out.state}${out.reason ? ` (${out.reason})` : ''}${out.snoozeUntil ? ` until ${out.snoozeUntil}` : ''}, by ${out.by} (version ${out.version}). The next analysis applies it.`);
    },
  );
}
