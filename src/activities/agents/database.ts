/**
 * The RDS agent's activity: the DB instances of one account and region, their prices, and four metric
 * queries per database in 500-query GetMetricData calls — the most connections over the idle window,
 * CPU p95 and maximum, and the least free storage over 14 days. Findings go to the store; the
 * reservation candidates (databases that ran on demand for 90 days and more) come back as a count.
 */
import Big from 'big.js';
import { evaluateDatabases, classesToPrice, wantsDatabaseMetrics, type DatabaseMetrics } from '../../domain/checks/rds';
import type { MissingAccess } from '../../domain/report';
import { rdsPricingEngine } from '../../domain/pricing';
import { emptyUsage } from '../../domain/usage';
import { getMetricData } from '../metric-data';
import { whileHeartbeating } from '../paging';
import { describeCounts, partKey, unlessDenied, type FindingsPart, type PartSummary } from './common';
import { QueryBook, metricWindow, type AgentDeps, type TargetInput } from './compute';
import { PriceReader } from './pricing';

export interface DatabasePartSummary extends PartSummary {
  reservationCandidates: { count: number; monthlyOnDemand: string };
}

const RDS_METRIC_CHECKS = ['rds-idle', 'rds-overprovisioned', 'rds-storage-overallocated'];

export function createDatabaseActivities(deps: AgentDeps) {
  const { clients, store } = deps;
  const t = deps.thresholds.rds;

  async function analyseRdsTarget(input: TargetInput): Promise<DatabasePartSummary> {
    const { target, asOf, analysisId } = input;
    const where = `${target.account}/${target.region}`;
    const usage = emptyUsage();
    const missing: MissingAccess[] = [];
    const notes: string[] = [];

    const databases = await unlessDenied(missing, where, ['rds-idle', 'rds-multi-az-nonprod', 'rds-gp2-to-gp3', 'rds-overprovisioned'], () =>
      deps.inventories.databases(analysisId, target, usage),
    );
    const prices = new PriceReader(clients, usage, { queries: deps.priceQueries, analysisId });
    if (databases && databases.length > 0) {
      const ok = await unlessDenied(missing, where, ['savings of every check'], async () => {
        const engines = databases.flatMap((d) => rdsPricingEngine(d.engine) ?? []);
        await prices.databases(target.region, databases.flatMap((d) => classesToPrice(d.dbInstanceClass)), engines);
        return true;
      });
      if (!ok) notes.push(`${where}: no prices, so no savings could be computed`);
    }

    // One window for all four queries when the idle window divides the 14 days: the connections query then
    // has a bucket per idle window, and the last bucket is the one the check reads.
    const window = metricWindow(asOf, 14);
    const sameWindow = 14 % t.idleConnectionDays === 0;
    const idleWindow = sameWindow ? window : metricWindow(asOf, t.idleConnectionDays);
    const lastIdleBucket = (idleWindow.end.getTime() - t.idleConnectionDays * 86_400_000) / 1000;
    const queries = new QueryBook<{ id: string; metric: keyof DatabaseMetrics }>();
    for (const d of databases ?? []) {
      if (!wantsDatabaseMetrics(d, asOf, t)) continue;
      const dims = { DBInstanceIdentifier: d.dbInstanceIdentifier };
      queries.add({ id: d.dbInstanceIdentifier, metric: 'connectionsMax' }, 'AWS/RDS', 'DatabaseConnections', dims, 'Maximum', t.idleConnectionDays * 86_400);
      queries.add({ id: d.dbInstanceIdentifier, metric: 'cpuP95' }, 'AWS/RDS', 'CPUUtilization', dims, 'p95', window.seconds);
      queries.add({ id: d.dbInstanceIdentifier, metric: 'cpuMax' }, 'AWS/RDS', 'CPUUtilization', dims, 'Maximum', window.seconds);
      queries.add({ id: d.dbInstanceIdentifier, metric: 'freeStorageMin' }, 'AWS/RDS', 'FreeStorageSpace', dims, 'Minimum', window.seconds);
    }
    const isConnections = (i: number) => queries.purposes[i]!.metric === 'connectionsMax';
    const series = await unlessDenied(missing, where, RDS_METRIC_CHECKS, () =>
      whileHeartbeating(
        sameWindow
          ? getMetricData(clients, target, queries.queries, window, usage)
          : Promise.all([
              getMetricData(clients, target, queries.queries.filter((_, i) => isConnections(i)), idleWindow, usage),
              getMetricData(clients, target, queries.queries.filter((_, i) => !isConnections(i)), window, usage),
            ]).then(([a, b]) => new Map([...a, ...b])),
      ),
    );
    let metrics: Map<string, DatabaseMetrics> | undefined;
    if (series) {
      metrics = new Map();
      for (const [purpose, s] of queries.results(series)) {
        let values = s.values;
        if (purpose.metric === 'connectionsMax') values = values.filter((_, i) => (s.timestamps[i] as number) / 1000 >= lastIdleBucket);
        if (values.length === 0) continue;
        const m = metrics.get(purpose.id) ?? {};
        m[purpose.metric] = purpose.metric === 'freeStorageMin' || purpose.metric === 'cpuP95' ? Math.min(...values) : Math.max(...values);
        metrics.set(purpose.id, m);
      }
    }

    const result = databases
      ? evaluateDatabases({ databases, metrics, prices: prices.book, asOf, thresholds: t })
      : { findings: [], reservationCandidates: [], declined: {}, declinedResources: [] };
    if (Object.keys(result.declined).length) notes.push(`${where}: no recommendation for ${describeCounts(result.declined)}`);
    const coverage = databases && metrics ? [`rds-connections/${where}`] : [];
    const key = partKey(analysisId, 'rds', `${target.account}-${target.region}`);
    await store.putJson(key, { findings: result.findings, coverage, declined: coverage.length ? result.declinedResources : [] } satisfies FindingsPart);
    return {
      key,
      target,
      findings: result.findings.length,
      monthlySavings: result.findings.reduce((sum, f) => sum.plus(f.monthlySavings), new Big(0)).toString(),
      usage,
      missing,
      notes,
      reservationCandidates: {
        count: result.reservationCandidates.length,
        monthlyOnDemand: result.reservationCandidates.reduce((sum, c) => sum.plus(c.monthlyOnDemand), new Big(0)).toString(),
      },
    };
  }

  return { analyseRdsTarget };
}
