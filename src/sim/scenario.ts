/**
 * The sample AWS account (scenario v2): resources in the model's shape (model.ts), a price list, the
 * cost history that follows from them, the planted waste with its true savings, and Trusted Advisor
 * results — generated from a seed, or loaded from a scenario file (scenario-file.ts).
 *
 * Sizes: small (one account, two regions, ~30 resources: the demo), medium (an organisation of three
 * accounts in three regions, a few hundred resources), large (six accounts, five regions: 10,000
 * instances, 1,000 databases, 5,000 buckets, 15,000 volumes). The same options always give the
 * identical scenario. `waste: 'none'` gives an account without any waste (every check finds nothing).
 *
 * How costs are made: billing.ts. What counts as waste and what it saves: waste.ts. How metrics are
 * computed: metrics.ts.
 */
import { writeFileSync } from 'node:fs';
import { buildCostHistory, type InstanceSchedule, type UsageCharge } from './billing';
import { AMOUNT_SCALE, ExactSum, type CostLine, type CostStore, type LineKey } from './cost-store';
import { addDays, fromEpochDay, isIsoDate, toEpochDay, todayUtc } from './dates';
import { buildBulkOrganisation, organisationPlan } from './generator/bulk';
import { DraftBuilder, type ScenarioDraft, type ScenarioSize } from './generator/builder';
import { currentGenerationEquivalent, smallerInstanceType } from './generator/catalog';
import { CE_SERVICE, PriceBook, completePriceList, type PriceSpec } from './generator/prices';
import { SAMPLE_ACCOUNT, SAMPLE_REGIONS, buildSmallAccount } from './generator/small';
import type { PlantedWaste, ScenarioEvent, ScenarioResources } from './model';
import { computeTrustedAdvisor } from './trusted-advisor';
import { CHECKS, evaluateWaste, totalsOf, type GroundTruthTotals } from './waste';

export type { CostLine, LineKey } from './cost-store';
export type { SimAccount, ScenarioEvent } from './model';
export type { ScenarioSize } from './generator/builder';
export { businessSupportFee } from './billing';
export { SAMPLE_ACCOUNT, SAMPLE_REGIONS };

/** Cost Explorer SERVICE values the generated scenarios bill under. */
export const SERVICE = CE_SERVICE;

/** Cost Explorer's SERVICE_CODE dimension for each SERVICE value. */
export const SERVICE_CODE: Readonly<Record<string, string>> = {
  [CE_SERVICE.ec2Compute]: 'AmazonEC2',
  [CE_SERVICE.ec2Other]: 'AmazonEC2',
  [CE_SERVICE.vpc]: 'AmazonVPC',
  [CE_SERVICE.s3]: 'AmazonS3',
  [CE_SERVICE.rds]: 'AmazonRDS',
  [CE_SERVICE.cloudWatch]: 'AmazonCloudWatch',
  [CE_SERVICE.supportBusiness]: 'AWSSupportBusiness',
  [CE_SERVICE.supportDeveloper]: 'AWSDeveloperSupport',
  [CE_SERVICE.supportEnterprise]: 'AWSSupportEnterprise',
};

/** Cost Explorer reports charges that belong to no region (Support) under this REGION value. */
export const GLOBAL_REGION = 'global';

export const SCENARIO_SIZES: readonly ScenarioSize[] = ['small', 'medium', 'large'];
export const DEFAULT_SEED = 42;
export const DEFAULT_HISTORY_DAYS = 430;

export interface Scenario extends ScenarioResources {
  size: ScenarioSize | 'custom';
  historyDays: number;
  /** First day with cost data (anchorDate - historyDays). */
  historyStart: string;
  /** The daily cost history (see cost-store.ts). */
  costStore: CostStore;
  /** The price list as a lookup (same data as `prices`). */
  priceBook: PriceBook;
  /** Non-resource charges (NAT gateways, data transfer, CloudWatch, S3 requests, past instances). */
  charges: UsageCharge[];
  /** Instances that run only on weekdays / office hours. */
  schedules: Record<string, InstanceSchedule>;
  addressAllocatedAt: Record<string, string>;
  bucketGrowth: Record<string, number>;
  /** Tag keys active as cost-allocation tags (Cost Explorer's TAG dimension). */
  costAllocationTags: string[];
  /**
   * Every cost line as an object — materialised on first use. Fine for small scenarios; large ones
   * should read `costStore` (or sumCosts) instead.
   */
  readonly costs: CostLine[];
}

