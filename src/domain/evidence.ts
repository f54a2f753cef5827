/**
 * What a finding's evidence means: each key the checks emit, with a label a person reads and the unit
 * its value is in, and the function that turns a finding's evidence record into labelled, unit-formatted
 * fields for every renderer (dashboard cards, exports, CLI, review message).
 *
 * To add a key: one line in EVIDENCE_CATALOGUE. Keys whose names carry data (tag policy keys, Trusted
 * Advisor's own column names) are matched by EVIDENCE_PATTERNS. A key nobody catalogued still renders:
 * its name humanised and its value as is, never an error.
 */
import { humanise, isNumeric, money, number, plural, rate } from '../presentation/format';

export type EvidenceUnit =
  | 'days'
  | 'months'
  | 'percent'
  /** A share 0..1, shown as a percentage. */
  | 'fraction'
  | 'GiB'
  | 'GB'
  | 'MB'
  | 'usd'
  | 'usd-month'
  | 'usd-hour'
  | 'usd-gb-month'
  | 'iops'
  | 'mibps'
  | 'ops-day'
  | 'count'
  | 'boolean'
  | 'date'
  | 'text';

export interface EvidenceSpec {
  label: string;
  unit: EvidenceUnit;
}

const spec = (label: string, unit: EvidenceUnit): EvidenceSpec => ({ label, unit });

/** Every evidence key the checks emit (src/domain/checks), by name. */
export const EVIDENCE_CATALOGUE: Record<string, EvidenceSpec> = {
  // Utilisation
  cpuP95: spec('CPU p95', 'percent'),
  cpuMax: spec('CPU max', 'percent'),
  cpuP95Max: spec('Highest CPU p95', 'percent'),
  cpuP95Average: spec('Average CPU p95', 'percent'),
  maxCpuPercent: spec('CPU max', 'percent'),
  projectedCpuP95: spec('CPU p95 after the change', 'percent'),
  projectedCpuMax: spec('CPU max after the change', 'percent'),
  averageCpu14d: spec('Average CPU (14 days)', 'text'),
  averageNetwork14d: spec('Average network I/O (14 days)', 'text'),
  lowUtilizationDays: spec('Days of low utilisation', 'text'),
  networkMaxDailyMB: spec('Busiest day of network traffic', 'MB'),
  networkChecked: spec('Network capacity checked', 'boolean'),
  creditBalanceMin: spec('Lowest CPU credit balance', 'count'),
  surplusCreditsCharged: spec('Surplus credits charged', 'count'),
  connectionsMax: spec('Most database connections', 'count'),
  maxDailyOps: spec('Busiest day of I/O', 'ops-day'),
  utilisationUnknown: spec('Utilisation not measured', 'boolean'),
  // Time
  days: spec('Days measured', 'days'),
  stoppedDays: spec('Stopped for', 'days'),
  stoppedAt: spec('Stopped at', 'date'),
  ageDays: spec('Age', 'days'),
  launchedDaysAgo: spec('Launched', 'days'),
  daysSinceLastConnection: spec('Days since last connection', 'text'),
  breakEvenMonths: spec('Break-even after', 'months'),
  // Sizes and performance
  sizeGiB: spec('Size', 'GiB'),
  storageGiB: spec('Storage', 'GiB'),
  volumeSizeGiB: spec('Volume size', 'GiB'),
  allocatedStorageGiB: spec('Allocated storage', 'GiB'),
  usedGiB: spec('Used storage', 'GiB'),
  suggestedGiB: spec('Suggested storage', 'GiB'),
  billedSizeGb: spec('Billed size', 'GB'),
  standardGiB: spec('In S3 Standard', 'GiB'),
  transitionableGiB: spec('Could move to Infrequent Access', 'GiB'),
  noncurrentGiB: spec('Noncurrent versions', 'GiB'),
  incompleteMultipartGiB: spec('Incomplete multipart uploads', 'GiB'),
  readGiB30d: spec('Read in the last 30 days', 'GiB'),
  monthlyReadRatio: spec('Share read per month', 'fraction'),
  assumedColdShare: spec('Share assumed cold', 'fraction'),
  iops: spec('Provisioned IOPS', 'iops'),
  targetIops: spec('IOPS after the change', 'iops'),
  targetThroughput: spec('Throughput after the change', 'mibps'),
  objects: spec('Objects', 'count'),
  volumes: spec('Attached volumes', 'count'),
  instances: spec('Instances', 'count'),
  suggestedCapacity: spec('Suggested capacity', 'count'),
  enabledLifecycleRules: spec('Enabled lifecycle rules', 'count'),
  coveredOnlyFor: spec('A lifecycle rule covers only', 'text'),
  problems: spec('Tag problems', 'count'),
  suggested: spec('Values we can suggest', 'count'),
  // Money
  hourlyPrice: spec('Price', 'usd-hour'),
  targetHourlyPrice: spec('Price after the change', 'usd-hour'),
  monthlyCost: spec('Cost', 'usd-month'),
  targetMonthlyCost: spec('Cost after the change', 'usd-month'),
  instanceMonthlyCost: spec('Instance cost', 'usd-month'),
  storageMonthlyCost: spec('Storage cost', 'usd-month'),
  singleAzMonthlyCost: spec('Cost as Single-AZ', 'usd-month'),
  surplusMonthlyCost: spec('Surplus credit cost', 'usd-month'),
  targetMonthlyIncrease: spec('Cost increase of the larger type', 'usd-month'),
  gravitonMonthlyDifference: spec('Further saving on Graviton', 'usd-month'),
  potentialMonthlySavings: spec('Possible saving (not counted)', 'usd-month'),
  sourceEstimatedMonthlySavings: spec("Source's own savings estimate", 'usd-month'),
  storageSaving: spec('Storage saving', 'usd-month'),
  monthlyRetrievalCharge: spec('Retrieval charge', 'usd-month'),
  monthlyMonitoringFee: spec('Monitoring fee', 'usd-month'),
  oneTimeTransitionCharge: spec('One-time transition charge', 'usd'),
  pricePerGbMonth: spec('Storage price', 'usd-gb-month'),
  gp2PerGbMonth: spec('gp2 price', 'usd-gb-month'),
  gp3PerGbMonth: spec('gp3 price', 'usd-gb-month'),
  // What and where
  state: spec('State', 'text'),
  volumeType: spec('Volume type', 'text'),
  volumeTypeName: spec('Volume type', 'text'),
  targetType: spec('Suggested type', 'text'),
  targetClass: spec('Suggested class', 'text'),
  gravitonType: spec('Graviton alternative', 'text'),
  family: spec('Instance family', 'text'),
  attachedTo: spec('Attached to', 'text'),
  volumeIds: spec('Volume IDs', 'text'),
  sourceVolumeId: spec('Source volume', 'text'),
  storageTier: spec('Storage tier', 'text'),
  sizeSource: spec('Size from', 'text'),
  publicIp: spec('Public IP', 'text'),
  associated: spec('Associated', 'boolean'),
  instanceId: spec('Instance', 'text'),
  instanceState: spec('Instance state', 'text'),
  multiAz: spec('Multi-AZ', 'boolean'),
  environment: spec('Environment tag', 'text'),
  versioning: spec('Versioning', 'text'),
  storageLens: spec('Measured by Storage Lens', 'boolean'),
  accessMetrics: spec('Access metrics available', 'boolean'),
  priceSource: spec('Prices from', 'text'),
  configurationFrom: spec('Configuration from', 'text'),
  resourceType: spec('Resource type', 'text'),
  reason: spec('Reason', 'text'),
  trustedAdvisorCheck: spec('Trusted Advisor check', 'text'),
  savingsIncomplete: spec('Savings not fully priced', 'boolean'),
  // Added by the merge
  confirmedBy: spec('Confirmed by', 'text'),
  alsoFlagged: spec('Also flagged', 'text'),
  unconfirmed: spec('Not confirmed by our checks', 'boolean'),
};

