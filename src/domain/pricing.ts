/**
 * Prices for the checks: what the AWS Price List Query API (GetProducts) returns, reduced to the few
 * numbers a saving needs, and the maths that turns them into monthly dollars. Pure functions.
 *
 * A product is keyed by what a check asks for ("the on-demand Linux price of m5.large in eu-west-1",
 * "gp3 storage per GB-month in us-east-1"), not by SKU: `productKey` classifies a Price List document
 * into such a key, and the checks look prices up through the `PriceBook` helpers. Prices stay exact
 * decimal strings (the Price List publishes them to 10 decimal places); a month is 730 hours, as AWS
 * prices monthly figures.
 */
import Big from 'big.js';

export const HOURS_PER_MONTH = 730;

/** One price from the Price List: USD per `unit` (Hrs, GB-Mo, IOPS-Mo, MiBps-Mo, ...). */
export interface PricePoint {
  usd: string;
  unit: string;
  /** Product attributes the checks read (instance types: vcpu, memory, currentGeneration, ...). */
  attributes?: Record<string, string>;
}

/** Prices by product key (see the key builders below). Plain data: it travels between activities. */
export type PriceBook = Record<string, PricePoint>;

/** What GetProducts returns per product, parsed from its JSON string. */
export interface PriceListProduct {
  serviceCode: string;
  productFamily: string;
  sku: string;
  attributes: Record<string, string>;
  /** The OnDemand price of the product's first-tier dimension. */
  usd: string;
  unit: string;
}

// ---------------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------------

export const priceKey = {
  ec2Instance: (region: string, instanceType: string, os: 'Linux' | 'Windows' = 'Linux') =>
    `ec2-instance|${region}|${os}|${instanceType}`,
  ebsStorage: (region: string, volumeType: string) => `ebs-storage|${region}|${volumeType}`,
  ebsIops: (region: string, volumeType: string) => `ebs-iops|${region}|${volumeType}`,
  ebsThroughput: (region: string) => `ebs-throughput|${region}|gp3`,
  ebsSnapshot: (region: string, tier: 'standard' | 'archive') => `ebs-snapshot|${region}|${tier}`,
  idlePublicIpv4: (region: string) => `ipv4-idle|${region}`,
  rdsInstance: (region: string, dbInstanceClass: string, engine: string, multiAz: boolean) =>
    `rds-instance|${region}|${rdsPricingEngine(engine) ?? engine}|${multiAz ? 'Multi-AZ' : 'Single-AZ'}|${dbInstanceClass}`,
  rdsStorage: (region: string, storageType: string, multiAz: boolean) =>
    `rds-storage|${region}|${storageType}|${multiAz ? 'Multi-AZ' : 'Single-AZ'}`,
  rdsIops: (region: string, multiAz: boolean) => `rds-iops|${region}|${multiAz ? 'Multi-AZ' : 'Single-AZ'}`,
} as const;

/** The Price List's databaseEngine for an RDS engine name, or undefined when we do not price that engine. */
export function rdsPricingEngine(engine: string): string | undefined {
  const e = engine.toLowerCase();
  if (e === 'postgres') return 'PostgreSQL';
  if (e === 'mysql') return 'MySQL';
  if (e === 'mariadb') return 'MariaDB';
  if (e === 'aurora-mysql' || e === 'aurora') return 'Aurora MySQL';
  if (e === 'aurora-postgresql') return 'Aurora PostgreSQL';
  if (e.startsWith('oracle')) return 'Oracle';
  if (e.startsWith('sqlserver')) return 'SQL Server';
  return undefined;
}

const RDS_STORAGE_USAGE: Readonly<Record<string, string>> = {
  'GP2-Storage': 'gp2',
  'GP3-Storage': 'gp3',
  'PIOPS-Storage': 'io1',
  'PIOPS-Storage-IO2': 'io2',
  StorageUsage: 'standard',
};

/** Attributes kept with instance-type prices (the rest of a product's attributes are dropped). */
const KEPT_ATTRIBUTES = ['vcpu', 'memory', 'currentGeneration', 'instanceFamily', 'physicalProcessor', 'networkPerformance'];