export interface GenerateScenarioOptions {
  seed?: number;
  /** 'YYYY-MM-DD'; default today (UTC). */
  anchorDate?: string;
  historyDays?: number;
  size?: ScenarioSize;
  /** 'planted' (default): the generator plants waste and records it in `planted`; 'none': no waste at all. */
  waste?: 'planted' | 'none';
  /** An organisation of this shape instead of a size: accounts × Regions with the same resources in each (bench/organisation.ts). */
  organisation?: { accounts: number; regions: number };
}

export function generateScenario(options: GenerateScenarioOptions = {}): Scenario {
  const seed = options.seed ?? DEFAULT_SEED;
  const anchorDate = options.anchorDate ?? todayUtc();
  const historyDays = options.historyDays ?? DEFAULT_HISTORY_DAYS;
  const size = options.size ?? 'small';
  const waste = options.waste ?? 'planted';
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer (got ${seed})`);
  if (!isIsoDate(anchorDate)) throw new RangeError(`anchorDate must be a date YYYY-MM-DD (got ${JSON.stringify(anchorDate)})`);
  if (!Number.isInteger(historyDays) || historyDays < 0 || historyDays > 3660) {
    throw new RangeError(`historyDays must be an integer between 0 and 3660 (got ${historyDays})`);
  }
  if (!SCENARIO_SIZES.includes(size))
    throw new RangeError(`size must be one of ${SCENARIO_SIZES.join(', ')} (got ${JSON.stringify(size)})`);
  if (waste !== 'planted' && waste !== 'none')
    throw new RangeError(`waste must be 'planted' or 'none' (got ${JSON.stringify(waste)})`);

  const builder = new DraftBuilder(seed, anchorDate, historyDays, size);
  if (options.organisation) {
    buildBulkOrganisation(builder, organisationPlan(options.organisation.accounts, options.organisation.regions), waste === 'planted');
  } else if (size === 'small') buildSmallAccount(builder, waste === 'planted');
  else buildBulkOrganisation(builder, size, waste === 'planted');
  return finishScenario(builder.draft);
}

/** Every price a draft bills with (so the price list covers exactly what the scenario uses). */
function priceSpecs(draft: ScenarioDraft): PriceSpec[] {
  const specs: PriceSpec[] = [];
  for (const i of draft.instances) {
    specs.push({ kind: 'ec2-instance', region: i.region, instanceType: i.instanceType, spot: i.lifecycle === 'spot' });
  }
  for (const v of draft.volumes) {
    specs.push({ kind: 'ebs-volume', region: v.region, volumeType: v.volumeType });
    if (v.volumeType === 'io1' || v.volumeType === 'io2')
      specs.push({ kind: 'ebs-iops', region: v.region, volumeType: v.volumeType });
  }
  for (const a of draft.addresses) {
    specs.push({ kind: 'public-ipv4', region: a.region, inUse: true }, { kind: 'public-ipv4', region: a.region, inUse: false });
  }
  for (const s of draft.snapshots) specs.push({ kind: 'ebs-snapshot', region: s.region, tier: s.storageTier });
  for (const d of draft.databases) {
    specs.push(
      { kind: 'rds-instance', region: d.region, dbInstanceClass: d.dbInstanceClass, engine: d.engine, multiAz: d.multiAz },
      { kind: 'rds-storage', region: d.region, storageType: d.storageType, multiAz: d.multiAz },
    );
    if (d.storageType === 'io1' || d.storageType === 'io2')
      specs.push({ kind: 'rds-iops', region: d.region, multiAz: d.multiAz });
  }
  for (const b of draft.buckets) {
    for (const storageType of Object.keys(b.storageBytes)) specs.push({ kind: 's3-storage', region: b.region, storageType });
  }
  for (const c of draft.charges) specs.push(c.spec);
  // What the ground truth prices alternatives with: smaller sizes, newer families, gp3, Single-AZ, IA.
  for (const region of new Set([...draft.regions, ...draft.instances.map((i) => i.region)])) {
    specs.push(
      { kind: 'ebs-volume', region, volumeType: 'gp3' },
      { kind: 'ebs-volume', region, volumeType: 'gp2' },
      { kind: 'ebs-iops', region, volumeType: 'gp3' },
      { kind: 'ebs-throughput', region },
      { kind: 'ebs-snapshot', region, tier: 'standard' },
      { kind: 'public-ipv4', region, inUse: false },
      { kind: 's3-storage', region, storageType: 'StandardStorage' },
      { kind: 's3-storage', region, storageType: 'StandardIAStorage' },
    );
  }
  return specs.concat(alternativeSpecs(draft));
}

function alternativeSpecs(draft: ScenarioDraft): PriceSpec[] {
  const specs: PriceSpec[] = [];
  for (const i of draft.instances) {
    for (const alternative of [smallerInstanceType(i.instanceType), currentGenerationEquivalent(i.instanceType)]) {
      if (alternative) specs.push({ kind: 'ec2-instance', region: i.region, instanceType: alternative });
    }
  }
  for (const d of draft.databases) {
    specs.push(
      { kind: 'rds-instance', region: d.region, dbInstanceClass: d.dbInstanceClass, engine: d.engine, multiAz: false },
      { kind: 'rds-storage', region: d.region, storageType: d.storageType, multiAz: false },
      { kind: 'rds-storage', region: d.region, storageType: 'gp3', multiAz: d.multiAz },
    );
    if (d.storageType === 'io1' || d.storageType === 'io2') specs.push({ kind: 'rds-iops', region: d.region, multiAz: false });
  }
  return specs;
}

/** A draft (generated or loaded) → the scenario: prices, costs, ground truth, Trusted Advisor. */
export function finishScenario(draft: ScenarioDraft): Scenario {
  const prices = completePriceList(priceSpecs(draft), draft.prices ?? []);
  const priceBook = new PriceBook(prices);
  const detailDays = Math.min(draft.detailDays ?? 14, draft.historyDays + 1);
  const costStore = buildCostHistory({
    anchorDate: draft.anchorDate,
    accounts: draft.accounts,
    instances: draft.instances,
    volumes: draft.volumes,
    addresses: draft.addresses,
    snapshots: draft.snapshots,
    databases: draft.databases,
    buckets: draft.buckets,
    supportPlans: draft.supportPlans,
    historyDays: draft.historyDays,
    detailDays,
    prices: priceBook,
    charges: draft.charges,
    schedules: draft.schedules,
    addressAllocatedAt: draft.addressAllocatedAt,
    bucketGrowth: draft.bucketGrowth,
    ...(draft.costAllocationTags ? { costAllocationTags: draft.costAllocationTags } : {}),
  });
  const resources = {
    anchorDate: draft.anchorDate,
    accounts: draft.accounts,
    instances: draft.instances,
    volumes: draft.volumes,
    addresses: draft.addresses,
    snapshots: draft.snapshots,
    databases: draft.databases,
    buckets: draft.buckets,
  };
  const planted = evaluateWaste({ resources, prices: priceBook });
  const trustedAdvisor = computeTrustedAdvisor(resources, priceBook);
  const activeTags = new Set<string>();
  for (const key of costStore.keys) for (const tag of Object.keys(key.tags)) activeTags.add(tag);
  const scenario = {
    seed: draft.seed,
    anchorDate: draft.anchorDate,
    size: draft.size,
    historyDays: draft.historyDays,
    historyStart: addDays(draft.anchorDate, -draft.historyDays),
    accounts: draft.accounts,
    regions: draft.regions,
    supportPlans: draft.supportPlans,
    instances: draft.instances,
    volumes: draft.volumes,
    addresses: draft.addresses,
    snapshots: draft.snapshots,
    databases: draft.databases,
    buckets: draft.buckets,
    prices,
    trustedAdvisor,
    planted,
    events: draft.events,
    costStore,
    priceBook,
    charges: draft.charges,
    schedules: draft.schedules,
    addressAllocatedAt: draft.addressAllocatedAt,
    bucketGrowth: draft.bucketGrowth,
    costAllocationTags: [...activeTags].sort(),
  } as Omit<Scenario, 'costs'> as Scenario;
  let lines: CostLine[] | undefined;
  Object.defineProperty(scenario, 'costs', {
    enumerable: false,
    get: () => (lines ??= [...costStore.lines()]),
  });
  return scenario;
}

// ---------------------------------------------------------------------------------------------
// Ground truth: sums over the cost history
// ---------------------------------------------------------------------------------------------

export interface CostQuery {
  /** Inclusive. */
  start?: string;
  /** Exclusive, like Cost Explorer's End. */
  end?: string;
  account?: string | readonly string[];
  region?: string | readonly string[];
  service?: string | readonly string[];
  usageType?: string | readonly string[];
  resourceId?: string | readonly string[];
  /** Tag equals value; a null value means "the tag is absent". */
  tags?: Readonly<Record<string, string | null>>;
  where?: (line: CostLine) => boolean;
}

function matchesOne(value: string | undefined, wanted: string | readonly string[] | undefined): boolean {
  if (wanted === undefined) return true;
  if (value === undefined) return false;
  return typeof wanted === 'string' ? value === wanted : wanted.includes(value);
}

function keyMatches(key: LineKey, query: CostQuery): boolean {
  if (!matchesOne(key.account, query.account)) return false;
  if (!matchesOne(key.region, query.region)) return false;
  if (!matchesOne(key.service, query.service)) return false;
  if (!matchesOne(key.usageType, query.usageType)) return false;
  if (query.tags) {
    for (const [tag, value] of Object.entries(query.tags)) {
      const actual = key.tags[tag];
      if (value === null ? actual !== undefined : actual !== value) return false;
    }
  }
  return true;
}

export function costLineMatches(line: CostLine, query: CostQuery): boolean {
  if (query.start !== undefined && line.date < query.start) return false;
  if (query.end !== undefined && line.date >= query.end) return false;
  if (!keyMatches(line, query)) return false;
  if (!matchesOne(line.resourceId, query.resourceId)) return false;
  return query.where ? query.where(line) : true;
}

/** Visits the rows matching `query` (its key- and day-level parts; `where` and resourceId per row). */
function forEachRow(scenario: Scenario, query: CostQuery, visit: (row: number, line: () => CostLine) => void): void {
  const store = scenario.costStore;
  const startDay = query.start !== undefined ? toEpochDay(query.start) : store.firstDay;
  const endDay = query.end !== undefined ? toEpochDay(query.end) : store.lastDay + 1;
  const keyOk = store.keys.map((k) => keyMatches(k, query));
  const perRow = query.where !== undefined || query.resourceId !== undefined;
  for (let day = Math.max(startDay, store.firstDay); day < Math.min(endDay, store.lastDay + 1); day++) {
    const [from, to] = store.rowRange(day, day + 1);
    const date = fromEpochDay(day);
    for (let row = from; row < to; row++) {
      const keyIndex = store.rowKey[row] as number;
      if (!keyOk[keyIndex]) continue;
      const line = (): CostLine => {
        const resource = store.rowResource[row] as number;
        return {
          ...(store.keys[keyIndex] as LineKey),
          date,
          ...(resource >= 0 ? { resourceId: store.resources[resource] } : {}),
          amount: (store.rowAmount[row] as number) / AMOUNT_SCALE,
          usageQuantity: store.rowUsage[row] as number,
        };
      };
      if (perRow) {
        const l = line();
        if (!matchesOne(l.resourceId, query.resourceId)) continue;
        if (query.where && !query.where(l)) continue;
      }
      visit(row, line);
    }
  }
}

/** Exact total cost (USD decimal string, "0" when nothing matches) of the lines matching `query`. */
export function sumCosts(scenario: Scenario, query: CostQuery = {}): string {
  const total = new ExactSum();
  forEachRow(scenario, query, (row) => total.add(scenario.costStore.rowAmount[row] as number));
  return total.format();
}

/** Exact totals per value of `key(line)` for the lines matching `query`. */
export function sumCostsBy(scenario: Scenario, key: (line: CostLine) => string, query: CostQuery = {}): Map<string, string> {
  const totals = new Map<string, ExactSum>();
  forEachRow(scenario, query, (row, line) => {
    const k = key(line());
    let sum = totals.get(k);
    if (!sum) totals.set(k, (sum = new ExactSum()));
    sum.add(scenario.costStore.rowAmount[row] as number);
  });
  return new Map([...totals].map(([k, v]) => [k, v.format()]));
}

/** As sumCostsBy, for keys that depend only on the line key (no date or resource): fast on large scenarios. */
export function sumCostsByKey(
  scenario: Scenario,
  key: (line: LineKey) => string,
  query: Omit<CostQuery, 'where' | 'resourceId'> = {},
): Map<string, string> {
  const names = scenario.costStore.keys.map(key);
  const totals = new Map<string, ExactSum>();
  forEachRow(scenario, query, (row) => {
    const k = names[scenario.costStore.rowKey[row] as number] as string;
    let sum = totals.get(k);
    if (!sum) totals.set(k, (sum = new ExactSum()));
    sum.add(scenario.costStore.rowAmount[row] as number);
  });
  return new Map([...totals].map(([k, v]) => [k, v.format()]));
}

// ---------------------------------------------------------------------------------------------
// The ground-truth file
// ---------------------------------------------------------------------------------------------

export interface GroundTruthFile {
  scenario: {
    seed: number;
    size: string;
    anchorDate: string;
    historyStart: string;
    accounts: { id: string; name: string }[];
    regions: string[];
  };
  /** Metric window the rules read: [start, end) — the 14 days before the anchor date. */
  window: { start: string; end: string };
  /** Each check's rule, action and savings formula. */
  checks: Record<string, string>;
  totals: GroundTruthTotals;
  planted: PlantedWaste[];
  /** Planted cost anomalies (spikes). */
  anomalies: ScenarioEvent[];
  supportPlans: Record<string, string>;
}

export function groundTruth(scenario: Scenario): GroundTruthFile {
  return {
    scenario: {
      seed: scenario.seed,
      size: scenario.size,
      anchorDate: scenario.anchorDate,
      historyStart: scenario.historyStart,
      accounts: scenario.accounts.map((a) => ({ id: a.id, name: a.name })),
      regions: scenario.regions,
    },
    window: { start: addDays(scenario.anchorDate, -14), end: scenario.anchorDate },
    checks: { ...CHECKS },
    totals: totalsOf(scenario.planted),
    planted: scenario.planted,
    anomalies: scenario.events,
    supportPlans: scenario.supportPlans,
  };
}

/** Writes the ground truth (planted waste, totals by check and account, anomalies) as JSON. */
export function writeGroundTruth(scenario: Scenario, path: string): GroundTruthFile {
  const truth = groundTruth(scenario);
  writeFileSync(path, `${JSON.stringify(truth, null, 2)}\n`);
  return truth;
}

/** A stable fingerprint of a scenario's cost history (for determinism checks). */
export function costFingerprint(scenario: Scenario): string {
  const store = scenario.costStore;
  const total = new ExactSum();
  let mix = 0;
  for (let row = 0; row < store.rowCount; row++) {
    total.add(store.rowAmount[row] as number);
    mix = (Math.imul(mix, 31) + (store.rowKey[row] as number) * 7 + (store.rowResource[row] as number)) | 0;
  }
  return `${store.rowCount}/${total.format()}/${mix}`;
}
