/**
 * Anomalies on generated series with planted spikes: precision and recall of at least 0.9 over
 * several seeds; drivers name what moved; Cost Explorer's anomalies are paired with ours.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  detectAnomalies,
  explainAnomaly,
  matchAnomalies,
  type CostExplorerAnomaly,
  type DetectedAnomaly,
} from '../../src/domain/anomalies';
import { generateCostSeries } from '../../src/sim/generator/series';

test('planted spikes are found with precision and recall of at least 0.9 over 30 seeds', () => {
  let detected = 0;
  let correct = 0;
  let planted = 0;
  let found = 0;
  for (let seed = 1; seed <= 30; seed++) {
    const s = generateCostSeries({
      seed,
      start: '2026-03-01',
      days: 182,
      base: 2000,
      monthlyGrowth: 0.01 + (seed % 4) * 0.01,
      noise: 0.02 + (seed % 3) * 0.01,
      spikes: 5,
      spikeSize: [0.2, 1.5],
    });
    const anomalies = detectAnomalies(s.dates, s.values);
    detected += anomalies.length;
    correct += anomalies.filter((a) => s.spikes.some((p) => a.start <= p.end && a.end >= p.start)).length;
    planted += s.spikes.length;
    found += s.spikes.filter((p) => anomalies.some((a) => a.start <= p.end && a.end >= p.start)).length;
  }
  const precision = correct / detected;
  const recall = found / planted;
  assert.ok(precision >= 0.9, `precision ${precision.toFixed(3)} (${correct}/${detected})`);
  assert.ok(recall >= 0.9, `recall ${recall.toFixed(3)} (${found}/${planted})`);
});

test('a quiet series has no anomalies; a lasting jump is one level shift, not many spikes', () => {
  const quiet = generateCostSeries({ seed: 7, start: '2026-01-01', days: 150, noise: 0.03 });
  assert.deepEqual(detectAnomalies(quiet.dates, quiet.values), []);
  const values = quiet.values.map((v, i) => (i >= 100 ? v * 1.6 : v));
  const found = detectAnomalies(quiet.dates, values);
  assert.ok(found.length >= 1);
  assert.equal(found[0]!.start, quiet.dates[100]);
  assert.equal(found[0]!.kind, 'level-shift');
  assert.ok(Number(found[0]!.impact) > 0);
});

test('drivers: the service, account, region and usage type that rose, against the same weekdays before', () => {
  const byDay = (f: (day: string, i: number) => Record<string, number>) => {
    const out: Record<string, Record<string, number>> = {};
    for (let i = 0; i < 17; i++) {
      const day = `2026-05-${String(i + 1).padStart(2, '0')}`;
      out[day] = f(day, i);
    }
    return out;
  };
  const spikeDays = new Set(['2026-05-15', '2026-05-16']);
  const service = byDay((d) => ({ EC2: spikeDays.has(d) ? 300 : 100, S3: 50 }));
  const usage = byDay((d) => ({ 'BoxUsage:p3.2xlarge': spikeDays.has(d) ? 200 : 0, 'TimedStorage-ByteHrs': 50 }));
  const drivers = explainAnomaly({ start: '2026-05-15', end: '2026-05-16' }, [
    { dimension: 'service', byDay: service },
    { dimension: 'usage-type', byDay: usage },
  ]);
  assert.deepEqual(
    drivers.map((d) => [d.dimension, d.key, d.delta, d.share]),
    [
      ['service', 'EC2', '400.00', 1],
      ['usage-type', 'BoxUsage:p3.2xlarge', '400.00', 1],
    ],
  );
});

test("Cost Explorer's anomalies are matched to ours by overlapping days", () => {
  const ours: DetectedAnomaly[] = [
    {
      start: '2026-10-09',
      end: '2026-10-11',
      days: 3,
      actual: '1',
      expected: '0',
      impact: '1',
      impactPct: 1,
      score: 9,
      kind: 'spike',
    },
  ];
  const theirs: CostExplorerAnomaly[] = [
    { id: 'a', start: '2026-10-10', end: '2026-10-10', totalImpact: 5, rootCauses: [], matched: false },
    { id: 'b', start: '2026-08-01', totalImpact: 5, rootCauses: [], matched: false },
  ];
  matchAnomalies(ours, theirs);
  assert.equal(ours[0]!.costExplorerAnomalyId, 'a');
  assert.deepEqual(
    theirs.map((t) => t.matched),
    [true, false],
  );
});
