/** Fault injection, request counting and the /__sim admin API. */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type CostExplorerClient,
  CostExplorerServiceException,
  GetCostAndUsageCommand,
  LimitExceededException,
  type GetCostAndUsageCommandInput,
} from '@aws-sdk/client-cost-explorer';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { FaultRuleError } from '../../src/sim/faults';
import { SERVICE } from '../../src/sim/scenario';
import type { RunningSimulator } from '../../src/sim/server';
import { ANCHOR, ceClient, startTestSimulator } from './helpers';

let sim: RunningSimulator;
let client: CostExplorerClient;

before(async () => {
  sim = await startTestSimulator();
  client = ceClient(sim, { maxAttempts: 1 });
});

after(async () => {
  client.destroy();
  await sim.close();
});

beforeEach(() => {
  sim.setFaults([]);
  sim.resetStats();
});

function query(service?: string): GetCostAndUsageCommand {
  const input: GetCostAndUsageCommandInput = {
    TimePeriod: { Start: '2025-06-01', End: ANCHOR },
    Granularity: 'MONTHLY',
    Metrics: ['UnblendedCost'],
    ...(service ? { Filter: { Dimensions: { Key: 'SERVICE', Values: [service] } } } : {}),
  };
  return new GetCostAndUsageCommand(input);
}

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return (error as Error).name;
  }
}

test('AccessDeniedException for one service only', async () => {
  sim.setFaults([{ operation: 'GetCostAndUsage', error: 'AccessDeniedException', whenService: SERVICE.rds }]);
  await assert.rejects(client.send(query(SERVICE.rds)), (error: unknown) => {
    assert.ok(error instanceof CostExplorerServiceException);
    assert.equal(error.name, 'AccessDeniedException');
    assert.equal(error.$metadata.httpStatusCode, 400);
    assert.match(error.message, /not authorized to perform: ce:GetCostAndUsage/);
    return true;
  });
  await client.send(query(SERVICE.ec2Compute));
  await client.send(query());
  assert.deepEqual(sim.stats(), { 'ce:GetCostAndUsage': 3 });
  assert.equal(sim.faults()[0]?.applied, 1);
});

test('throttling for the first N requests only (LimitExceededException, typed)', async () => {
  sim.setFaults([{ operation: 'ce:GetCostAndUsage', error: 'LimitExceededException', count: 2 }]);
  for (let i = 0; i < 2; i++) {
    await assert.rejects(client.send(query()), (error: unknown) => {
      assert.ok(error instanceof LimitExceededException);
      assert.equal(error.$metadata.httpStatusCode, 400);
      assert.equal(error.message, 'Rate exceeded');
      return true;
    });
  }
  await client.send(query());
  assert.deepEqual(sim.stats(), { 'ce:GetCostAndUsage': 3 });
});

test("the SDK's own retries ride out a throttled request", async () => {
  sim.setFaults([{ operation: '*', error: 'LimitExceededException', count: 1 }]);
  const retrying = ceClient(sim);
  try {
    const out = await retrying.send(query());
    assert.equal(out.ResultsByTime?.length, 1);
    assert.equal(out.$metadata.attempts, 2);
  } finally {
    retrying.destroy();
  }
  assert.deepEqual(sim.stats(), { 'ce:GetCostAndUsage': 2 });
});

test('InternalServerError is a 500 server fault; DataUnavailableException is typed', async () => {
  sim.setFaults([
    { operation: 'GetCostAndUsage', error: 'InternalServerError', count: 1 },
    { operation: 'GetCostAndUsage', error: 'DataUnavailableException', count: 1 },
  ]);
  await assert.rejects(client.send(query()), (error: unknown) => {
    assert.ok(error instanceof CostExplorerServiceException);
    assert.equal(error.name, 'InternalServerError');
    assert.equal(error.$fault, 'server');
    assert.equal(error.$metadata.httpStatusCode, 500);
    return true;
  });
  // The first rule is used up; the second now applies.
  await assert.rejects(client.send(query()), { name: 'DataUnavailableException' });
  await client.send(query());
});

test('latency is added before answering', async () => {
  sim.setFaults([{ operation: 'GetCostAndUsage', latencyMs: 200 }]);
  const started = performance.now();
  await client.send(query());
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 190, `took ${elapsed.toFixed(0)} ms`);
});

test('a rate is decided by a seeded PRNG: the same sequence every time the rules are set', async () => {
  const pattern = async (): Promise<string[]> => {
    sim.setFaults([{ operation: 'GetCostAndUsage', error: 'LimitExceededException', rate: 0.5 }]);
    const results: string[] = [];
    for (let i = 0; i < 16; i++) results.push(await outcome(client.send(query())));
    return results;
  };
  const first = await pattern();
  const second = await pattern();
  assert.deepEqual(second, first);
  assert.ok(first.includes('ok') && first.includes('LimitExceededException'), first.join(','));
});

