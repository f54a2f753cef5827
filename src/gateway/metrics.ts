/**
 * Prometheus text exposition of the gateway's counters (no labels that carry tenant data).
 */
import { QUERY_BUCKETS_MS, type RelayStats } from './relay';
import type { RequestCounters } from './request-log';
import type { WsCounters } from './ws';

interface Metric {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  values: [labels: string, value: number][];
}

type NumericStat = Exclude<keyof RelayStats, 'queryBuckets'>;

const RELAY_COUNTERS: [NumericStat, string, string][] = [
  ['queries', 'finops_relay_queries_total', 'Progress queries sent to Temporal'],
  ['queryErrors', 'finops_relay_query_errors_total', 'Progress queries that failed (retried with backoff)'],
  ['describes', 'finops_relay_describes_total', 'Describe calls (one per channel start)'],
  ['results', 'finops_relay_results_total', 'Workflow results read or watched to completion'],
  ['messages', 'finops_relay_messages_total', 'Messages emitted (once per change, whatever the subscribers)'],
  ['deliveries', 'finops_relay_deliveries_total', 'Messages handed to subscribers'],
  ['resumedReplay', 'finops_relay_resumed_replay_total', 'Resumed subscriptions served by replay'],
  ['resumedLatest', 'finops_relay_resumed_latest_total', 'Resumed subscriptions too old to replay (latest message sent)'],
  ['resumedReset', 'finops_relay_resumed_reset_total', 'Resumed subscriptions from another epoch'],
];
const RELAY_GAUGES: [NumericStat, string, string][] = [
  ['activePollers', 'finops_relay_active_pollers', 'Analyses being polled now'],
  ['resultWatchers', 'finops_relay_result_watchers', 'Result long-polls in flight'],
  ['channels', 'finops_relay_channels', 'Channels kept in memory'],
  ['subscribers', 'finops_relay_subscribers', 'Subscribers attached'],
];
const WS_COUNTERS: [keyof WsCounters, string, string][] = [
  ['connections', 'finops_ws_connections_total', 'WebSocket connections accepted'],
  ['refusedUpgrades', 'finops_ws_refused_upgrades_total', 'WebSocket upgrades refused'],
  ['authFailures', 'finops_ws_auth_failures_total', 'Connections closed for failed or missing authentication'],
  ['rateLimited', 'finops_ws_rate_limited_messages_total', 'Client messages dropped by the rate limit'],
  ['floodsClosed', 'finops_ws_floods_closed_total', 'Connections closed for flooding'],
  ['slowConsumersClosed', 'finops_ws_slow_consumers_closed_total', 'Connections closed as slow consumers'],
  ['heartbeatTerminations', 'finops_ws_heartbeat_terminations_total', 'Connections dropped for missing pings'],
];

export function renderMetrics(relay: RelayStats, ws: WsCounters, requests: RequestCounters): string {
  const metrics: Metric[] = [];
  for (const [key, name, help] of RELAY_COUNTERS) metrics.push({ name, help, type: 'counter', values: [['', relay[key]]] });
  for (const [key, name, help] of RELAY_GAUGES) metrics.push({ name, help, type: 'gauge', values: [['', relay[key]]] });
  for (const [key, name, help] of WS_COUNTERS) metrics.push({ name, help, type: 'counter', values: [['', ws[key]]] });
  let cumulative = 0;
  const buckets: [string, number][] = QUERY_BUCKETS_MS.map((le, i) => {
    cumulative += relay.queryBuckets[i] ?? 0;
    return [`_bucket{le="${le / 1000}"}`, cumulative];
  });
  cumulative += relay.queryBuckets[QUERY_BUCKETS_MS.length] ?? 0;
  metrics.push({
    name: 'finops_relay_query_duration_seconds',
    help: 'Duration of successful progress queries',
    type: 'histogram',
    values: [...buckets, ['_bucket{le="+Inf"}', cumulative], ['_sum', relay.queryMsTotal / 1000], ['_count', cumulative]],
  });
  metrics.push({ name: 'finops_relay_query_duration_max_seconds', help: 'Slowest progress query since start', type: 'gauge', values: [['', relay.queryMsMax / 1000]] });
  metrics.push({ name: 'finops_ws_open_connections', help: 'WebSocket connections open now', type: 'gauge', values: [['', ws.open]] });
  metrics.push({
    name: 'finops_http_responses_total',
    help: 'HTTP responses by status class',
    type: 'counter',
    values: Object.entries(requests.byClass).map(([cls, n]) => [`{class="${cls}"}`, n]),
  });
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  metrics.push({ name: 'process_cpu_seconds_total', help: 'User and system CPU time', type: 'counter', values: [['', (cpu.user + cpu.system) / 1e6]] });
  metrics.push({ name: 'process_resident_memory_bytes', help: 'Resident set size', type: 'gauge', values: [['', memory.rss]] });
  metrics.push({ name: 'nodejs_heap_used_bytes', help: 'V8 heap in use', type: 'gauge', values: [['', memory.heapUsed]] });
  return (
    metrics
      .map((m) => [`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`, ...m.values.map(([labels, v]) => `${m.name}${labels} ${v}`)].join('\n'))
      .join('\n') + '\n'
  );
}

/** Parses Prometheus text into name{labels} -> value (for tests and the benchmark). */
export function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return values;
}