/** Keys whose names carry data: matched by shape, optionally only for some checks. */
export const EVIDENCE_PATTERNS: { pattern: RegExp; checks?: RegExp; spec: (match: RegExpExecArray) => EvidenceSpec }[] = [
  // Tagging: "<policy key>" = what is wrong with it, "<key>.suggested" = the value to set, "<key>.source" = why.
  { pattern: /^(.+)\.suggested$/, checks: /^tag-/, spec: (m) => spec(`Suggested ${m[1]}`, 'text') },
  { pattern: /^(.+)\.source$/, checks: /^tag-/, spec: (m) => spec(`${m[1]} suggested from`, 'text') },
  { pattern: /^([^.]+)$/, checks: /^tag-/, spec: (m) => spec(`Tag ${m[1]}`, 'text') },
  // Keys that state their unit in their name (cpuP95Percent, monthlyCostUsd, throughputMiBps, idleDays…).
  { pattern: /^(.*?)(hourly\w*?|\w*?Hourly\w*?)Usd$/i, spec: (m) => spec(humanise(`${m[1]}${m[2]}`), 'usd-hour') },
  { pattern: /^(\w*?(?:monthly|Monthly)\w*?)Usd$/, spec: (m) => spec(humanise(m[1]!), 'usd-month') },
  { pattern: /^(\w+?)PerGbMonthUsd$/, spec: (m) => spec(humanise(m[1]!), 'usd-gb-month') },
  { pattern: /^(\w+?)Usd$/, spec: (m) => spec(humanise(m[1]!), 'usd') },
  { pattern: /^(\w+?)Percent$/, spec: (m) => spec(humanise(m[1]!).replace(/\bcpu\b/i, 'CPU'), 'percent') },
  { pattern: /^(\w+?)MiBps$/, spec: (m) => spec(humanise(m[1]!), 'mibps') },
  { pattern: /^(\w+?)GiB$/, spec: (m) => spec(humanise(m[1]!), 'GiB') },
  { pattern: /^(\w+?)MB$/, spec: (m) => spec(humanise(m[1]!), 'MB') },
  { pattern: /^(\w+?)Iops$/, spec: (m) => spec(humanise(m[1]!), 'iops') },
  { pattern: /^(\w+?)Days$/, spec: (m) => spec(humanise(m[1]!), 'days') },
  // Trusted Advisor checks we do not map keep its own column names as keys: already labels.
  { pattern: /^(.+)$/, checks: /^ta-/, spec: (m) => spec(m[1]!, 'text') },
];

