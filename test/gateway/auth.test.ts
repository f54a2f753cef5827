/**
 * Authentication without Temporal: API keys (hashed, constant-time), OIDC JWTs verified against a JWKS
 * served by a local HTTP server (good token, bad signature, unknown key, wrong audience, wrong issuer,
 * expired, no tenant claim, symmetric or unsigned tokens, Cognito access tokens), the configuration
 * from the environment, and WebSocket authentication by header or by a first `auth` message.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { ConfigError } from '../../src/config';
import { apiKeyId, ApiKeyStore, generateApiKey, hashApiKey } from '../../src/gateway/api-keys';
import { createGateway, type Gateway } from '../../src/gateway/app';
import { credentialAuthenticator, type Authenticator } from '../../src/gateway/auth';
import { authFromEnv } from '../../src/gateway/auth-config';
import { OidcVerifier } from '../../src/gateway/oidc';
import { TestSocket } from './harness';

async function deadPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// --- a local identity provider ------------------------------------------------------------------

interface Idp {
  issuer: string;
  server: Server;
  key: CryptoKey;
  /** Requests served, by path. */
  hits: Record<string, number>;
}

let idp: Idp;
let otherKey: CryptoKey;
const AUDIENCE = 'finops-gateway';

async function startIdp(): Promise<Idp> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  const hits: Record<string, number> = {};
  let issuer = '';
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits[path] = (hits[path] ?? 0) + 1;
    if (path === '/pool/.well-known/openid-configuration') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/.well-known/jwks.json` }));
    } else if (path === '/pool/.well-known/jwks.json') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}/pool`;
  return { issuer, server, key: privateKey, hits };
}

interface TokenOptions {
  key?: CryptoKey;
  kid?: string;
  issuer?: string;
  audience?: string | null;
  expiresIn?: string | number;
  claims?: Record<string, unknown>;
}

function token(options: TokenOptions = {}): Promise<string> {
  let jwt = new SignJWT({ tenant: 'acme', ...options.claims })
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'key-1' })
    .setSubject('user-1')
    .setIssuer(options.issuer ?? idp.issuer)
    .setIssuedAt();
  if (options.audience !== null) jwt = jwt.setAudience(options.audience ?? AUDIENCE);
  jwt = jwt.setExpirationTime(options.expiresIn ?? '5m');
  return jwt.sign(options.key ?? idp.key);
}

// --- gateways without Temporal (/api/me and the WebSocket need none) --------------------------------

let connection: Connection;
let client: Client;
const gateways: Gateway[] = [];
const keysFor = { acme: generateApiKey('ci-acme', ['acme']), operator: generateApiKey('ops', '*') };

before(async () => {
  idp = await startIdp();
  otherKey = (await generateKeyPair('RS256')).privateKey;
  connection = Connection.lazy({ address: `127.0.0.1:${await deadPort()}` });
  client = new Client({ connection });
});
after(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  await connection?.close();
  idp?.server.close();
});

async function gatewayWith(authenticate: Authenticator, ws: { authTimeoutMs?: number } = {}): Promise<string> {
  const gateway = createGateway({ client, taskQueue: 'unused', authenticate, dashboard: false, ws });
  gateways.push(gateway);
  return (await gateway.listen(0)).url;
}

function standardAuthenticator(): Authenticator {
  return credentialAuthenticator({
    apiKeys: new ApiKeyStore([keysFor.acme.entry, keysFor.operator.entry]),
    oidc: new OidcVerifier({ issuer: idp.issuer, audience: AUDIENCE, tenantClaim: 'tenant' }),
  });
}

