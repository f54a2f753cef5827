/**
 * A finished analysis report of any size, for the LLM tests and the prompt-size benchmark: `resources`
 * findings (the report keeps at most 200 inline, as the merge does), a spend breakdown over a number of
 * services that grows with the account, and optionally a forecast and a hostile tag.
 */
import type { Finding } from '../../src/domain/findings';
import type { AnalysisReport } from '../../src/domain/report';

export interface SampleOptions {
  resources?: number;
  /** A tag value planted on the top finding's resource. */
  hostileTag?: string;
  forecast?: boolean;
}

const SERVICES = [
  ['Amazon Elastic Compute Cloud - Compute', '1234.57', '1010.20'],
  ['Amazon Simple Storage Service', '842.10', '410.05'],
  ['Amazon Relational Database Service', '530.00', '529.00'],
  ['EC2 - Other', '120.40', '150.40'],
  ['AWS Lambda', '12.34', '10.00'],
] as const;

export function sampleReport(options: SampleOptions = {}): AnalysisReport {
  const resources = options.resources ?? 12;
  const extraServices = Math.min(200, Math.floor(resources / 50));
  const byService = [
    ...SERVICES.map(([service, amount, previousAmount]) => line(service, amount, previousAmount)),
    ...Array.from({ length: extraServices }, (_, i) => line(`Service ${i}`, `${(i % 7) + 1}.25`, `${(i % 5) + 1}.50`)),
  ];
  const total = byService.reduce((s, l) => s + Number(l.amount), 0).toFixed(2);
  const previousTotal = byService.reduce((s, l) => s + Number(l.previousAmount), 0).toFixed(2);
  const items: Finding[] = Array.from({ length: Math.min(resources, 200) }, (_, i) => {
    const savings = (Math.max(1, 400 - i * 1.5)).toFixed(2);
    const id = `i-${String(i).padStart(17, '0')}`;
    return {
      id: `ec2-idle/111122223333/us-east-1/${id}`,
      check: 'ec2-idle',
      agent: 'ec2',
      sources: ['ec2'],
      resource: {
        account: '111122223333',
        region: 'us-east-1',
        id,
        name: `web-${i}`,
        type: 'm5.2xlarge',
        tags: { env: i % 2 ? 'staging' : 'prod', team: 'payments', ...(i === 0 && options.hostileTag ? { note: options.hostileTag } : {}) },
      },
      title: `Idle instance web-${i}`,
      evidence: { cpuP95: 1.2, days: 14 },
      action: 'stop',
      recommendation: `Stop web-${i}`,
      monthlySavings: savings,
      confidence: 'high',
    };
  });
  const savingsTotal = (items.reduce((s, f) => s + Number(f.monthlySavings), 0) + Math.max(0, resources - 200)).toFixed(2);
  const report: AnalysisReport = {
    schemaVersion: 1,
    analysisId: 'analysis/acme/20261101-0900-abc123',
    tenant: 'acme',
    accounts: ['111122223333'],
    regions: ['us-east-1'],
    period: { start: '2026-10-01', end: '2026-11-01' },
    previousPeriod: { start: '2026-08-31', end: '2026-10-01' },
    generatedAt: '2026-11-01T09:05:00.000Z',
    status: 'complete',
    spend: {
      unit: 'USD',
      total,
      previousTotal,
      change: (Number(total) - Number(previousTotal)).toFixed(2),
      changePct: Number((((Number(total) - Number(previousTotal)) / Number(previousTotal)) * 100).toFixed(2)),
      byService,
      daily: Array.from({ length: 31 }, (_, d) => ({ date: `2026-10-${String(d + 1).padStart(2, '0')}`, amount: '88.10' })),
      coverage: 'whole-bill',
      estimated: false,
    },
    agents: [{ agent: 'ec2', title: 'EC2', workflowId: 'w/ec2', status: 'succeeded', spend: '1234.57' }],
    failures: [],
    skipped: [],
    usage: { costExplorerRequests: 4, costExplorerCost: '0.04', unit: 'USD' },
    findings: {
      count: resources,
      monthlySavings: savingsTotal,
      byCheck: { 'ec2-idle': { count: resources, monthlySavings: savingsTotal } },
      items,
      truncated: resources > 200,
    },
  };
  if (options.forecast) {
    (report as unknown as Record<string, unknown>).forecast = {
      asOf: '2026-11-01',
      horizonDays: 30,
      total: { mean: '2901.12', lower: '2700.00', upper: '3100.50' },
    };
  }
  return report;
}

function line(service: string, amount: string, previousAmount: string) {
  const change = (Number(amount) - Number(previousAmount)).toFixed(2);
  return {
    service,
    amount,
    previousAmount,
    change,
    changePct: Number(previousAmount) ? Number(((Number(change) / Number(previousAmount)) * 100).toFixed(2)) : null,
  };
}
