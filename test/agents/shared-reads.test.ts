/**
 * One analysis reads each inventory once and asks each price question once, whichever agents need them
 * (src/activities/inventory-reads.ts, PriceQueries in src/activities/agents/pricing.ts): the EC2, RDS and
 * tagging agents all list the same instances, volumes, snapshots, addresses and databases, and every
 * account's activity in a Region asks the same EBS, IPv4 and RDS storage prices. Through the user's path
 * (real Temporal dev server, the simulator, SDK clients), on the medium organisation (3 accounts, 3 Regions);
 * the report's request counts are what the simulator served.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PriceQueries, PriceReader } from '../../src/activities/agents/pricing';
import { AwsClientFactory } from '../../src/activities/aws-clients';
import { emptyUsage } from '../../src/domain/usage';
import { SIM_CREDENTIALS, startStack, type TestStack } from '../helpers/stack';
import { analyseScenario } from './ground-truth';

let stack: TestStack;
before(async () => {
  stack = await startStack({ size: 'medium', seed: 1, memberRoles: true });
});
after(async () => {
  await stack?.close();
});

test('each inventory is listed once per account and Region whatever agents need it, and the report counts what was served', async () => {
  const scenario = stack.sim.scenario;
  stack.sim.resetStats();
  const { report } = await analyseScenario(stack, ['ec2', 'rds', 'tagging', 'trusted-advisor'], 'shared-reads');
  const served = stack.sim.stats();
  const counted = report.usage?.requests ?? {};

  const targets = scenario.accounts.flatMap((a) => scenario.regions.map((region) => ({ account: a.id, region })));
  const here = (t: { account: string; region: string }) => (x: { account: string; region: string }) => x.account === t.account && x.region === t.region;
  const pages = (n: number, size: number) => Math.max(1, Math.ceil(n / size));
  const expected: Record<string, number> = {
    'ec2:DescribeInstances': targets.reduce((n, t) => n + pages(scenario.instances.filter(here(t)).length, 1000), 0),
    'ec2:DescribeVolumes': targets.reduce((n, t) => n + pages(scenario.volumes.filter(here(t)).length, 500), 0),
    'ec2:DescribeSnapshots': targets.reduce((n, t) => n + pages(scenario.snapshots.filter(here(t)).length, 1000), 0),
    'ec2:DescribeAddresses': targets.length,
    'rds:DescribeDBInstances': targets.reduce((n, t) => n + pages(scenario.databases.filter(here(t)).length, 100), 0),
  };
  for (const [op, n] of Object.entries(expected)) {
    assert.equal(served[op], n, `${op}: one listing per account and Region (three agents need it)`);
    assert.equal(counted[op], n, `${op}: the report counts each request once`);
  }

  assert.ok((served['pricing:GetProducts'] ?? 0) > 0, 'prices were read');
  assert.equal(counted['pricing:GetProducts'], served['pricing:GetProducts'], 'the report counts each price query once');
});

test('a price question is asked once per analysis, whichever activity asks first; another analysis asks again', async () => {
  const clients = new AwsClientFactory({ endpoint: stack.sim.url, credentials: SIM_CREDENTIALS, maxAttempts: 1 });
  const queries = new PriceQueries();
  const readers = [
    { analysisId: 'analysis/prices/a', usage: emptyUsage() },
    { analysisId: 'analysis/prices/a', usage: emptyUsage() },
    { analysisId: 'analysis/prices/b', usage: emptyUsage() },
  ].map((r) => ({ ...r, reader: new PriceReader(clients, r.usage, { queries, analysisId: r.analysisId }) }));
  stack.sim.resetStats();
  // The first two belong to one analysis and ask at the same moment; the third is another analysis.
  await Promise.all(readers.map((r) => r.reader.blockStorage('us-east-1')));
  const once = stack.sim.stats()['pricing:GetProducts'] ?? 0;
  assert.ok(once >= 2 && once % 2 === 0, `${once} requests: the same pages for each of the two analyses`);
  const [a1, a2, b] = readers as [(typeof readers)[number], (typeof readers)[number], (typeof readers)[number]];
  assert.equal((a1.usage.requests['pricing:GetProducts'] ?? 0) + (a2.usage.requests['pricing:GetProducts'] ?? 0), once / 2, 'one of the two made them');
  assert.equal(b.usage.requests['pricing:GetProducts'], once / 2);
  assert.deepEqual(a1.reader.book, a2.reader.book, 'both readers hold the same prices');
  assert.ok(Object.keys(a1.reader.book).length > 0);
  // A different question (another Region) is asked anew.
  await a2.reader.blockStorage('eu-west-1');
  assert.ok((stack.sim.stats()['pricing:GetProducts'] ?? 0) > once);
  clients.destroy();
});