async function me(url: string, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown>; challenge: string | null }> {
  const response = await fetch(`${url}/api/me`, { headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, challenge: response.headers.get('www-authenticate') };
}

function errorMessage(result: { body: Record<string, unknown> }): string {
  return (result.body.error as { message: string }).message;
}

describe('API keys', () => {
  test('stored as SHA-256 of a 256-bit key; verify finds the tenant and refuses anything else', () => {
    const { key, entry } = generateApiKey('ci', ['acme', 'globex'], 'CI pipeline');
    assert.match(key, /^finops_ci_[A-Za-z0-9_-]{43}$/);
    assert.equal(entry.sha256, hashApiKey(key));
    assert.ok(!JSON.stringify(entry).includes(key.slice(10)), 'the entry does not contain the secret');
    assert.equal(apiKeyId(key), 'ci');
    const store = new ApiKeyStore([entry]);
    assert.deepEqual(store.verify(key), { subject: 'key:ci', tenants: ['acme', 'globex'], via: 'api-key' });
    assert.equal(store.verify(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`), undefined, 'one character off');
    assert.equal(store.verify(key.replace('finops_ci_', 'finops_cx_')), undefined, 'unknown id');
    assert.equal(store.verify('finops_'), undefined);
    assert.equal(store.verify(''), undefined);
    const operator = new ApiKeyStore([generateApiKey('ops', '*').entry]);
    assert.equal(operator.size, 1);
  });

  test('the key file is validated with clear messages', () => {
    assert.throws(() => ApiKeyStore.fromJson('{', 'keys.json'), /keys\.json is not valid JSON/);
    assert.throws(() => ApiKeyStore.fromJson('{"keys":[{"id":"Bad!","tenants":["acme"],"sha256":"00"}]}', 'keys.json'), /id must be.*sha256 must be 64/);
    const entry = generateApiKey('dup', ['acme']).entry;
    assert.throws(() => ApiKeyStore.fromJson(JSON.stringify({ keys: [entry, entry] }), 'keys.json'), /appears twice/);
    assert.equal(ApiKeyStore.fromJson(JSON.stringify({ keys: [entry] }), 'keys.json').size, 1);
  });

  test('REST: X-API-Key or Bearer; wrong keys get 401 with a reason', async () => {
    const url = await gatewayWith(standardAuthenticator());
    assert.deepEqual((await me(url, { 'x-api-key': keysFor.acme.key })).body, { subject: 'key:ci-acme', tenants: ['acme'], auth: 'api-key' });
    assert.deepEqual((await me(url, { authorization: `Bearer ${keysFor.operator.key}` })).body, { subject: 'key:ops', tenants: 'all', auth: 'api-key' });
    const wrong = await me(url, { 'x-api-key': `${keysFor.acme.key}x` });
    assert.equal(wrong.status, 401);
    assert.equal(errorMessage(wrong), 'The API key is not valid');
    assert.match(wrong.challenge ?? '', /^Bearer realm="finops", error="invalid_token"/);
    const none = await me(url, {});
    assert.equal(none.status, 401);
    assert.match(errorMessage(none), /needs credentials/);
    assert.equal((await me(url, { authorization: 'Basic Zm9vOmJhcg==' })).status, 401);
    // Health and the API description need no credentials.
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    assert.equal((await fetch(`${url}/api/openapi.json`)).status, 200);
  });

  test('a gateway without OIDC refuses bearer JWTs clearly', async () => {
    const url = await gatewayWith(credentialAuthenticator({ apiKeys: new ApiKeyStore([keysFor.acme.entry]) }));
    const result = await me(url, { authorization: `Bearer ${await token()}` });
    assert.equal(result.status, 401);
    assert.match(errorMessage(result), /Bearer tokens are not accepted.*use an API key/);
  });
});

describe('OIDC JWTs', () => {
  test('a valid token: tenant from the configured claim, keys fetched once via discovery', async () => {
    const url = await gatewayWith(standardAuthenticator());
    const result = await me(url, { authorization: `Bearer ${await token()}` });
    assert.equal(result.status, 200, JSON.stringify(result.body));
    assert.deepEqual(result.body, { subject: 'oidc:user-1', tenants: ['acme'], auth: 'oidc' });
    await me(url, { authorization: `Bearer ${await token({ claims: { tenant: ['acme', 'globex'] } })}` }).then((r) =>
      assert.deepEqual(r.body.tenants, ['acme', 'globex']),
    );
    assert.equal(idp.hits['/pool/.well-known/openid-configuration'], 1);
    assert.equal(idp.hits['/pool/.well-known/jwks.json'], 1, 'the key set is cached');
  });

  const cases: [string, () => Promise<string>, number, RegExp][] = [
    ['bad signature (right key id, wrong key)', () => token({ key: otherKey }), 401, /signature is not valid/],
    ['unknown key id', () => token({ key: otherKey, kid: 'key-9' }), 401, /not signed by any of the issuer's keys/],
    ['wrong audience', () => token({ audience: 'someone-else' }), 401, /another audience/],
    ['no audience at all', () => token({ audience: null }), 401, /another audience/],
    ['expired', () => token({ expiresIn: Math.floor(Date.now() / 1000) - 120 }), 401, /expired/],
    ['wrong issuer', () => token({ issuer: 'https://evil.example/pool' }), 401, /not issued by the configured issuer/],
    ['no tenant claim', () => token({ claims: { tenant: undefined } }), 403, /no usable "tenant" claim/],
    ['a malformed tenant claim', () => token({ claims: { tenant: '../other' } }), 403, /no usable "tenant" claim/],
    ['not a JWT', () => Promise.resolve('not.a.jwt'), 401, /not a valid JWT/],
    [
      'an unsigned token (alg none)',
      () => Promise.resolve(`${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: idp.issuer, aud: AUDIENCE, tenant: 'acme', exp: 9e9 })).toString('base64url')}.`),
      401,
      /not a valid JWT|algorithm/,
    ],
    [
      'a symmetric token (HS256)',
      () => new SignJWT({ tenant: 'acme' }).setProtectedHeader({ alg: 'HS256' }).setIssuer(idp.issuer).setAudience(AUDIENCE).setExpirationTime('5m').sign(new Uint8Array(32)),
      401,
      /algorithm/,
    ],
  ];
  for (const [name, make, status, message] of cases) {
    test(`refused: ${name}`, async () => {
      const url = await gatewayWith(standardAuthenticator());
      const result = await me(url, { authorization: `Bearer ${await make()}` });
      assert.equal(result.status, status, JSON.stringify(result.body));
      assert.match(errorMessage(result), message);
      assert.equal((result.body.error as { code: string }).code, status === 401 ? 'unauthenticated' : 'forbidden');
    });
  }

  test('Cognito access tokens: no aud, client_id must match; custom:tenant claim', async () => {
    const url = await gatewayWith(
      credentialAuthenticator({ oidc: new OidcVerifier({ issuer: idp.issuer, audience: 'app-client-1', tenantClaim: 'custom:tenant' }) }),
    );
    const access = await token({ audience: null, claims: { client_id: 'app-client-1', token_use: 'access', 'custom:tenant': 'globex' } });
    assert.deepEqual((await me(url, { authorization: `Bearer ${access}` })).body.tenants, ['globex']);
    const otherClient = await token({ audience: null, claims: { client_id: 'app-client-2', 'custom:tenant': 'globex' } });
    assert.equal((await me(url, { authorization: `Bearer ${otherClient}` })).status, 401);
  });

  test('an unreachable identity provider is 503 auth_unavailable, not 401', async () => {
    const url = await gatewayWith(
      credentialAuthenticator({ oidc: new OidcVerifier({ issuer: `http://127.0.0.1:${await deadPort()}/pool`, audience: AUDIENCE, tenantClaim: 'tenant', fetchTimeoutMs: 1000 }) }),
    );
    const result = await me(url, { authorization: `Bearer ${await token()}` });
    assert.equal(result.status, 503);
    assert.equal((result.body.error as { code: string }).code, 'auth_unavailable');
  });
});

