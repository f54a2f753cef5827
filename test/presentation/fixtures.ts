/**
 * Reports for the view model and its renderers: one with data in every section (the rich report plus a
 * forecast, anomalies, tagging, commitments, spend groupings and month to date, shaped as the agents
 * produce them), and one with none (every agent failed or was skipped). Deterministic and pure.
 */
import { AGENTS, AGENT_KINDS } from '../../src/domain/agents';
import type { Finding } from '../../src/domain/findings';
import { addDays } from '../../src/domain/period';
import { assembleReport, type AnalysisReport } from '../../src/domain/report';
import { DEFAULT_TAG_POLICY, organizationsTagPolicy } from '../../src/domain/tag-policy';
import { richReport } from '../gateway/fixtures/rich-report';

export const PERIOD = { start: '2026-10-01', end: '2026-11-01' };
export const PREVIOUS = { start: '2026-08-31', end: '2026-10-01' };
const ACCOUNT = '123456789012';

const finding = (i: number, check: string, evidence: Finding['evidence'], savings: string): Finding => ({
  id: `${check}/${ACCOUNT}/us-east-1/r-${i}`,
  check,
  agent: check.startsWith('rds') ? 'rds' : check.startsWith('s3') ? 's3' : 'ec2',
  sources: ['ec2'],
  resource: { account: ACCOUNT, region: 'us-east-1', id: `r-${i}`, name: `resource-${i}`, type: 'm5.xlarge', tags: { Owner: 'payments' } },
  title: `Finding ${i} (${check})`,
  evidence,
  action: 'stop',
  recommendation: `Act on resource-${i}`,
  monthlySavings: savings,
  confidence: 'high',
  cliCommand: `aws ec2 stop-instances --instance-ids r-${i}`,
});

