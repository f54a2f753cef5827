/**
 * A scenario file served on another day: every date moves by the same number of days, nothing else
 * changes, and the account served answers for "the last 30 days" exactly as it did on the day written.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { parse as parseYaml } from 'yaml';
import { addDays, toEpochDay } from '../../src/domain/period';
import { periodEndingOn } from '../../src/domain/calendar';
import { SERVICE, sumCosts } from '../../src/sim/scenario';
import { loadScenarioFile, parseScenarioFile, scenarioFileSchema } from '../../src/sim/scenario-file';
import { rebaseScenarioFile, SCENARIO_DATE_FIELDS } from '../../src/sim/scenario-rebase';
import { startSimulator } from '../../src/sim/server';
import { TEST_TODAY } from '../helpers/today';
import { ceClient } from './helpers';

const EXAMPLE = join(__dirname, '..', '..', 'scenarios', 'example.yaml');

/** A file that sets every date field the schema has, and dates hidden in tags that must not move. */
const EVERY_DATE = `
version: 1
anchorDate: 2026-03-01
accounts: [{ id: "111122223333", name: dates }]
instances:
  - region: us-east-1
    type: m5.large
    launchTime: 2026-02-28T23:30:00Z
    stoppedAt: 2026-02-29
    tags: { created: 2026-01-01, Name: web }
    metrics:
      AWS/EC2/CPUUtilization: { base: 10, since: 2026-02-01, until: 2026-02-20T06:00:00.000Z }
volumes: [{ region: us-east-1, size: 10, created: 2025-12-31 }]
addresses: [{ region: us-east-1, allocatedAt: 2026-01-31 }]
snapshots: [{ region: us-east-1, volumeId: vol-00000000000000001, volumeSize: 8, billedSizeGb: 2, startTime: 2026-01-15T10:00:00Z }]
databases: [{ identifier: db, region: us-east-1, class: db.t3.micro, storage: 20, created: 2025-06-01 }]
buckets: [{ name: dated-bucket, region: us-east-1, created: 2024-02-29, storage: { StandardStorage: 1000 } }]
charges:
  - { kind: nat-hours, region: us-east-1, dailyQuantity: 24, from: 2026-01-01, until: 2026-02-15, spikes: [{ from: 2026-02-01, to: 2026-02-03, factor: 3 }] }
events:
  - { date: 2026-02-10, endDate: 2026-02-12, kind: spike, service: Amazon EC2, description: "spike on 2026-02-10" }
`;