describe('WebSocket authentication', () => {
  test('credentials on the upgrade: ready at once; bad ones refuse the upgrade with the reason', async () => {
    const url = await gatewayWith(standardAuthenticator());
    const wsUrl = `${url.replace(/^http/, 'ws')}/ws`;
    const socket = await TestSocket.connect(wsUrl, { headers: { 'x-api-key': keysFor.acme.key }, ready: false });
    const ready = await socket.next();
    assert.deepEqual(ready, {
      type: 'ready',
      subject: 'key:ci-acme',
      tenants: ['acme'],
      auth: 'api-key',
      limits: { maxSubscriptions: 50, maxPayloadBytes: 65536, messagesPerSecond: 20 },
    });
    socket.close();
    await assert.rejects(TestSocket.connect(wsUrl, { headers: { authorization: `Bearer ${await token({ expiresIn: 1 })}` } }), /401.*expired/);
    await assert.rejects(TestSocket.connect(wsUrl, { headers: { authorization: `Bearer ${await token({ claims: { tenant: undefined } })}` } }), /403/);
  });

  test('a first `auth` message with a JWT or an API key', async () => {
    const url = await gatewayWith(standardAuthenticator());
    const wsUrl = `${url.replace(/^http/, 'ws')}/ws`;
    const socket = await TestSocket.connect(wsUrl, { ready: false });
    socket.send({ type: 'ping' });
    assert.deepEqual(await socket.next(), { type: 'pong' }, 'ping works before auth');
    socket.send({ type: 'auth', token: await token({ claims: { tenant: 'globex' } }) });
    const ready = await socket.next();
    assert.equal(ready.type, 'ready');
    assert.deepEqual((ready as unknown as { tenants: string[] }).tenants, ['globex']);
    socket.send({ type: 'auth', token: keysFor.acme.key });
    assert.equal((await socket.next() as { code: string }).code, 'already_authenticated');
    socket.close();

    const withKey = await TestSocket.connect(wsUrl, { ready: false });
    withKey.send({ type: 'auth', token: keysFor.acme.key });
    assert.equal((await withKey.next()).type, 'ready');
    withKey.close();
  });

  test('a bad token, a message before auth, or silence: error then close 4401', async () => {
    const url = await gatewayWith(standardAuthenticator(), { authTimeoutMs: 300 });
    const wsUrl = `${url.replace(/^http/, 'ws')}/ws`;

    const bad = await TestSocket.connect(wsUrl, { ready: false });
    bad.send({ type: 'auth', token: await token({ audience: 'someone-else' }) });
    const error = (await bad.next()) as { type: string; code: string; message: string };
    assert.deepEqual([error.type, error.code], ['error', 'unauthenticated']);
    assert.match(error.message, /another audience/);
    assert.equal((await bad.closed).code, 4401);

    const eager = await TestSocket.connect(wsUrl, { ready: false });
    eager.send({ type: 'subscribe', analysisId: 'analysis/acme/20260101-0000-abcdef' });
    assert.match(((await eager.next()) as { message: string }).message, /Authenticate first/);
    assert.equal((await eager.closed).code, 4401);

    const silent = await TestSocket.connect(wsUrl, { ready: false });
    const closed = await silent.closed;
    assert.equal(closed.code, 4401);
    assert.match(((silent.received[0] ?? {}) as { message?: string }).message ?? '', /within 0 s|within 1 s|within/);
  });
});

