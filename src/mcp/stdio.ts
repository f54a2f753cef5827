/**
 * `finops mcp`: the MCP server over stdio for desktop assistants. It talks to the gateway's REST API and
 * WebSocket with an API key or token, like the command line; stdout carries MCP messages only, so
 * anything for people goes to stderr.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Credentials } from '../cli/client';
import { FinopsApi } from './api';
import { createMcpServer } from './server';

/** Serve until the client closes stdin (or the transport fails). */
export async function serveStdio(gatewayUrl: string, credentials: Credentials): Promise<void> {
  const server = createMcpServer(new FinopsApi(gatewayUrl, credentials));
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  process.stderr.write(`finops mcp: serving on stdio for the gateway at ${gatewayUrl}\n`);
  await closed;
  await server.close();
}
