/**
 * MCP test setup: the gateway harness (real Temporal dev server, fixture analysis workflow) with API keys
 * for two tenants, and the SDK's own Client connected over Streamable HTTP (the gateway's /mcp) or stdio
 * (`finops mcp` as a child process talking to that gateway).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { PROJECT_ROOT } from '../../scripts/temporal-cli';
import { ApiKeyStore, generateApiKey } from '../../src/gateway/api-keys';
import { credentialAuthenticator } from '../../src/gateway/auth';
import { startHarness, type Harness } from '../gateway/harness';

export const acme = generateApiKey('acme-mcp', ['acme']);
export const globex = generateApiKey('globex-mcp', ['globex']);

export interface McpHarness {
  h: Harness;
  url: string;
  close(): Promise<void>;
}

export async function startMcpHarness(): Promise<McpHarness> {
  const h = await startHarness();
  const { url } = await h.gateway({
    authenticate: credentialAuthenticator({ apiKeys: new ApiKeyStore([acme.entry, globex.entry]) }),
    relay: { pollIntervalMs: 100, maxPollIntervalMs: 300 },
    llm: {},
  });
  return { h, url, close: () => h.close() };
}

export type Transport = 'http' | 'stdio';

/** An MCP client for `key` over the given transport (connected, tools listed so results are validated). */
export async function connect(transport: Transport, url: string, key: string | undefined): Promise<Client> {
  const client = new Client({ name: 'finops-mcp-test', version: '1.0.0' });
  if (transport === 'http') {
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: key ? { 'x-api-key': key } : {} } }),
    );
  } else {
    const env: Record<string, string> = { ...(process.env as Record<string, string>), FINOPS_GATEWAY_URL: url };
    if (key) env.FINOPS_API_KEY = key;
    else delete env.FINOPS_API_KEY;
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: ['--import', 'tsx', join(PROJECT_ROOT, 'src/cli/main.ts'), 'mcp'],
        cwd: PROJECT_ROOT,
        env,
        stderr: 'pipe',
      }),
    );
  }
  await client.listTools();
  return client;
}

export interface ToolOutcome {
  isError: boolean;
  text: string;
  structured: Record<string, unknown> | undefined;
}

export async function call(client: Client, name: string, args: Record<string, unknown> = {}, options: Parameters<Client['callTool']>[2] = {}): Promise<ToolOutcome> {
  const result = (await client.callTool({ name, arguments: args }, undefined, options)) as CallToolResult;
  const text = result.content
    .filter((c): c is { type: 'text'; text: string } => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
  return { isError: result.isError === true, text, structured: result.structuredContent };
}

/** A successful call's structured content (fails the test with the tool's error text otherwise). */
export async function ok<T = Record<string, unknown>>(client: Client, name: string, args: Record<string, unknown> = {}): Promise<T> {
  const outcome = await call(client, name, args);
  if (outcome.isError || !outcome.structured) throw new Error(`${name} failed: ${outcome.text}`);
  return outcome.structured as T;
}

/** A local OIDC identity provider (discovery document and JWKS) that signs tokens for a tenant. */
export async function startIdp(): Promise<{ issuer: string; token(tenant: string, expiresIn?: string | number): Promise<string>; close(): void }> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'mcp-key', alg: 'RS256', use: 'sig' };
  let issuer = '';
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/idp/.well-known/openid-configuration') res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks.json` }));
    else if (req.url === '/idp/jwks.json') res.end(JSON.stringify({ keys: [jwk] }));
    else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/idp`;
  return {
    issuer,
    token: (tenant, expiresIn = '5m') =>
      new SignJWT({ tenant })
        .setProtectedHeader({ alg: 'RS256', kid: 'mcp-key' })
        .setSubject(`user-of-${tenant}`)
        .setIssuer(issuer)
        .setAudience(OIDC_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(privateKey),
    close: () => server.close(),
  };
}

export const OIDC_AUDIENCE = 'finops-mcp-test';

/** An MCP client over HTTP with an OIDC bearer token. */
export async function connectWithToken(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'finops-mcp-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  await client.listTools();
  return client;
}