test('every date field moves by the same days; tags and descriptions keep their text', () => {
  // 2026-02-29 is not a date: the file is invalid as written, so use a valid one for the schema.
  const raw = parseYaml(EVERY_DATE.replace('stoppedAt: 2026-02-29', 'stoppedAt: 2026-02-27')) as unknown;
  const file = scenarioFileSchema.parse(raw);
  const moved = rebaseScenarioFile(file, '2028-03-01'); // 731 days later, across a leap day
  const days = toEpochDay('2028-03-01') - toEpochDay('2026-03-01');
  assert.equal(moved.anchorDate, '2028-03-01');
  const instance = moved.instances[0]!;
  assert.equal(instance.launchTime, `${addDays('2026-02-28', days)}T23:30:00Z`);
  assert.equal(instance.launchTime, '2028-02-29T23:30:00Z');
  assert.equal(instance.stoppedAt, addDays('2026-02-27', days));
  assert.deepEqual(instance.tags, { created: '2026-01-01', Name: 'web' }, 'tags are the user’s text');
  const profile = (instance.metrics as Record<string, { since?: string; until?: string }>)['AWS/EC2/CPUUtilization'];
  assert.equal(profile?.since, addDays('2026-02-01', days));
  assert.equal(profile?.until, `${addDays('2026-02-20', days)}T06:00:00.000Z`);
  assert.equal(moved.volumes[0]?.created, addDays('2025-12-31', days));
  assert.equal(moved.addresses[0]?.allocatedAt, addDays('2026-01-31', days));
  assert.equal(moved.snapshots[0]?.startTime, `${addDays('2026-01-15', days)}T10:00:00Z`);
  assert.equal(moved.databases[0]?.created, addDays('2025-06-01', days));
  assert.equal(moved.buckets[0]?.created, addDays('2024-02-29', days));
  const charge = moved.charges[0]!;
  assert.deepEqual([charge.from, charge.until], [addDays('2026-01-01', days), addDays('2026-02-15', days)]);
  assert.deepEqual(charge.spikes?.[0], { from: addDays('2026-02-01', days), to: addDays('2026-02-03', days), factor: 3 });
  assert.deepEqual(moved.events[0], {
    date: addDays('2026-02-10', days),
    endDate: addDays('2026-02-12', days),
    kind: 'spike',
    service: 'Amazon EC2',
    description: 'spike on 2026-02-10',
  });
  // Nothing else changed: undo the move and the file is the same.
  assert.deepEqual(rebaseScenarioFile(moved, file.anchorDate), file);
  // The list of date fields covers every date the schema accepts (a new date field must be added there).
  const dated = new Set<string>();
  const walk = (node: unknown, key = ''): void => {
    if (Array.isArray(node)) node.forEach((n) => walk(n, key));
    else if (node && typeof node === 'object') {
      if (key === 'tags') return;
      for (const [k, v] of Object.entries(node)) walk(v, k);
    } else if (typeof node === 'string' && /^\d{4}-\d{2}-\d{2}/.test(node)) dated.add(key);
  };
  walk(file);
  for (const key of dated) assert.ok(SCENARIO_DATE_FIELDS.has(key), `${key} holds a date but is not moved`);
});

test('the example served today answers for the last 30 days what it answered on the day it was written', async () => {
  const asWritten = loadScenarioFile(EXAMPLE);
  const today = loadScenarioFile(EXAMPLE, { servedOn: TEST_TODAY });
  assert.equal(today.anchorDate, TEST_TODAY);
  // The same waste, found on the same resources, with the same savings.
  const planted = (s: typeof today) => s.planted.map((p) => `${p.check} ${p.resourceId} ${p.monthlySavings}`).sort();
  assert.deepEqual(planted(today), planted(asWritten));

  const written = periodEndingOn(asWritten.anchorDate, 30);
  const now = periodEndingOn(TEST_TODAY, 30);
  const total = (s: typeof today, p: { start: string; end: string }) =>
    sumCosts(s, { start: p.start, end: p.end, service: SERVICE.ec2Compute });
  assert.ok(Number(total(asWritten, written)) > 0);
  assert.equal(total(today, now), total(asWritten, written));

  // Through the wire: Cost Explorer on the served account accepts today's window and returns the bill.
  const sim = await startSimulator({ port: 0, scenario: today });
  try {
    const ce = ceClient(sim);
    const out = await ce.send(
      new GetCostAndUsageCommand({
        TimePeriod: { Start: now.start, End: now.end },
        Granularity: 'MONTHLY',
        Metrics: ['UnblendedCost'],
      }),
    );
    const served = (out.ResultsByTime ?? []).reduce((s, r) => s + Number(r.Total?.['UnblendedCost']?.Amount ?? 0), 0);
    assert.ok(served > 0, 'the last 30 days have cost');
    ce.destroy();
  } finally {
    await sim.close();
  }
});

test('served as written when asked for its own anchor day', () => {
  const text = readFileSync(EXAMPLE, 'utf8');
  const literal = parseScenarioFile(text, 'example.yaml');
  const same = parseScenarioFile(text, 'example.yaml', { servedOn: literal.anchorDate });
  assert.deepEqual(
    same.instances.map((i) => i.launchTime),
    literal.instances.map((i) => i.launchTime),
  );
});
