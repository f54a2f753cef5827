/**
 * The gateway's /mcp endpoint: MCP over Streamable HTTP, stateless (one server and transport per POST).
 *
 * Each request is authenticated by the gateway's own authenticator (401/403 exactly as for /api), and
 * the tools it runs call the gateway's REST API on the socket the request arrived on, with the same
 * credential. So tenant scoping is the REST routes' and nothing else's, and no session can outlive or
 * borrow a credential. Progress notifications of a long call stream back on that POST's SSE response.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import express, { type Request, type Router } from 'express';
import type { Credentials } from '../cli/client';
import { authenticate, credentialOf, type Authenticator } from '../gateway/auth';
import { ApiError, MAX_BODY_BYTES } from '../gateway/errors';
import { FinopsApi } from './api';
import { createMcpServer } from './server';

export const MCP_PATH = '/mcp';

export function mcpRouter(options: { authenticate: Authenticator }): Router {
  const router = express.Router();
  router.use(authenticate(options.authenticate));
  router.post('/', express.json({ limit: MAX_BODY_BYTES, type: ['application/json'] }), async (req, res) => {
    const server = createMcpServer(new FinopsApi(selfUrl(req), credentialsOf(req.headers)));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  // Stateless: no standalone event stream and no session to delete.
  router.all('/', (_req, res) => {
    res.setHeader('Allow', 'POST');
    throw new ApiError(405, 'invalid_request', 'MCP over Streamable HTTP here is stateless: POST JSON-RPC messages to /mcp');
  });
  return router;
}

/** The gateway's own address as this request reached it (works for any bind address and port). */
function selfUrl(req: Request): string {
  const address = req.socket.localAddress ?? '127.0.0.1';
  const host = address.includes(':') && !address.startsWith('::ffff:') ? `[${address}]` : address.replace(/^::ffff:/, '');
  return `http://${host}:${req.socket.localPort}`;
}

/** The credential the MCP request carried, forwarded unchanged (none in development, where none is needed). */
function credentialsOf(headers: IncomingHttpHeaders): Credentials {
  const credential = credentialOf(headers);
  if (!credential) return {};
  return credential.kind === 'api-key' ? { apiKey: credential.value } : { token: credential.value };
}
