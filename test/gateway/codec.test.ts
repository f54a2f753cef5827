/**
 * The Temporal Web UI's remote codec, over real HTTP against the gateway: a report-sized payload that
 * the worker's codec put in the store by reference comes back whole for an operator; inline payloads
 * come back as they are; tenant-scoped and anonymous callers are refused; the UI's origin gets CORS
 * (preflight without credentials), other origins do not; bad bodies are 4xx with a clear message.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { LocalFileStore } from '../../src/activities/store';
import type { Authenticator } from '../../src/gateway/auth';
import { codecOriginsFromEnv } from '../../src/gateway/routes/codec';
import { REFERENCE_ENCODING, StorePayloadCodec } from '../../src/payload-references';
import { startHarness, type Harness } from './harness';

const UI = 'http://localhost:8233';
const callers: Authenticator = (req) => {
  const key = req.headers['x-api-key'];
  if (key === 'operator') return { subject: 'ops', tenants: 'all', via: 'api-key' };
  if (key === 'tenant-a') return { subject: 'a', tenants: ['a'], via: 'api-key' };
  return undefined;
};

let h: Harness;
let url: string;
const store = new LocalFileStore(mkdtempSync(join(tmpdir(), 'finops-codec-')));
const codec = new StorePayloadCodec(store, 1024);

before(async () => {
  h = await startHarness();
  ({ url } = await h.gateway({ authenticate: callers, store, codecOrigins: [UI] }));
});
after(async () => {
  await h?.close();
});

const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data!).toString('base64'),
});
const valueOf = (p: { metadata: Record<string, string>; data: string }) =>
  defaultPayloadConverter.fromPayload({
    metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
    data: new Uint8Array(Buffer.from(p.data, 'base64')),
  });

function decode(body: unknown, headers: Record<string, string> = { 'x-api-key': 'operator' }) {
  return fetch(`${url}/codec/decode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: UI, 'x-namespace': 'default', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('codec endpoint for the Temporal Web UI', () => {
  test('an operator gets a referenced payload back whole; inline payloads and unknown references come back as they are', async () => {
    const report = { analysisId: 'analysis/a/20260101-1200-ab', findings: Array.from({ length: 200 }, (_, i) => ({ rank: i, title: `finding ${i}` })) };
    const [referenced] = await codec.encode([defaultPayloadConverter.toPayload(report)]);
    assert.equal(Buffer.from(referenced!.metadata!.encoding!).toString(), REFERENCE_ENCODING, 'the history holds a reference');
    const inline = defaultPayloadConverter.toPayload({ small: true });
    const [gone] = await new StorePayloadCodec(new LocalFileStore(mkdtempSync(join(tmpdir(), 'finops-codec-other-'))), 1024).encode([
      defaultPayloadConverter.toPayload({ elsewhere: 'x'.repeat(2000) }),
    ]);

    const response = await decode({ payloads: [toJson(referenced!), toJson(inline), toJson(gone!)] });
    assert.equal(response.status, 200, await response.clone().text());
    assert.equal(response.headers.get('access-control-allow-origin'), UI);
    const body = (await response.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    assert.equal(body.payloads.length, 3);
    assert.deepEqual(valueOf(body.payloads[0]!), report);
    assert.deepEqual(body.payloads[1], toJson(inline));
    assert.deepEqual(body.payloads[2], toJson(gone!), 'a reference whose object is not in this store is shown as it is');
  });

  test('callers who are not operators cannot decode: tenant-scoped 403, anonymous 401', async () => {
    const [referenced] = await codec.encode([defaultPayloadConverter.toPayload({ secret: 'y'.repeat(2000) })]);
    const scoped = await decode({ payloads: [toJson(referenced!)] }, { 'x-api-key': 'tenant-a' });
    assert.equal(scoped.status, 403);
    const scopedBody = (await scoped.json()) as { error: { code: string; message: string } };
    assert.equal(scopedBody.error.code, 'forbidden');
    assert.doesNotMatch(JSON.stringify(scopedBody), /yyyy/, 'nothing of the payload leaks');
    const anonymous = await decode({ payloads: [toJson(referenced!)] }, {});
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('access-control-allow-origin'), UI, 'the UI can read the error');
  });

  test('CORS: the UI origin gets a preflight answer without credentials; other origins get no CORS headers', async () => {
    const preflight = await fetch(`${url}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: UI, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace,authorization' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), UI);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /X-Namespace/);
    assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/);
    const other = await fetch(`${url}/codec/decode`, { method: 'OPTIONS', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null, 'decoy: another origin is not allowed');
  });

  test('bad input is a clear 4xx, never a 5xx', async () => {
    const cases: [unknown, number, RegExp][] = [
      [{}, 400, /payloads/],
      [{ payloads: 'x' }, 400, /payloads/],
      [{ payloads: [null] }, 400, /payloads\[0\]/],
      [{ payloads: [{ data: '***' }] }, 400, /base64/],
      [{ payloads: [{ metadata: { encoding: 7 }, data: '' }] }, 400, /metadata\.encoding/],
      ['{not json', 400, /JSON/],
    ];
    for (const [body, status, message] of cases) {
      const response = await decode(body);
      assert.equal(response.status, status, JSON.stringify(body));
      assert.match(((await response.json()) as { error: { message: string } }).error.message, message);
    }
    const text = await fetch(`${url}/codec/decode`, { method: 'POST', headers: { 'x-api-key': 'operator', 'content-type': 'text/plain' }, body: 'x' });
    assert.equal(text.status, 415);
    const get = await fetch(`${url}/codec/decode`, { headers: { 'x-api-key': 'operator' } });
    assert.equal(get.status, 405);
  });

  test('the allowed origins come from FINOPS_CODEC_CORS_ORIGINS, and a bad one is named', () => {
    assert.deepEqual(codecOriginsFromEnv({}), ['http://localhost:8233', 'http://127.0.0.1:8233']);
    assert.deepEqual(codecOriginsFromEnv({ FINOPS_CODEC_CORS_ORIGINS: 'https://ui.example.com/, http://127.0.0.1:8080' }), ['https://ui.example.com', 'http://127.0.0.1:8080']);
    assert.throws(() => codecOriginsFromEnv({ FINOPS_CODEC_CORS_ORIGINS: 'https://ui.example.com/path' }), /FINOPS_CODEC_CORS_ORIGINS.*ui\.example\.com\/path/);
    assert.throws(() => codecOriginsFromEnv({ FINOPS_CODEC_CORS_ORIGINS: 'ftp://x' }), /not an origin/);
  });
});
