/** Wire details checked with raw HTTP: content types, __type, Coral framework errors. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningSimulator } from '../../src/sim/server';
import { ANCHOR, startTestSimulator } from './helpers';

let sim: RunningSimulator;

before(async () => {
  sim = await startTestSimulator();
});

after(async () => {
  await sim.close();
});

const VALID_BODY = JSON.stringify({
  TimePeriod: { Start: '2025-06-01', End: ANCHOR },
  Granularity: 'MONTHLY',
  Metrics: ['UnblendedCost'],
});

async function call(target: string | undefined, body: string, contentType = 'application/x-amz-json-1.1'): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': contentType };
  if (target !== undefined) headers['X-Amz-Target'] = target;
  return fetch(sim.url, { method: 'POST', headers, body });
}

async function errorOf(response: Response): Promise<{ status: number; type: unknown; message: unknown; header: string | null }> {
  assert.equal(response.headers.get('content-type'), 'application/x-amz-json-1.1');
  assert.ok(response.headers.get('x-amzn-requestid'));
  const body = (await response.json()) as Record<string, unknown>;
  return {
    status: response.status,
    type: body['__type'],
    message: body['message'] ?? body['Message'],
    header: response.headers.get('x-amzn-errortype'),
  };
}

test('a successful call answers application/x-amz-json-1.1 with a request id', async () => {
  const response = await call('AWSInsightsIndexService.GetCostAndUsage', VALID_BODY);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/x-amz-json-1.1');
  assert.match(response.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
  const body = (await response.json()) as { ResultsByTime: Array<{ Total: Record<string, { Amount: string; Unit: string }> }> };
  assert.equal(body.ResultsByTime.length, 1);
  assert.equal(body.ResultsByTime[0]?.Total['UnblendedCost']?.Unit, 'USD');
  assert.equal(typeof body.ResultsByTime[0]?.Total['UnblendedCost']?.Amount, 'string');
  assert.ok(!('NextPageToken' in body), 'no NextPageToken on the last page');
});

test('ValidationException: HTTP 400, __type, x-amzn-ErrorType and a message', async () => {
  const error = await errorOf(
    await call('AWSInsightsIndexService.GetCostAndUsage', JSON.stringify({ Granularity: 'DAILY', Metrics: ['UnblendedCost'] })),
  );
  assert.deepEqual(
    { status: error.status, type: error.type, header: error.header },
    { status: 400, type: 'ValidationException', header: 'ValidationException' },
  );
  assert.match(
    String(error.message),
    /1 validation error detected: Value null at 'timePeriod' failed to satisfy constraint: Member must not be null/,
  );
});

test('an unknown operation of a known service is UnknownOperationException', async () => {
  const error = await errorOf(await call('AWSInsightsIndexService.GetCostAndUsageTypo', VALID_BODY));
  assert.equal(error.status, 400);
  assert.equal(error.type, 'com.amazon.coral.service#UnknownOperationException');
  assert.equal(error.header, 'UnknownOperationException');
  assert.match(String(error.message), /GetCostAndUsageTypo/);
});

test('an unknown or missing service prefix is UnknownOperationException naming what is served', async () => {
  const unknown = await errorOf(await call('DynamoDB_20120810.ListTables', '{}'));
  assert.equal(unknown.status, 400);
  assert.equal(unknown.header, 'UnknownOperationException');
  assert.match(String(unknown.message), /does not serve the service 'DynamoDB_20120810'.*AWSInsightsIndexService/);

  const missing = await errorOf(await call(undefined, VALID_BODY));
  assert.equal(missing.header, 'UnknownOperationException');
  assert.match(String(missing.message), /Missing X-Amz-Target/);

  const bare = await errorOf(await fetch(`${sim.url}/some/path`));
  assert.equal(bare.status, 400);
  assert.equal(bare.header, 'UnknownOperationException');
});

test('malformed JSON and wrong member types are SerializationException', async () => {
  for (const body of ['{"TimePeriod": ', '', '[1,2]', '"text"']) {
    const error = await errorOf(await call('AWSInsightsIndexService.GetCostAndUsage', body));
    assert.equal(error.status, 400, body);
    assert.equal(error.type, 'com.amazon.coral.service#SerializationException');
    assert.equal(error.header, 'SerializationException');
  }
  const wrongType = await errorOf(
    await call(
      'AWSInsightsIndexService.GetCostAndUsage',
      JSON.stringify({ TimePeriod: { Start: '2025-06-01', End: ANCHOR }, Granularity: 'DAILY', Metrics: 'UnblendedCost' }),
    ),
  );
  assert.equal(wrongType.header, 'SerializationException');
  assert.match(String(wrongType.message), /Expected a list .* at 'Metrics'/);
});

test('hostile input never takes the simulator down', async () => {
  const deep = '{"Filter":'.repeat(5000) + '{}' + '}'.repeat(5000);
  const bodies = [
    deep,
    JSON.stringify({ TimePeriod: { Start: 5, End: null }, Granularity: 'DAILY', Metrics: ['UnblendedCost'] }),
    JSON.stringify({
      TimePeriod: { Start: '2025-06-01', End: ANCHOR },
      Granularity: 'DAILY',
      Metrics: ['UnblendedCost'],
      GroupBy: [null, 3],
    }),
    JSON.stringify({
      TimePeriod: { Start: '2025-06-01', End: ANCHOR },
      Granularity: 'DAILY',
      Metrics: ['UnblendedCost'],
      Filter: { Not: { Not: { Not: { Not: { Not: { Not: { Not: { Not: { Not: { Not: { Not: { Not: {} } } } } } } } } } } } },
    }),
    JSON.stringify({
      TimePeriod: { Start: '2025-06-01', End: ANCHOR },
      Granularity: 'DAILY',
      Metrics: ['UnblendedCost'],
      Filter: { Tags: { Key: 'A', Values: [1] } },
    }),
    JSON.stringify({
      TimePeriod: { Start: '2025-06-01', End: ANCHOR },
      Granularity: 'DAILY',
      Metrics: ['UnblendedCost'],
      NextPageToken: 42,
    }),
  ];
  for (const body of bodies) {
    const response = await call('AWSInsightsIndexService.GetCostAndUsage', body);
    assert.equal(response.status, 400, body.slice(0, 80));
    await response.arrayBuffer();
  }
  const tooBig = await call('AWSInsightsIndexService.GetCostAndUsage', `{"x":"${'a'.repeat(9 * 1024 * 1024)}"}`);
  assert.equal(tooBig.status, 413);
  await tooBig.arrayBuffer();
  const health = await fetch(`${sim.url}/__sim/health`);
  assert.equal(health.status, 200);
  assert.equal(((await health.json()) as { status: string }).status, 'ok');
});