export function fullReport(): AnalysisReport {
  const rich = richReport({ analysisId: 'analysis/acme/20261121-0930-full01', tenant: 'acme', accounts: [ACCOUNT], period: PERIOD, previousPeriod: PREVIOUS, generatedAt: '2026-11-21T09:31:00Z', findings: 0, partial: false });
  const items = [
    finding(1, 'ec2-idle', { cpuP95: 1.2, cpuMax: 4.1, days: 14, hourlyPrice: '0.192', networkMaxDailyMB: 3.2 }, '140.16'),
    finding(2, 'ebs-gp2-to-gp3', { sizeGiB: 500, volumeType: 'gp2', iops: 1500, targetIops: 3000, targetThroughput: 125, monthlyCost: '50', targetMonthlyCost: '40' }, '10'),
    finding(3, 'rds-idle', { connectionsMax: 0, days: 7, multiAz: true, instanceMonthlyCost: '350.4', someNewKey: 'kept as is' }, '350.4'),
  ];
  const daily = rich.spend.daily;
  const services = rich.spend.byService.slice(0, 3).map((s) => s.service);
  const forecastDays = Array.from({ length: 30 }, (_, i) => addDays(PERIOD.end, i));
  return {
    ...rich,
    findings: { count: 3, monthlySavings: '500.56', byCheck: { 'ec2-idle': { count: 1, monthlySavings: '140.16' }, 'ebs-gp2-to-gp3': { count: 1, monthlySavings: '10' }, 'rds-idle': { count: 1, monthlySavings: '350.4' } }, items, truncated: false },
    spend: {
      ...rich.spend,
      dailyByService: {
        keys: [...services, 'Other'],
        days: daily.map((d) => {
          const parts = services.map((_, i) => (Number(d.amount) / (4 + i)).toFixed(2));
          const other = (Number(d.amount) - parts.reduce((s, p) => s + Number(p), 0)).toFixed(2);
          return { date: d.date, amounts: [...parts, other] };
        }),
      },
      groupings: [
        { dimension: 'account', lines: [{ key: ACCOUNT, amount: rich.spend.total, previousAmount: rich.spend.previousTotal, change: '0', changePct: 3.1 }] },
        { dimension: 'region', lines: [{ key: 'us-east-1', amount: '60000', previousAmount: '50000', change: '10000', changePct: 20 }, { key: 'eu-west-1', amount: '31525.64', previousAmount: '19002.01', change: '12523.63', changePct: 65.9 }] },
        { dimension: 'usage-type', lines: [{ key: 'BoxUsage:m5.xlarge', amount: '20000', previousAmount: '18000', change: '2000', changePct: 11.1 }] },
        { dimension: 'tag', tagKey: 'Environment', lines: [{ key: 'prod', amount: '50000', previousAmount: '40000', change: '10000', changePct: 25 }, { key: '', amount: '41525.64', previousAmount: '29002.01', change: '12523.63', changePct: 43.2 }] },
      ],
      monthToDate: { month: '2026-11', through: '2026-11-20', days: 20, amount: '61000.10', previousMonth: '2026-10', previousAmount: '58000', change: '3000.10', changePct: 5.17 },
    },
    forecast: {
      asOf: PERIOD.end,
      horizonDays: 30,
      intervalLevel: 0.8,
      method: 'Holt-Winters ETS(A,Ad,A) on log cost, weekly seasonality, robust to spikes',
      model: { alpha: 0.3, beta: 0.05, gamma: 0.1, phi: 0.98, sigma: 0.05, transform: 'log' },
      history: { start: '2026-05-05', end: '2026-10-31', days: 180, total: '500000' },
      daily: forecastDays.map((date, i) => ({ date, mean: (3000 + i * 5).toFixed(2), lower: (2800 + i * 4).toFixed(2), upper: (3200 + i * 6).toFixed(2) })),
      total: { mean: '92175.00', lower: '86000.00', upper: '98000.00' },
      costExplorer: { total: { mean: '93000.00' }, daily: forecastDays.map((date) => ({ date, mean: '3100.00' })) },
      difference: { amount: '-825.00', pct: -0.9 },
      backtest: { trainingDays: 150, holdoutDays: 30, mape: 3.4, coverage: 0.83, intervalLevel: 0.8, naiveMape: 7.9, baseline: 'seasonal-naive (same weekday of the last week)', totalErrorPct: 1.2 },
      anomalies: [
        {
          start: '2026-10-12',
          end: '2026-10-12',
          days: 1,
          actual: '5200.00',
          expected: '3000.00',
          impact: '2200.00',
          impactPct: 73.3,
          score: 6.1,
          kind: 'spike',
          drivers: [
            { dimension: 'service', key: services[0]!, actual: '3000', expected: '1000', delta: '2000', share: 0.91 },
            { dimension: 'region', key: 'us-east-1', actual: '4000', expected: '2000', delta: '2000', share: 0.9 },
          ],
          costExplorerAnomalyId: 'anomaly-1',
        },
      ],
      costExplorerAnomalies: [{ id: 'anomaly-1', start: '2026-10-12', end: '2026-10-12', dimensionValue: services[0]!, totalImpact: 2150, rootCauses: [{ service: services[0]!, region: 'us-east-1' }], matched: true }],
      budget: {
        month: '2026-11',
        monthToDate: '61000.10',
        projected: '92000.00',
        projectedLower: '89000.00',
        projectedUpper: '95000.00',
        budgets: [{ account: ACCOUNT, name: 'monthly-total', timeUnit: 'MONTHLY', limit: '90000', projected: '92000.00', projectionSource: 'model', projectedPct: 102.2, status: 'over' }],
        suggestedMonthlyBudget: '98000',
        suggestionBasis: "next month's upper 80% bound, rounded up",
        notes: [],
      },
      byService: services.map((service, i) => ({ service, last: `${1000 * (3 - i)}.00`, next: `${1100 * (3 - i)}.00`, changePct: 10 })),
      notes: ['Cost Explorer forecast read for the same 30 days.'],
    },
    tagging: {
      policy: DEFAULT_TAG_POLICY,
      organizationsPolicy: organizationsTagPolicy(DEFAULT_TAG_POLICY),
      byCount: {
        total: { resources: 40, compliant: 26, compliantPct: 65 },
        byAccount: { [ACCOUNT]: { resources: 40, compliant: 26, compliantPct: 65 } },
        byService: { 'Amazon Elastic Compute Cloud - Compute': { resources: 20, compliant: 10, compliantPct: 50 }, 'Amazon Simple Storage Service': { resources: 20, compliant: 16, compliantPct: 80 } },
        byOwner: { payments: { resources: 30, compliant: 24, compliantPct: 80 }, '(none)': { resources: 10, compliant: 2, compliantPct: 20 } },
        byKey: Object.fromEntries(DEFAULT_TAG_POLICY.keys.map((k, i) => [k.key, { missing: 4 + i, fixable: 2, invalid: 1, ok: 33 - i }])),
        suggestions: 9,
      },
      bySpend: {
        period: PERIOD,
        unit: 'USD',
        total: { total: '91525.64', compliant: '70000', nonCompliant: '21525.64', compliantPct: 76.5 },
        byAccount: { [ACCOUNT]: { total: '91525.64', compliant: '70000', nonCompliant: '21525.64', compliantPct: 76.5 } },
        byService: {},
        byOwner: { payments: { total: '80000', compliant: '68000', nonCompliant: '12000', compliantPct: 85 }, '(none)': { total: '11525.64', compliant: '2000', nonCompliant: '9525.64', compliantPct: 17.4 } },
        byKey: Object.fromEntries(DEFAULT_TAG_POLICY.keys.map((k) => [k.key, { valid: '70000', fixable: '5000', invalid: '1000', wrongKey: '525.64', untagged: '15000' }])),
        requests: 4,
      },
      nonCompliantResources: 14,
      examples: [{ account: ACCOUNT, region: 'us-east-1', type: 'ec2:instance', id: 'i-0abc', name: 'web-1', problems: [{ key: 'Environment', kind: 'value-synonym', foundKey: 'Environment', foundValue: 'prd', suggestedValue: 'prod', suggestionSource: 'synonym' }] }],
    },
    commitments: {
      recommendations: [
        { kind: 'savings-plan', offering: 'Compute Savings Plans', account: ACCOUNT, term: 'ONE_YEAR', payment: 'NO_UPFRONT', hourlyCommitment: '1.25', upfrontCost: '0', monthlySavings: '310.50', savingsPercent: 22.5, description: 'Commit $1.25/hour' },
        { kind: 'reserved-instance', offering: 'RDS Reserved Instances', account: ACCOUNT, region: 'us-east-1', scope: 'db.r5.large postgres', term: 'ONE_YEAR', payment: 'PARTIAL_UPFRONT', quantity: 2, upfrontCost: '1500', monthlySavings: '120', savingsPercent: 31, description: 'Reserve 2 db.r5.large' },
      ],
      count: 2,
      monthlySavings: '430.50',
      coverage: { savingsPlans: 42.5, ec2Reservations: 10, rdsReservations: 61.5 },
      utilisation: { savingsPlans: 97.1, rdsReservations: 88.4 },
      held: { savingsPlans: 1, rdsReservations: 1 },
      expiring: [
        { id: 'ri-1', service: 'EC2', account: ACCOUNT, region: 'us-east-1', type: 'm5.large', count: 3, end: '2026-12-05T00:00:00Z', daysLeft: 14 },
        { id: 'ri-2', service: 'RDS', account: ACCOUNT, region: 'us-east-1', type: 'db.r5.large', count: 1, end: '2027-02-01T00:00:00Z', daysLeft: 72 },
      ],
      notes: ['Reserved Instance utilisation could not be read: no reservations are active.'],
    },
    summary: { text: 'Spend rose 32.6% on the month.\n\nStop the idle database first: $350.40 a month.', source: 'deterministic' },
    timeline: {
      wallMs: 42_000,
      activities: 12,
      scopes: [
        { scope: 'ec2', wallMs: 30_000, queuedMs: 1_200, runningMs: 27_000, awsWaitMs: 21_000, activities: 8, retries: 1 },
        { scope: 'analysis', wallMs: 42_000, queuedMs: 300, runningMs: 4_000, awsWaitMs: 200, activities: 4, retries: 0 },
      ],
      top: [{ scope: 'ec2', activityType: 'analyseEc2Target', attempt: 1, queuedMs: 40, runningMs: 12_500, awsWaitMs: 9_800 }],
    },
    notes: ['EC2 (instances, EBS, Elastic IPs, snapshots): 2 instances were not judged (no metrics)'],
  };
}

/** A report with no data in any section: every agent failed or was skipped. */
export function emptyReport(): AnalysisReport {
  return assembleReport(
    { analysisId: 'analysis/acme/20261121-0930-empty1', tenant: 'acme', accounts: [ACCOUNT], regions: ['us-east-1'], period: PERIOD, previousPeriod: PREVIOUS, generatedAt: '2026-11-21T09:31:00Z' },
    AGENT_KINDS.map((agent, i) =>
      i % 2
        ? { agent, workflowId: `w/${agent}`, status: 'failed' as const, reason: `${AGENTS[agent].title} could not reach AWS` }
        : { agent, workflowId: `w/${agent}`, status: 'skipped' as const, reason: 'access denied', needs: 'IAM permission ce:GetCostAndUsage' },
    ),
  );
}
