/**
 * How fast the sample account serves GetMetricData at the large scenario's scale: 10,000 instances,
 * 4 queries each (CPUUtilization Average and p95, NetworkIn and NetworkOut Sum), 14 daily datapoints,
 * 500 queries a call — 80 calls, each on series not asked before (a cold cache, as in an analysis).
 * Prints the handler's CPU time per call (computation plus JSON encoding), then a few calls through
 * the real SDK client over HTTP.
 *
 *   npx tsx bench/cloudwatch-serving.ts [instances]
 */
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { clearMetricCache } from '../src/sim/metrics';
import { startSimulator } from '../src/sim/server';
import { CloudWatchSimulator } from '../src/sim/services/cloudwatch';
import { CW_NOW, MAIN_ACCOUNT, fleetId, withFleet } from '../test/sim/fixtures/cloudwatch';
import { sampleScenario } from '../test/sim/helpers';

const DAY = 86_400;
const instances = Number(process.argv[2] ?? 10_000);
const resources = withFleet(instances);
const start = CW_NOW - DAY - 14 * DAY;
const end = CW_NOW - DAY;

function queries(fromInstance: number, count: number): MetricDataQuery[] {
  const out: MetricDataQuery[] = [];
  for (let n = fromInstance; out.length < count && n < instances; n++) {
    const dims = [{ Name: 'InstanceId', Value: fleetId(n) }];
    const q = (id: string, metric: string, stat: string): MetricDataQuery => ({
      Id: `${id}${n}`,
      MetricStat: { Metric: { Namespace: 'AWS/EC2', MetricName: metric, Dimensions: dims }, Period: DAY, Stat: stat },
    });
    out.push(
      q('cpuavg', 'CPUUtilization', 'Average'),
      q('cpup95', 'CPUUtilization', 'p95'),
      q('netin', 'NetworkIn', 'Sum'),
      q('netout', 'NetworkOut', 'Sum'),
    );
  }
  return out;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function main(): Promise<void> {
  clearMetricCache();
  const simulator = new CloudWatchSimulator(resources, { now: () => CW_NOW });
  const scope = { account: MAIN_ACCOUNT, region: 'us-east-1' };
  const calls = Math.ceil((instances * 4) / 500);
  const cpuMs: number[] = [];
  let points = 0;
  const wallStart = performance.now();
  for (let c = 0; c < calls; c++) {
    const input = { StartTime: start, EndTime: end, MetricDataQueries: queries(c * 125, 500) };
    const before = process.cpuUsage();
    const output = simulator.getMetricData(input, scope);
    const body = JSON.stringify(output);
    const used = process.cpuUsage(before);
    cpuMs.push((used.user + used.system) / 1000);
    points += output.MetricDataResults.reduce((n, r) => n + r.Values.length, 0);
    if (body.length === 0) throw new Error('empty');
  }
  const wall = performance.now() - wallStart;
  const mean = cpuMs.reduce((a, b) => a + b, 0) / cpuMs.length;
  console.log(
    `GetMetricData handler, ${instances} instances, ${calls} calls of 500 queries x 14 daily datapoints (${points} datapoints):\n` +
      `  CPU per call: mean ${mean.toFixed(1)} ms, median ${percentile(cpuMs, 50).toFixed(1)} ms, p95 ${percentile(cpuMs, 95).toFixed(1)} ms, max ${Math.max(...cpuMs).toFixed(1)} ms; wall total ${wall.toFixed(0)} ms`,
  );

  // Through HTTP and the real SDK client (JSON protocol), on fresh series.
  clearMetricCache();
  const sim = await startSimulator({ port: 0, scenario: sampleScenario(), resources, metricsNow: () => CW_NOW });
  const client = new CloudWatchClient({
    region: 'us-east-1',
    endpoint: sim.url,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' },
  });
  try {
    const sdkMs: number[] = [];
    const sdkCalls = Math.min(20, calls);
    for (let c = 0; c < sdkCalls; c++) {
      const t0 = performance.now();
      await client.send(
        new GetMetricDataCommand({
          StartTime: new Date(start * 1000),
          EndTime: new Date(end * 1000),
          MetricDataQueries: queries(c * 125, 500),
        }),
      );
      sdkMs.push(performance.now() - t0);
    }
    console.log(
      `Through the SDK over HTTP (${sdkCalls} calls, client and server in one process): mean ${(sdkMs.reduce((a, b) => a + b, 0) / sdkMs.length).toFixed(1)} ms, median ${percentile(sdkMs, 50).toFixed(1)} ms per call`,
    );
  } finally {
    client.destroy();
    await sim.close();
  }
}

void main();