test('setFaults refuses invalid rules with clear messages', () => {
  assert.throws(
    () => sim.setFaults([{ operation: 'GetCostAndUsag', error: 'AccessDeniedException' }]),
    (error: unknown) =>
      error instanceof FaultRuleError &&
      /matches no operation the sample account serves \(.*\bce:GetCostAndUsage\b.*\)/.test(error.message),
  );
  assert.throws(() => sim.setFaults([{ operation: '*' }]), /needs an error, a latencyMs, or both/);
  assert.throws(() => sim.setFaults([{ operation: '*', error: 'LimitExceededException', rate: 2 }]), /\[0\]\.rate/);
});

test('admin API: health, stats, faults', async () => {
  const health = (await (await fetch(`${sim.url}/__sim/health`)).json()) as Record<string, unknown>;
  assert.equal(health['status'], 'ok');
  assert.equal(health['anchorDate'], ANCHOR);
  const operations = health['operations'] as string[];
  assert.ok(operations.includes('ce:GetCostAndUsage'), operations.join(', '));
  assert.equal(new Set(operations).size, operations.length, 'each operation is listed once');

  await client.send(query());
  await client.send(query());
  assert.deepEqual(await (await fetch(`${sim.url}/__sim/stats`)).json(), { 'ce:GetCostAndUsage': 2 });
  const reset = await fetch(`${sim.url}/__sim/stats/reset`, { method: 'POST' });
  assert.equal(reset.status, 200);
  assert.deepEqual(sim.stats(), {});

  const put = (body: unknown): Promise<Response> =>
    fetch(`${sim.url}/__sim/faults`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  const bad = await put([{ operation: 'GetCostAndUsage', error: 'AccessDeniedException', rate: 'often', colour: 'red' }]);
  assert.equal(bad.status, 400);
  const badBody = (await bad.json()) as { error: string; details: string[] };
  assert.equal(badBody.error, 'invalid fault rules');
  assert.ok(
    badBody.details.some((d) => d.startsWith('[0].rate')),
    badBody.details.join('; '),
  );
  assert.ok(
    badBody.details.some((d) => d.includes('colour')),
    badBody.details.join('; '),
  );
  assert.equal((await put('{not json')).status, 400);
  assert.equal((await put({ operation: '*' })).status, 400, 'an object instead of an array');

  const good = await put([{ operation: 'GetCostAndUsage', error: 'AccessDeniedException', count: 1 }]);
  assert.equal(good.status, 200);
  await assert.rejects(client.send(query()), { name: 'AccessDeniedException' });
  const listed = (await (await fetch(`${sim.url}/__sim/faults`)).json()) as Array<Record<string, unknown>>;
  assert.deepEqual(listed, [{ operation: 'GetCostAndUsage', error: 'AccessDeniedException', count: 1, applied: 1 }]);
  // What GET returns can be PUT back.
  assert.equal((await put(listed)).status, 200);

  const cleared = await fetch(`${sim.url}/__sim/faults`, { method: 'DELETE' });
  assert.deepEqual(await cleared.json(), []);
  await client.send(query());

  assert.equal((await fetch(`${sim.url}/__sim/nope`)).status, 404);
  const wrongMethod = await fetch(`${sim.url}/__sim/stats`, { method: 'DELETE' });
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.headers.get('allow'), 'GET');
});

test('injected errors are marked on the wire', async () => {
  sim.setFaults([{ operation: '*', error: 'LimitExceededException', message: 'slow down please' }]);
  const response = await fetch(sim.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AWSInsightsIndexService.GetCostAndUsage' },
    body: '{}',
  });
  assert.equal(response.status, 400);
  assert.equal(response.headers.get('x-finops-sim-fault'), 'injected');
  assert.deepEqual(await response.json(), { __type: 'LimitExceededException', message: 'slow down please' });
});

test('a fault for one Region only: AuthFailure there, as EC2 answers in a Region not enabled for the account', async () => {
  sim.setFaults([{ operation: 'ec2:*', region: 'eu-west-1', error: 'AuthFailure' }]);
  const ec2 = (region: string) =>
    new EC2Client({ endpoint: sim.url, region, maxAttempts: 1, credentials: { accessKeyId: 'AKIAFAULTS0000000000', secretAccessKey: 's' } });
  await assert.rejects(ec2('eu-west-1').send(new DescribeInstancesCommand({})), (error: unknown) => {
    assert.equal((error as Error).name, 'AuthFailure');
    assert.equal((error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode, 401);
    return true;
  });
  await ec2('us-east-1').send(new DescribeInstancesCommand({}));
  assert.equal(sim.faults()[0]?.applied, 1);
  assert.throws(() => sim.setFaults([{ operation: 'ec2:*', region: 'Europe', error: 'AuthFailure' }]), FaultRuleError);
});
