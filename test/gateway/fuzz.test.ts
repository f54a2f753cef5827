/**
 * No input causes a 5xx: thousands of generated requests (fast-check) against a real gateway on a real
 * Temporal dev server, written byte for byte on raw sockets so nothing in a client library tidies them
 * up: malformed and oversized IDs (`%E0%A4%A`, `%ZZ`, overlong UTF-8, dot segments), query strings with
 * repeated and odd keys, any method, content types, content encodings that lie (`gzip` over plain text),
 * charsets, credentials good and bad, and bodies from valid requests to random bytes. Then thousands of
 * generated WebSocket messages. Every answer must be below 500, no WebSocket error may be `internal`,
 * the gateway must log no error and keep serving.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { ApiKeyStore, generateApiKey } from '../../src/gateway/api-keys';
import { credentialAuthenticator } from '../../src/gateway/auth';
import type { LogRecord } from '../../src/gateway/log';
import type { ServerMessage } from '../../src/gateway/protocol';
import { startFixture, type Harness, requestBody, startHarness, TestSocket } from './harness';

const acme = generateApiKey('fuzz', ['acme']);
const operator = generateApiKey('fuzz-ops', '*');

let h: Harness;
let port: number;
let wsUrl: string;
let knownId: string;
const logged: LogRecord[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

before(async () => {
  process.on('unhandledRejection', onUnhandled);
  h = await startHarness();
  const started = await h.gateway({
    authenticate: credentialAuthenticator({ apiKeys: new ApiKeyStore([acme.entry, operator.entry]) }),
    queryTimeoutMs: 500,
    dashboard: false,
    log: (record) => logged.push(record),
    // The fuzzer sends as fast as it can; the per-connection message limit is tested elsewhere.
    ws: { messagesPerSecond: 100_000, messageBurst: 100_000 },
  });
  port = Number(new URL(started.url).port);
  wsUrl = started.wsUrl;
  knownId = await startFixture(h.client, h.taskQueue, { tenant: 'acme' });
});
after(async () => {
  process.off('unhandledRejection', onUnhandled);
  await h?.close();
});

/** One raw HTTP/1.1 exchange; resolves with the status code (undefined when the server just closed). */
function rawRequest(head: string, body: Buffer): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within 15 s to ${JSON.stringify(head.slice(0, 300))}`));
    }, 15_000);
    socket.on('connect', () => socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body])));
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(received);
      if (match) {
        clearTimeout(timer);
        socket.destroy();
        resolve(Number(match[1]));
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(received);
      resolve(match ? Number(match[1]) : undefined);
    });
  });
}

const MALFORMED_ESCAPES = ['%', '%E0%A4%A', '%ZZ', '%C0%AF', '%ED%A0%80', '%FF%FE', '%00', '%2e%2e', '..', '%2F..%2F', '%25', '%F0%9F%92', '%u0041', '%%', '%E2%82'];

/** Path segments: valid-looking IDs, other tenants', malformed escapes, junk, long runs. */
const segment = fc.oneof(
  fc.constant('KNOWN'),
  fc.constantFrom(...MALFORMED_ESCAPES),
  fc.constantFrom('analysis%2Facme%2F20261121-0930-abc123', 'analysis%2Fglobex%2F20261121-0930-abc123', 'review%2Facme%2Fall', 'review%2Facme%2F%E0%A4%A', 'analysis%2Facme%2F'),
  fc.string({ maxLength: 40 }).map((s) => encodeURIComponent(s)),
  fc.array(fc.constantFrom(...MALFORMED_ESCAPES, 'a', '/', 'analysis', '%2F', '-', '9'), { maxLength: 12 }).map((parts) => parts.join('')),
  fc.integer({ min: 200, max: 9000 }).map((n) => 'a'.repeat(n)),
);

const ROUTES = [
  '/api/analyses', '/api/analyses/:id', '/api/analyses/:id/report', '/api/analyses/:id/cancel', '/api/analyses/:id/questions',
  '/api/schedules', '/api/schedules/:id', '/api/schedules/:id/pause', '/api/schedules/:id/trigger', '/api/schedules/:id/backfill',
  '/api/schedules/:id/reviews', '/api/schedules/:id/reviews/:id', '/api/me', '/api/agents', '/api/openapi.json', '/api/:id',
  '/healthz', '/readyz', '/metrics', '/:id', '/assets/:id',
];

const queryPart = fc.oneof(
  fc.constantFrom('pageSize=0', 'pageSize=-1', 'pageSize=1e9', 'pageSize=%ZZ', 'pageSize=1&pageSize=2', 'status=RUNNING,BOGUS', 'account=12', 'startedAfter=2026-13-45', 'startedBefore=%E0%A4%A', 'tenant=ACME', 'tenant=acme', 'format=md', 'format=csv', 'format=pdf', 'table=x', 'pageToken=!!!', 'pageToken=AAAA', 'a[b][c]=1', '__proto__=1', 'constructor[prototype]=1'),
  fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 30 })).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`),
  fc.constantFrom(...MALFORMED_ESCAPES),
);