// Plain names main's checks use alongside the unit-suffixed ones.
Object.assign(EVIDENCE_CATALOGUE, {
  targetVolumeType: spec('Suggested volume type', 'text'),
  metricDays: spec('Days measured', 'days'),
  targetInstanceType: spec('Suggested type', 'text'),
  gravitonInstanceType: spec('Graviton alternative', 'text'),
  instanceFamily: spec('Instance family', 'text'),
  volumeCount: spec('Attached volumes', 'count'),
  networkPeakMbps: spec('Network peak', 'text'),
  targetNetworkBaselineMbps: spec('Network baseline after the change', 'text'),
  priceUsdPerGbMonth: spec('Storage price', 'usd-gb-month'),
  billedSizeGB: spec('Billed size', 'GB'),
} satisfies Record<string, EvidenceSpec>);

/** The catalogue entry for a key (of a check, for keys matched by pattern), or undefined when nobody described it. */
export function evidenceSpec(key: string, check?: string): EvidenceSpec | undefined {
  const known = Object.hasOwn(EVIDENCE_CATALOGUE, key) ? EVIDENCE_CATALOGUE[key] : undefined;
  if (known) return known;
  for (const p of EVIDENCE_PATTERNS) {
    if (p.checks && !(check && p.checks.test(check))) continue;
    const m = p.pattern.exec(key);
    if (m) return p.spec(m);
  }
  return undefined;
}

export interface EvidenceField {
  key: string;
  label: string;
  unit: EvidenceUnit;
  /** The value as the check emitted it. */
  value: string | number | boolean;
  /** The value with its unit: "1.2%", "14 days", "$0.0960/hour". */
  text: string;
  /** False when the key is not in the catalogue (label humanised from the key). */
  known: boolean;
}

/** One value in its unit; a value that is not a number where one is expected is shown as is. */
export function formatEvidenceValue(value: string | number | boolean, unit: EvidenceUnit): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (unit === 'boolean') return value === 'true' ? 'yes' : value === 'false' ? 'no' : String(value);
  if (!isNumeric(value)) return String(value);
  const n = Number(value);
  switch (unit) {
    case 'days':
      return plural(n, 'day');
    case 'months':
      return plural(n, 'month');
    case 'percent':
      return `${number(n, 1)}%`;
    case 'fraction':
      return `${number(n * 100, 1)}%`;
    case 'GiB':
    case 'GB':
    case 'MB':
      return `${number(n, 2)} ${unit}`;
    case 'usd':
      return money(String(value));
    case 'usd-month':
      return `${money(String(value))}/month`;
    case 'usd-hour':
      return rate(String(value), 'hour');
    case 'usd-gb-month':
      return rate(String(value), 'GB-month');
    case 'iops':
      return `${number(n, 0)} IOPS`;
    case 'mibps':
      return `${number(n, 0)} MiB/s`;
    case 'ops-day':
      return `${number(n, 0)} operations/day`;
    case 'count':
      return number(n, 2);
    default:
      return String(value);
  }
}

/** A finding's evidence as labelled fields, in the order the check emitted them. Never throws. */
export function evidenceFields(evidence: Readonly<Record<string, unknown>> | undefined, check?: string): EvidenceField[] {
  if (!evidence || typeof evidence !== 'object') return [];
  const fields: EvidenceField[] = [];
  for (const [key, raw] of Object.entries(evidence)) {
    if (raw === undefined || raw === null || raw === '') continue;
    const value: string | number | boolean =
      typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' ? raw : (JSON.stringify(raw) ?? typeof raw);
    const found = evidenceSpec(key, check);
    const unit = found?.unit ?? 'text';
    fields.push({ key, label: found?.label ?? humanise(key), unit, value, text: formatEvidenceValue(value, unit), known: found !== undefined });
  }
  return fields;
}

/** "CPU p95: 1.2% · Days measured: 14 days": one line, for tables and plain text. */
export function evidenceLine(fields: readonly EvidenceField[]): string {
  return fields.map((f) => (f.key === 'summary' && f.unit === 'text' ? f.text : `${f.label}: ${f.text}`)).join(' · ');
}