/**
 * The key a Price List product answers, or undefined when no check needs it (other operating systems,
 * tenancies, pre-installed software, reserved capacity, ...).
 */
export function productKey(p: PriceListProduct): string | undefined {
  const a = p.attributes;
  const region = a['regionCode'];
  if (!region) return undefined;
  const usageType = a['usagetype'] ?? '';
  if (p.serviceCode === 'AmazonEC2') {
    if (p.productFamily === 'Compute Instance' && a['instanceType']) {
      if ((a['tenancy'] ?? 'Shared') !== 'Shared' || (a['preInstalledSw'] ?? 'NA') !== 'NA') return undefined;
      if ((a['capacitystatus'] ?? 'Used') !== 'Used' || a['marketoption'] === 'Spot') return undefined;
      const os = a['operatingSystem'];
      if (os !== 'Linux' && os !== 'Windows') return undefined;
      return priceKey.ec2Instance(region, a['instanceType'], os);
    }
    if (p.productFamily === 'Storage' && a['volumeApiName']) return priceKey.ebsStorage(region, a['volumeApiName']);
    if (p.productFamily === 'System Operation' && a['volumeApiName'] && /IOPS/i.test(`${a['group'] ?? ''}${usageType}`))
      return priceKey.ebsIops(region, a['volumeApiName']);
    if (p.productFamily === 'Provisioned Throughput' && (a['volumeApiName'] ?? 'gp3') === 'gp3') return priceKey.ebsThroughput(region);
    if (p.productFamily === 'Storage Snapshot') {
      if (/EBS:SnapshotUsage$/.test(usageType)) return priceKey.ebsSnapshot(region, 'standard');
      if (/EBS:SnapshotArchiveStorage$/.test(usageType)) return priceKey.ebsSnapshot(region, 'archive');
    }
    return undefined;
  }
  if (p.serviceCode === 'AmazonVPC') {
    if (/PublicIPv4:IdleAddress$/.test(usageType)) return priceKey.idlePublicIpv4(region);
    return undefined;
  }
  if (p.serviceCode === 'AmazonRDS') {
    const deployment = a['deploymentOption'];
    if (deployment !== 'Single-AZ' && deployment !== 'Multi-AZ') return undefined;
    const multiAz = deployment === 'Multi-AZ';
    if (p.productFamily === 'Database Instance' && a['instanceType'] && a['databaseEngine']) {
      return `rds-instance|${region}|${a['databaseEngine']}|${deployment}|${a['instanceType']}`;
    }
    if (p.productFamily === 'Database Storage') {
      const fromUsage = /RDS:(?:Multi-AZ-)?([A-Za-z0-9-]+)$/.exec(usageType)?.[1];
      const storageType = a['volumeApiName'] ?? (fromUsage ? RDS_STORAGE_USAGE[fromUsage] : undefined);
      return storageType ? priceKey.rdsStorage(region, storageType, multiAz) : undefined;
    }
    if (p.productFamily === 'Provisioned IOPS' && /PIOPS$/.test(usageType)) return priceKey.rdsIops(region, multiAz);
    return undefined;
  }
  return undefined;
}

/**
 * One GetProducts PriceList entry (a JSON string) → the product and its on-demand price, or undefined
 * when the document has no on-demand USD price.
 */
export function parsePriceListDocument(document: string): PriceListProduct | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(document);
  } catch {
    return undefined;
  }
  if (!isRecord(doc) || !isRecord(doc.product)) return undefined;
  const product = doc.product;
  const attributes: Record<string, string> = {};
  if (isRecord(product.attributes)) {
    for (const [k, v] of Object.entries(product.attributes)) if (typeof v === 'string') attributes[k] = v;
  }
  const terms = isRecord(doc.terms) && isRecord(doc.terms.OnDemand) ? doc.terms.OnDemand : undefined;
  if (!terms) return undefined;
  let best: { usd: string; unit: string; begin: number } | undefined;
  for (const term of Object.values(terms)) {
    if (!isRecord(term) || !isRecord(term.priceDimensions)) continue;
    for (const dim of Object.values(term.priceDimensions)) {
      if (!isRecord(dim) || !isRecord(dim.pricePerUnit)) continue;
      const usd = dim.pricePerUnit.USD;
      if (typeof usd !== 'string' || !/^\d+(\.\d+)?$/.test(usd)) continue;
      const begin = Number(typeof dim.beginRange === 'string' ? dim.beginRange : '0');
      if (!best || begin < best.begin) best = { usd: canonicalDecimal(usd), unit: typeof dim.unit === 'string' ? dim.unit : '', begin };
    }
  }
  if (!best) return undefined;
  return {
    serviceCode: typeof doc.serviceCode === 'string' ? doc.serviceCode : (attributes['servicecode'] ?? ''),
    productFamily: typeof product.productFamily === 'string' ? product.productFamily : '',
    sku: typeof product.sku === 'string' ? product.sku : '',
    attributes,
    usd: best.usd,
    unit: best.unit,
  };
}