describe('configuration from the environment', () => {
  test('none is explicit; otherwise at least one method must be configured, with clear errors', () => {
    assert.equal(authFromEnv({ FINOPS_AUTH: 'none' }).mode, 'none');
    assert.throws(() => authFromEnv({}), (err: unknown) => err instanceof ConfigError && /No authentication is configured.*FINOPS_AUTH=none/.test(err.message));
    assert.throws(() => authFromEnv({ FINOPS_AUTH: 'off' }), /must be "none"/);
    assert.throws(() => authFromEnv({ FINOPS_OIDC_ISSUER: 'https://idp.example' }), /needs both FINOPS_OIDC_ISSUER and FINOPS_OIDC_AUDIENCE/);
    assert.throws(() => authFromEnv({ FINOPS_OIDC_ISSUER: 'idp.example', FINOPS_OIDC_AUDIENCE: 'x' }), /must be an http\(s\) URL/);
    assert.throws(() => authFromEnv({ FINOPS_API_KEYS_FILE: '/nonexistent/keys.json' }), /cannot read \/nonexistent\/keys\.json \(ENOENT\)/);
    assert.throws(() => authFromEnv({ FINOPS_API_KEYS: '{"keys": 1}' }), /FINOPS_API_KEYS is not a valid API key file/);

    const dir = mkdtempSync(join(tmpdir(), 'finops-keys-'));
    const file = join(dir, 'keys.json');
    writeFileSync(file, JSON.stringify({ keys: [keysFor.acme.entry] }));
    const setup = authFromEnv({ FINOPS_API_KEYS_FILE: file, FINOPS_OIDC_ISSUER: idp.issuer, FINOPS_OIDC_AUDIENCE: AUDIENCE, FINOPS_OIDC_TENANT_CLAIM: 'custom:tenant' });
    assert.equal(setup.mode, 'required');
    assert.match(setup.description, /1 API key and OIDC tokens from .* \(tenant claim "custom:tenant"\)/);
    assert.throws(() => authFromEnv({ FINOPS_API_KEYS_FILE: file, FINOPS_API_KEYS: '{"keys":[]}' }), /not both/);
  });
});
