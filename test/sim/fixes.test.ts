/**
 * The sample account plays a resource being fixed: POST /__sim/fixes changes the resource's cost from a day
 * on (Cost Explorer's resource-level data shows it) and its inventory (EC2 no longer lists a deleted
 * instance, shows a stopped one as stopped); bad fixes are refused with the problems named.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Big from 'big.js';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CostExplorerClient, GetCostAndUsageWithResourcesCommand } from '@aws-sdk/client-cost-explorer';
import { addDays } from '../../src/domain/period';
import { generateScenario } from '../../src/sim/scenario';
import { startSimulator, type RunningSimulator } from '../../src/sim/server';

const ANCHOR = '2025-06-15';
let sim: RunningSimulator;
const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };

before(async () => {
  // Its own scenario: fixes change it in place.
  sim = await startSimulator({ port: 0, scenario: generateScenario({ seed: 7, anchorDate: ANCHOR }) });
});
after(() => sim?.close());

async function dailyCost(resourceId: string): Promise<Map<string, Big>> {
  const ce = new CostExplorerClient({ region: 'us-east-1', endpoint: sim.url, credentials });
  const out = await ce.send(
    new GetCostAndUsageWithResourcesCommand({
      TimePeriod: { Start: addDays(ANCHOR, -13), End: ANCHOR },
      Granularity: 'DAILY',
      Metrics: ['UnblendedCost'],
      Filter: { Dimensions: { Key: 'RESOURCE_ID', Values: [resourceId] } },
    }),
  );
  return new Map((out.ResultsByTime ?? []).map((r) => [r.TimePeriod!.Start!, new Big(r.Total?.UnblendedCost?.Amount ?? '0')]));
}

async function instanceIds(): Promise<Map<string, string>> {
  const ec2 = new EC2Client({ region: sim.scenario.instances[0]!.region, endpoint: sim.url, credentials });
  const out = await ec2.send(new DescribeInstancesCommand({}));
  return new Map((out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => [i.InstanceId!, i.State?.Name ?? '']));
}

test('resize, stop and delete change the cost from the day on, and the inventory', async () => {
  const region = sim.scenario.instances[0]!.region;
  const running = sim.scenario.instances.filter((i) => i.state === 'running' && i.region === region && i.account === sim.scenario.accounts[0]!.id);
  assert.ok(running.length >= 3);
  const [resized, stopped, deleted] = running as [typeof running[0], typeof running[0], typeof running[0]];
  const from = addDays(ANCHOR, -5);
  const before = await dailyCost(resized.instanceId);

  const post = (body: unknown) => fetch(`${sim.url}/__sim/fixes`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal((await post({ resourceId: resized.instanceId, action: 'resize', from, factor: 0.5, instanceType: 'm5.large' })).status, 200);
  const after = await dailyCost(resized.instanceId);
  for (const [date, amount] of before) {
    const expected = date < from ? amount : amount.div(2);
    assert.ok(after.get(date)!.minus(expected).abs().lte('0.0000001'), `${date}: ${after.get(date)?.toString()} vs ${expected.toString()}`);
  }
  assert.equal(sim.scenario.instances.find((i) => i.instanceId === resized.instanceId)?.instanceType, 'm5.large');

  assert.equal((await post({ resourceId: stopped.instanceId, action: 'stop', from })).status, 200);
  assert.equal((await post({ resourceId: deleted.instanceId, action: 'delete', from })).status, 200);
  const listed = await instanceIds();
  assert.equal(listed.get(stopped.instanceId), 'stopped');
  assert.equal(listed.has(deleted.instanceId), false, 'a deleted instance is no longer listed');
  const gone = await dailyCost(deleted.instanceId);
  assert.ok([...gone].every(([date, amount]) => (date < from ? amount.gt(0) : amount.eq(0))), 'no cost from the day of the fix');
  const fixes = (await (await fetch(`${sim.url}/__sim/fixes`)).json()) as { resourceId: string; rowsChanged: number }[];
  assert.deepEqual(fixes.map((f) => f.resourceId), [resized.instanceId, stopped.instanceId, deleted.instanceId]);
  assert.ok(fixes.every((f) => f.rowsChanged > 0));
});

test('bad fixes are refused with the problems named', async () => {
  const post = (body: string) => fetch(`${sim.url}/__sim/fixes`, { method: 'POST', body });
  const problems = async (body: unknown) => {
    const response = await post(JSON.stringify(body));
    assert.equal(response.status, 400);
    return ((await response.json()) as { details: string[] }).details.join('; ');
  };
  assert.match(await problems({ resourceId: 'i-nope', action: 'delete', from: ANCHOR }), /not a resource of the sample account/);
  assert.match(await problems({ resourceId: 'i-1', action: 'paint', from: ANCHOR }), /action: one of stop, delete, resize/);
  assert.match(await problems({ resourceId: 'i-1', action: 'delete', from: addDays(ANCHOR, 1) }), /from: between/);
  assert.match(await problems({ resourceId: 'i-1', action: 'resize', from: ANCHOR, factor: 2 }), /factor/);
  assert.equal((await post('not json')).status, 400);
});
