/** Scenario files: the example in the repository, JSON too, and readable errors for bad files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { ScenarioFileError, loadScenarioFile, parseScenarioFile } from '../../src/sim/scenario-file';
import { SERVICE, sumCosts } from '../../src/sim/scenario';
import { startSimulator } from '../../src/sim/server';
import { ceClient } from './helpers';

const EXAMPLE = join(__dirname, '..', '..', 'scenarios', 'example.yaml');

test('the example file: its resources, derived costs and the waste it describes', async () => {
  const s = loadScenarioFile(EXAMPLE);
  assert.equal(s.size, 'custom');
  assert.deepEqual(s.accounts, [{ id: '210987654321', name: 'example-shop' }]);
  assert.equal(s.instances.length, 3);
  assert.equal(s.databases[0]?.dbInstanceIdentifier, 'shop-db');
  const checks = s.planted.map((p) => `${p.check} ${p.resourceId}`).sort();
  assert.deepEqual(
    checks,
    [
      'ebs-gp2-to-gp3 ' + s.instances[2]?.blockDevices[0]?.volumeId,
      'ebs-unattached vol-0f0e0d0c0b0a00001',
      'ec2-idle i-0a1b2c3d4e5f60003',
      'eip-unassociated ' + s.addresses.find((a) => !a.instanceId)?.allocationId,
      's3-no-abort-multipart example-shop-logs',
      's3-no-lifecycle example-shop-logs',
    ].sort(),
  );
  const idle = s.planted.find((p) => p.check === 'ec2-idle');
  assert.equal(idle?.monthlySavings, 0.192 * 730, 'm5.xlarge at the built-in price');
  // The explicit profile is used as written.
  assert.equal(s.instances[1]?.metrics['AWS/EC2/CPUUtilization']?.base, 45);
  // Costs are derived and served: one day of the web server.
  const day = '2025-06-10';
  assert.equal(
    sumCosts(s, { start: day, end: '2025-06-11', resourceId: 'i-0a1b2c3d4e5f60001', service: SERVICE.ec2Compute }),
    '2.304',
  );
  const sim = await startSimulator({ port: 0, scenario: s });
  const client = ceClient(sim);
  try {
    const out = await client.send(
      new GetCostAndUsageCommand({
        TimePeriod: { Start: day, End: '2025-06-11' },
        Granularity: 'DAILY',
        Metrics: ['UnblendedCost'],
      }),
    );
    assert.equal(out.ResultsByTime?.[0]?.Total?.['UnblendedCost']?.Amount, sumCosts(s, { start: day, end: '2025-06-11' }));
  } finally {
    client.destroy();
    await sim.close();
  }
  // Loading twice gives the same scenario (generated IDs come from the seed).
  assert.deepEqual(
    loadScenarioFile(EXAMPLE).volumes.map((v) => v.volumeId),
    s.volumes.map((v) => v.volumeId),
  );
});

test('JSON works as well, prices can be given, and defaults fill the rest', () => {
  const s = parseScenarioFile(
    JSON.stringify({
      version: 1,
      anchorDate: '2025-06-15',
      historyDays: 10,
      accounts: [{ id: '111122223333', name: 'json-account' }],
      instances: [{ region: 'eu-west-1', type: 't3.medium', launchTime: '2025-01-01', metrics: 'idle' }],
      prices: [
        {
          serviceCode: 'AmazonEC2',
          sku: 'CUSTOMSKU0000001',
          productFamily: 'Compute Instance',
          attributes: {
            regionCode: 'eu-west-1',
            usagetype: 'EU-BoxUsage:t3.medium',
            instanceType: 't3.medium',
            location: 'EU (Ireland)',
          },
          pricePerUnit: '0.05',
          unit: 'Hrs',
        },
      ],
    }),
    'inline.json',
  );
  assert.equal(s.supportPlans['111122223333'], 'business');
  assert.equal(s.instances[0]?.blockDevices.length, 1, 'a default root volume');
  assert.equal(s.planted.find((p) => p.check === 'ec2-idle')?.monthlySavings, 0.05 * 730, 'the given price wins');
  assert.ok(
    s.prices.some((p) => p.attributes['volumeApiName'] === 'gp3' && p.attributes['regionCode'] === 'eu-west-1'),
    'gp3 from the built-in list',
  );
});

function problems(text: string): string[] {
  try {
    parseScenarioFile(text, 'bad.yaml');
  } catch (error) {
    assert.ok(error instanceof ScenarioFileError, String(error));
    assert.match(error.message, /^bad\.yaml: invalid scenario file:/);
    return error.problems;
  }
  assert.fail('expected the file to be rejected');
}

test('bad files are rejected with the path of every problem', () => {
  assert.deepEqual(problems('version: 1\nanchorDate: 2025-13-40\naccounts: []\n'), [
    'anchorDate: must be a date YYYY-MM-DD',
    'accounts: Too small: expected array to have >=1 items',
  ]);
  const header = 'version: 1\nanchorDate: 2025-06-15\naccounts: [{ id: "111122223333", name: a }]\n';
  const typo = problems(`${header}instances:\n  - { region: us-east-1, type: m5.lrg, launchTime: 2025-01-01 }\n`);
  assert.equal(typo.length, 1);
  assert.match(typo[0] ?? '', /^instances\[0\]\.type: unknown instance type "m5\.lrg"/);
  const several = problems(
    `${header}instances:\n  - { region: mars-1, type: m5.large, launchTime: yesterday, colour: blue }\nbuckets:\n  - { name: B, region: us-east-1, created: 2024-01-01, storage: { StandardStorage: lots } }\n`,
  );
  assert.ok(
    several.some((p) => /^instances\[0\]\.region: unknown region/.test(p)),
    several.join('\n'),
  );
  assert.ok(several.some((p) => /^instances\[0\]\.launchTime: must be a date/.test(p)));
  assert.ok(
    several.some((p) => /^instances\[0\]: Unrecognized key: "colour"/.test(p)),
    several.join('\n'),
  );
  assert.ok(several.some((p) => /^buckets\[0\]\.name: must be a valid bucket name/.test(p)));
  assert.ok(several.some((p) => /^buckets\[0\]\.storage\.StandardStorage: "lots" is not a size/.test(p)));
  const refs = problems(
    `${header}instances:\n  - { id: i-0123456789abcdef0, region: us-east-1, type: m5.large, launchTime: 2025-01-01, state: stopped }\n  - { id: i-0123456789abcdef0, account: "999999999999", region: us-east-1, type: m5.large, launchTime: 2025-01-01 }\naddresses:\n  - { region: us-east-1, instance: i-0fffffffffffffff0 }\n`,
  );
  assert.ok(refs.includes('instances[0].stoppedAt: required for a stopped instance'), refs.join('\n'));
  assert.ok(refs.some((p) => /^instances\[1\]\.account: 999999999999 is not one of the file's accounts/.test(p)));
  assert.ok(refs.includes('addresses[0].instance: no instance i-0fffffffffffffff0 in the file'));
  assert.ok(refs.some((p) => /^instances\[1\]: ID i-0123456789abcdef0 is already used by instances\[0\]/.test(p)));
  assert.deepEqual(problems('version: 1\n  anchorDate: [\n'), [
    'not valid YAML or JSON: ' + problems('version: 1\n  anchorDate: [\n')[0]?.slice('not valid YAML or JSON: '.length),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
  writeFileSync(join(dir, 'v2.yaml'), 'version: 2\n');
  assert.throws(() => loadScenarioFile(join(dir, 'v2.yaml')), /version: Invalid input: expected 1/);
  assert.throws(() => loadScenarioFile(join(dir, 'missing.yaml')), /cannot read the file: ENOENT/);
});