/** The price point a product contributes to a PriceBook. */
export function pricePointOf(p: PriceListProduct): PricePoint {
  const kept: Record<string, string> = {};
  if (p.productFamily === 'Compute Instance' || p.productFamily === 'Database Instance') {
    for (const name of KEPT_ATTRIBUTES) if (p.attributes[name] !== undefined) kept[name] = p.attributes[name];
  }
  return { usd: p.usd, unit: p.unit, ...(Object.keys(kept).length ? { attributes: kept } : {}) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "0.0960000000" → "0.096". */
export function canonicalDecimal(value: string): string {
  return new Big(value).toString();
}

// ---------------------------------------------------------------------------------------------
// Maths
// ---------------------------------------------------------------------------------------------

/** The monthly (730-hour) cost of an hourly price. */
export function monthlyFromHourly(hourly: string): string {
  return new Big(hourly).times(HOURS_PER_MONTH).toString();
}

export function priceOf(book: PriceBook, key: string): string | undefined {
  return book[key]?.usd;
}

/** What an EBS volume is billed for. */
export interface VolumeConfig {
  region: string;
  volumeType: string;
  sizeGiB: number;
  iops?: number;
  throughput?: number;
}

export const GP3_BASELINE_IOPS = 3000;
export const GP3_BASELINE_THROUGHPUT = 125;

/**
 * Monthly cost of a volume: storage per GB-month, provisioned IOPS (io1, io2; gp3 above 3,000) and gp3
 * throughput above 125 MiB/s. Undefined when a price it needs is missing from the book.
 */
export function volumeMonthlyCost(book: PriceBook, v: VolumeConfig): string | undefined {
  const storage = priceOf(book, priceKey.ebsStorage(v.region, v.volumeType));
  if (storage === undefined) return undefined;
  let total = new Big(storage).times(v.sizeGiB);
  if ((v.volumeType === 'io1' || v.volumeType === 'io2') && v.iops) {
    const iops = priceOf(book, priceKey.ebsIops(v.region, v.volumeType));
    if (iops === undefined) return undefined;
    total = total.plus(new Big(iops).times(v.iops));
  }
  if (v.volumeType === 'gp3') {
    const extraIops = Math.max(0, (v.iops ?? GP3_BASELINE_IOPS) - GP3_BASELINE_IOPS);
    if (extraIops > 0) {
      const iops = priceOf(book, priceKey.ebsIops(v.region, 'gp3'));
      if (iops === undefined) return undefined;
      total = total.plus(new Big(iops).times(extraIops));
    }
    const extraThroughput = Math.max(0, (v.throughput ?? GP3_BASELINE_THROUGHPUT) - GP3_BASELINE_THROUGHPUT);
    if (extraThroughput > 0) {
      const throughput = priceOf(book, priceKey.ebsThroughput(v.region));
      if (throughput === undefined) return undefined;
      total = total.plus(new Big(throughput).times(extraThroughput));
    }
  }
  return total.toString();
}

/** What an RDS instance is billed for. */
export interface DatabaseConfig {
  region: string;
  dbInstanceClass: string;
  engine: string;
  multiAz: boolean;
  storageType: string;
  allocatedStorageGiB: number;
  iops?: number;
}

/** Monthly cost of a DB instance, split into instance hours and storage (+ provisioned IOPS). */
export function databaseMonthlyCost(
  book: PriceBook,
  d: DatabaseConfig,
): { instance: string; storage: string; total: string } | undefined {
  const hourly = priceOf(book, priceKey.rdsInstance(d.region, d.dbInstanceClass, d.engine, d.multiAz));
  const perGb = priceOf(book, priceKey.rdsStorage(d.region, d.storageType, d.multiAz));
  if (hourly === undefined || perGb === undefined) return undefined;
  let storage = new Big(perGb).times(d.allocatedStorageGiB);
  if ((d.storageType === 'io1' || d.storageType === 'io2') && d.iops) {
    const iops = priceOf(book, priceKey.rdsIops(d.region, d.multiAz));
    if (iops === undefined) return undefined;
    storage = storage.plus(new Big(iops).times(d.iops));
  }
  const instance = new Big(hourly).times(HOURS_PER_MONTH);
  return { instance: instance.toString(), storage: storage.toString(), total: instance.plus(storage).toString() };
}

export function subtract(a: string, b: string): string {
  return new Big(a).minus(b).toString();
}

export function isPositive(amount: string): boolean {
  return new Big(amount).gt(0);
}

export function times(amount: string, factor: number | string): string {
  return new Big(amount).times(factor).toString();
}

/** A dollar amount as an evidence number, to the cent (evidence and display only, never totals). */
export function usd(amount: string): number {
  return Number(new Big(amount).round(2, Big.roundHalfEven).toFixed(2));
}

/** Display rounding for evidence and text (never for totals). */
export function cents(amount: string): string {
  return new Big(amount).round(2, Big.roundHalfEven).toFixed(2);
}

/** AWS region codes by the location names the Price List and Cost Explorer's recommendations use. */
export const REGION_BY_LOCATION: Readonly<Record<string, string>> = {
  'US East (N. Virginia)': 'us-east-1',
  'US East (Ohio)': 'us-east-2',
  'US West (N. California)': 'us-west-1',
  'US West (Oregon)': 'us-west-2',
  'Africa (Cape Town)': 'af-south-1',
  'Asia Pacific (Hong Kong)': 'ap-east-1',
  'Asia Pacific (Hyderabad)': 'ap-south-2',
  'Asia Pacific (Jakarta)': 'ap-southeast-3',
  'Asia Pacific (Malaysia)': 'ap-southeast-5',
  'Asia Pacific (Melbourne)': 'ap-southeast-4',
  'Asia Pacific (Mumbai)': 'ap-south-1',
  'Asia Pacific (Osaka)': 'ap-northeast-3',
  'Asia Pacific (Seoul)': 'ap-northeast-2',
  'Asia Pacific (Singapore)': 'ap-southeast-1',
  'Asia Pacific (Sydney)': 'ap-southeast-2',
  'Asia Pacific (Thailand)': 'ap-southeast-7',
  'Asia Pacific (Tokyo)': 'ap-northeast-1',
  'Canada (Central)': 'ca-central-1',
  'Canada West (Calgary)': 'ca-west-1',
  'EU (Frankfurt)': 'eu-central-1',
  'EU (Ireland)': 'eu-west-1',
  'EU (London)': 'eu-west-2',
  'EU (Milan)': 'eu-south-1',
  'EU (Paris)': 'eu-west-3',
  'EU (Spain)': 'eu-south-2',
  'EU (Stockholm)': 'eu-north-1',
  'EU (Zurich)': 'eu-central-2',
  'Europe (Frankfurt)': 'eu-central-1',
  'Europe (Ireland)': 'eu-west-1',
  'Europe (London)': 'eu-west-2',
  'Europe (Paris)': 'eu-west-3',
  'Europe (Stockholm)': 'eu-north-1',
  'Israel (Tel Aviv)': 'il-central-1',
  'Mexico (Central)': 'mx-central-1',
  'Middle East (Bahrain)': 'me-south-1',
  'Middle East (UAE)': 'me-central-1',
  'South America (Sao Paulo)': 'sa-east-1',
  'AWS GovCloud (US-East)': 'us-gov-east-1',
  'AWS GovCloud (US-West)': 'us-gov-west-1',
};

/** A region code from a code or a location name ("EU (Ireland)" → eu-west-1). */
export function regionCodeOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(value)) return value;
  return REGION_BY_LOCATION[value];
}