const validBody = fc.record({
  tenant: fc.constantFrom('acme', 'globex', 'ACME', '', undefined),
  accounts: fc.oneof(fc.constant(['123456789012']), fc.array(fc.string({ maxLength: 14 }), { maxLength: 3 }), fc.constant('123456789012')),
  agents: fc.oneof(fc.constant(undefined), fc.constant(['ec2']), fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 })),
  period: fc.oneof(fc.constant(undefined), fc.constant({ start: '2025-01-01', end: '2025-02-01' }), fc.record({ start: fc.string(), end: fc.string() })),
  question: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 60 })),
});

const bodyBytes = fc.oneof(
  fc.constant(Buffer.alloc(0)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  validBody.map((b) => Buffer.from(JSON.stringify(b))),
  fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.constant(gzipSync(JSON.stringify(requestBody({ tenant: 'acme' })))),
  fc.constant(gzipSync(JSON.stringify(requestBody())).subarray(0, 20)),
  fc.constant(brotliCompressSync('{"tenant":"acme"}')),
  fc.constant(Buffer.from('{"a":'.repeat(3000))),
  fc.constant(Buffer.from(JSON.stringify({ tenant: 'acme', requestedBy: 'someone else' }))),
  fc.integer({ min: 60 * 1024, max: 80 * 1024 }).map((n) => Buffer.from(`"${'x'.repeat(n)}"`)),
);

const headerValue = fc.string({ maxLength: 60 }).map((s) => s.replace(/[\r\n]/g, ''));

const headers = fc.record(
  {
    'content-type': fc.oneof(fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/merge-patch+json', ''), headerValue),
    'content-encoding': fc.oneof(fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'gzip, br', 'compress', 'x-gzip', 'GZIP'), headerValue),
    accept: fc.oneof(fc.constantFrom('text/csv', 'text/markdown', 'application/xml', '*/*', 'text/*;q=0', ''), headerValue),
    credential: fc.oneof(
      { arbitrary: fc.constant(`X-API-Key: ${acme.key}`), weight: 8 },
      { arbitrary: fc.constant(`Authorization: Bearer ${operator.key}`), weight: 4 },
      fc.constant(`Authorization: Bearer ${acme.key}x`),
      fc.constant('Authorization: Basic Zm9vOmJhcg=='),
      fc.constant('Authorization: Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'),
      headerValue.map((v) => `X-API-Key: ${v}`),
      headerValue.map((v) => `Authorization: ${v}`),
    ),
    extra: fc.array(fc.tuple(fc.constantFrom('X-Forwarded-For', 'Range', 'If-None-Match', 'Transfer-Encoding', 'Expect', 'Origin', 'Cookie', 'X-Custom', 'Accept-Charset', 'Accept-Encoding'), headerValue), { maxLength: 2 }),
  },
  { requiredKeys: ['credential'] },
);

/** Requests shaped like real starts (so the run reaches Temporal too), with their headers still fuzzed. */
const startArb = fc.record({
  method: fc.constant('POST'),
  route: fc.constantFrom('/api/analyses', '/api/schedules'),
  ids: fc.constant(['x', 'x']).map((ids) => [...ids]),
  query: fc.array(queryPart, { maxLength: 1 }),
  headers: fc.record({
    'content-type': fc.constantFrom('application/json', 'application/json; charset=utf-8'),
    credential: fc.constant(`X-API-Key: ${acme.key}`),
    extra: fc.constant([] as never[]),
  }),
  body: fc.oneof(
    validBody.map((b) => Buffer.from(JSON.stringify(b))),
    fc.constant(Buffer.from(JSON.stringify(requestBody({ tenant: 'acme', agents: ['ec2'] })))),
    fc.constant(Buffer.from(JSON.stringify({ tenant: 'acme', scope: 'fuzz', accounts: ['123456789012'] }))),
  ),
  chunked: fc.boolean(),
});

const anyRequestArb = fc.record({
  method: fc.constantFrom('GET', 'GET', 'POST', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD'),
  route: fc.constantFrom(...ROUTES),
  ids: fc.array(segment, { minLength: 2, maxLength: 2 }),
  query: fc.array(queryPart, { maxLength: 4 }),
  headers,
  body: bodyBytes,
  chunked: fc.boolean(),
});

const requestArb = fc.oneof({ arbitrary: anyRequestArb, weight: 9 }, { arbitrary: startArb, weight: 1 });

type FuzzRequest = typeof anyRequestArb extends fc.Arbitrary<infer T> ? T : never;

function render(r: FuzzRequest): { head: string; body: Buffer } {
  let n = 0;
  const path = r.route.replace(/:id/g, () => {
    const seg = r.ids[n++ % r.ids.length]!;
    return seg === 'KNOWN' ? encodeURIComponent(knownId) : seg;
  });
  const query = r.query.length ? `?${r.query.join('&')}` : '';
  const lines = [`${r.method} ${path}${query} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', r.headers.credential];
  if (r.headers['content-type'] !== undefined) lines.push(`Content-Type: ${r.headers['content-type']}`);
  if (r.headers['content-encoding'] !== undefined) lines.push(`Content-Encoding: ${r.headers['content-encoding']}`);
  if (r.headers.accept !== undefined) lines.push(`Accept: ${r.headers.accept}`);
  for (const [name, value] of r.headers.extra ?? []) {
    // Framing headers are ours to set (a wrong length would only make both sides wait).
    if (name !== 'Transfer-Encoding') lines.push(`${name}: ${value}`);
  }
  let body = r.body;
  if (r.chunked && body.length > 0) {
    lines.push('Transfer-Encoding: chunked');
    body = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
  } else {
    lines.push(`Content-Length: ${body.length}`);
  }
  return { head: `${lines.join('\r\n')}\r\n\r\n`, body };
}

describe('fuzz: no input causes a 5xx', () => {
  test('the issue’s examples answer 400, not 500', async () => {
    for (const [head, body] of [
      [`GET /api/analyses/%E0%A4%A HTTP/1.1\r\nHost: x\r\nX-API-Key: ${acme.key}\r\nConnection: close\r\n\r\n`, Buffer.alloc(0)],
      [`POST /api/analyses HTTP/1.1\r\nHost: x\r\nX-API-Key: ${acme.key}\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 7\r\nConnection: close\r\n\r\n`, Buffer.from('{"a":1}')],
      [`POST /api/analyses HTTP/1.1\r\nHost: x\r\nX-API-Key: ${acme.key}\r\nContent-Type: application/json\r\nContent-Encoding: br\r\nContent-Length: 7\r\nConnection: close\r\n\r\n`, Buffer.from('{"a":1}')],
    ] as const) {
      assert.equal(await rawRequest(head, body), 400, head.split('\r\n')[0]);
    }
  });

  test('3,000 generated REST requests: zero 5xx, no crash, nothing logged as an error', async () => {
    const statuses = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(requestArb, async (r) => {
        const { head, body } = render(r);
        const status = await rawRequest(head, body);
        statuses.set(String(status), (statuses.get(String(status)) ?? 0) + 1);
        assert.ok(status === undefined || status < 500, `${status} for ${JSON.stringify(head.slice(0, 400))}; logged: ${JSON.stringify(logged.filter((l) => l.level === 'error').slice(-1))}`);
      }),
      { numRuns: 3000, endOnFailure: true },
    );
    // The run reached the routes, not only the authentication in front of them.
    for (const code of ['200', '202', '400', '404']) assert.ok((statuses.get(code) ?? 0) > 0, `some ${code} answers in ${JSON.stringify([...statuses])}`);
    assert.deepEqual(logged.filter((r) => r.level === 'error'), []);
    assert.deepEqual(unhandled, []);
    assert.equal(await rawRequest('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', Buffer.alloc(0)), 200);
  });

  test('2,000 generated WebSocket messages: no internal error, the connection and the gateway survive', async () => {
    const idArb = fc.oneof(fc.constant(knownId), fc.constantFrom(...MALFORMED_ESCAPES), fc.string({ maxLength: 300 }), fc.constant('analysis/globex/20261121-0930-abc'));
    const message = fc.oneof(
      fc.record({
        type: fc.constantFrom('subscribe', 'unsubscribe', 'ping', 'auth', 'bogus', ''),
        analysisId: fc.oneof(idArb, fc.jsonValue({ maxDepth: 2 })),
        epoch: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 30 }), fc.jsonValue({ maxDepth: 1 })),
        afterSeq: fc.oneof(fc.constant(undefined), fc.integer(), fc.double(), fc.string({ maxLength: 5 })),
        token: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 30 })),
      }, { requiredKeys: ['type'] }).map((m) => JSON.stringify(m)),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
      fc.string({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 100 }).map((a) => Buffer.from(a)),
    );
    const socket = await TestSocket.connect(wsUrl, { headers: { 'x-api-key': acme.key } });
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 20 }), async (batch) => {
        for (const m of batch) socket.ws.send(m);
        sent += batch.length;
        socket.send({ type: 'ping' });
        // Everything up to our ping's answer must be free of internal errors.
        for (;;) {
          const reply: ServerMessage = await socket.next(10_000);
          assert.ok(!(reply.type === 'error' && reply.code === 'internal'), JSON.stringify(reply));
          if (reply.type === 'pong') break;
        }
      }),
      { numRuns: 400, endOnFailure: true },
    );
    assert.ok(sent >= 2000, `${sent} messages sent`);
    socket.send({ type: 'ping' });
    for (let reply = await socket.next(); reply.type !== 'pong'; reply = await socket.next());
    socket.close();
    assert.deepEqual(logged.filter((r) => r.level === 'error'), []);
    assert.deepEqual(unhandled, []);
  });
});
