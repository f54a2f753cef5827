/**
 * What the sample account knows about instance types and database classes: sizes, vCPUs, memory,
 * generations, and the on-demand prices (US East (N. Virginia), Linux / PostgreSQL, USD per hour) from
 * which every region's price is derived (prices.ts). Prices are AWS's published list prices for these
 * types; other regions apply a regional factor, which is close to, not exactly, AWS's regional prices.
 */

export interface InstanceTypeInfo {
  instanceType: string;
  family: string;
  size: string;
  vcpu: number;
  memoryGiB: number;
  architecture: 'x86_64' | 'arm64';
  burstable: boolean;
  /** AWS's currentGeneration attribute; the heuristics also treat t2 as previous generation. */
  currentGeneration: boolean;
  instanceFamily: 'General purpose' | 'Compute optimized' | 'Memory optimized' | 'GPU instance';
  physicalProcessor: string;
  /** The Price List's networkPerformance attribute, as AWS words it ("Up to 10 Gigabit", "25 Gigabit", "Moderate"). */
  networkPerformance: string;
  /** USD per hour in us-east-1, Linux, shared tenancy. */
  usEast1Hourly: number;
}

/**
 * AWS's published network performance of these types: burstable and small sizes "Up to" a figure,
 * larger sizes a sustained one; previous generations in words.
 */
const NETWORK: Readonly<Record<string, { upTo?: string; sized?: Record<string, string>; words?: Record<string, string> }>> = {
  t2: { words: { nano: 'Low', micro: 'Low to Moderate', small: 'Low to Moderate', medium: 'Low to Moderate', large: 'Low to Moderate', xlarge: 'Moderate', '2xlarge': 'Moderate' } },
  t3: { upTo: '5' },
  t4g: { upTo: '5' },
  m3: { words: { medium: 'Moderate', large: 'Moderate', xlarge: 'High', '2xlarge': 'High' } },
  m4: { words: { large: 'Moderate', xlarge: 'High', '2xlarge': 'High', '4xlarge': 'High' }, sized: { '10xlarge': '10', '16xlarge': '25' } },
  c4: { words: { large: 'Moderate', xlarge: 'High', '2xlarge': 'High', '4xlarge': 'High' }, sized: { '8xlarge': '10' } },
  r4: { upTo: '10', sized: { '8xlarge': '10', '16xlarge': '25' } },
  m5: { upTo: '10', sized: { '8xlarge': '10', '12xlarge': '12', '16xlarge': '20' } },
  c5: { upTo: '10', sized: { '9xlarge': '12', '12xlarge': '12', '18xlarge': '25' } },
  r5: { upTo: '10', sized: { '8xlarge': '10', '12xlarge': '12', '16xlarge': '20' } },
  m6i: { upTo: '12.5', sized: { '8xlarge': '12.5', '12xlarge': '18.75', '16xlarge': '25' } },
  r6i: { upTo: '12.5', sized: { '8xlarge': '12.5', '12xlarge': '18.75', '16xlarge': '25' } },
  m7g: { upTo: '12.5', sized: { '8xlarge': '15', '12xlarge': '22.5', '16xlarge': '30' } },
  c6g: { upTo: '10', sized: { '8xlarge': '12', '12xlarge': '20', '16xlarge': '25' } },
  p3: { upTo: '10', sized: { '8xlarge': '10' } },
};

export function networkPerformanceOf(family: string, size: string): string {
  const n = NETWORK[family];
  const words = n?.words?.[size];
  if (words) return words;
  const sized = n?.sized?.[size];
  if (sized) return `${sized} Gigabit`;
  return n?.upTo ? `Up to ${n.upTo} Gigabit` : 'Moderate';
}

/** Size ladder within a family, smallest first. */
export const SIZES = [
  'nano',
  'micro',
  'small',
  'medium',
  'large',
  'xlarge',
  '2xlarge',
  '4xlarge',
  '8xlarge',
  '9xlarge',
  '12xlarge',
  '16xlarge',
];

/** AWS's normalization factor of a size (small = 1), used for NormalizedUsageAmount and RI sizing. */
export function normalizationFactor(size: string): number {
  const fixed: Record<string, number> = { nano: 0.25, micro: 0.5, small: 1, medium: 2, large: 4, xlarge: 8, metal: 192 };
  if (fixed[size] !== undefined) return fixed[size];
  const multiple = /^(\d+)xlarge$/.exec(size);
  return multiple ? Number(multiple[1]) * 8 : 0;
}

interface FamilySpec {
  family: string;
  /** size → us-east-1 hourly price */
  prices: Record<string, number>;
  /** vCPU and memory of the "large" size; other sizes scale with the normalization factor. */
  largeVcpu: number;
  largeMemoryGiB: number;
  architecture: 'x86_64' | 'arm64';
  burstable?: boolean;
  currentGeneration: boolean;
  instanceFamily: InstanceTypeInfo['instanceFamily'];
  physicalProcessor: string;
}

const FAMILIES: FamilySpec[] = [
  {
    family: 't2',
    prices: { nano: 0.0058, micro: 0.0116, small: 0.023, medium: 0.0464, large: 0.0928, xlarge: 0.1856, '2xlarge': 0.3712 },
    largeVcpu: 2,
    largeMemoryGiB: 8,
    architecture: 'x86_64',
    burstable: true,
    currentGeneration: true,
    instanceFamily: 'General purpose',
    physicalProcessor: 'Intel Xeon Family',
  },
  {
    family: 't3',
    prices: { nano: 0.0052, micro: 0.0104, small: 0.0208, medium: 0.0416, large: 0.0832, xlarge: 0.1664, '2xlarge': 0.3328 },
    largeVcpu: 2,
    largeMemoryGiB: 8,
    architecture: 'x86_64',
    burstable: true,
    currentGeneration: true,
    instanceFamily: 'General purpose',
    physicalProcessor: 'Intel Skylake E5 2686 v5',
  },
  {
    family: 't4g',
    prices: { nano: 0.0042, micro: 0.0084, small: 0.0168, medium: 0.0336, large: 0.0672, xlarge: 0.1344, '2xlarge': 0.2688 },
    largeVcpu: 2,
    largeMemoryGiB: 8,
    architecture: 'arm64',
    burstable: true,
    currentGeneration: true,
    instanceFamily: 'General purpose',
    physicalProcessor: 'AWS Graviton2 Processor',
  },
  {
    family: 'm3',
    prices: { medium: 0.067, large: 0.133, xlarge: 0.266, '2xlarge': 0.532 },
    largeVcpu: 2,
    largeMemoryGiB: 7.5,
    architecture: 'x86_64',
    currentGeneration: false,
    instanceFamily: 'General purpose',
    physicalProcessor: 'Intel Xeon E5-2670 v2 (Ivy Bridge/Sandy Bridge)',
  },
  {
    family: 'm4',
    prices: { large: 0.1, xlarge: 0.2, '2xlarge': 0.4, '4xlarge': 0.8 },
    largeVcpu: 2,
    largeMemoryGiB: 8,
    architecture: 'x86_64',
    currentGeneration: false,
    instanceFamily: 'General purpose',
    physicalProcessor: 'Intel Xeon E5-2676 v3 (Haswell)',
  },
  {
    family: 'm5',
    prices: { large: 0.096, xlarge: 0.192, '2xlarge': 0.384, '4xlarge': 0.768, '8xlarge': 1.536, '12xlarge': 2.304 },
    largeVcpu: 2,
    largeMemoryGiB: 8,
    architecture: 'x86_64',
    currentGeneration: true,
    instanceFamily: 'General purpose',
    physicalProcessor: 'Intel Xeon Platinum 8175',
  },
  {
    family: 'm6i',
    prices: { large: 0.096, xlarge: 0.192, '2xlarge': 0.384, '4xlarge': 0.768, '8xlarge': 1.536 },
    largeVcpu: 2,
    largeMemoryGiB: 8,
    architecture: 'x86_64',
    currentGeneration: true,
    instanceFamily: 'General purpose',
    physicalProcessor: 'Intel Xeon 8375C (Ice Lake)',
  },
  {
    family: 'm7g',
    prices: { medium: 0.0408, large: 0.0816, xlarge: 0.1632, '2xlarge': 0.3264, '4xlarge': 0.6528 },
    largeVcpu: 2,
    largeMemoryGiB: 8,
    architecture: 'arm64',
    currentGeneration: true,
    instanceFamily: 'General purpose',
    physicalProcessor: 'AWS Graviton3 Processor',
  },
  {
    family: 'c4',
    prices: { large: 0.1, xlarge: 0.199, '2xlarge': 0.398, '4xlarge': 0.796 },
    largeVcpu: 2,
    largeMemoryGiB: 3.75,
    architecture: 'x86_64',
    currentGeneration: false,
    instanceFamily: 'Compute optimized',
    physicalProcessor: 'Intel Xeon E5-2666 v3 (Haswell)',
  },
  {
    family: 'c5',
    prices: { large: 0.085, xlarge: 0.17, '2xlarge': 0.34, '4xlarge': 0.68, '9xlarge': 1.53 },
    largeVcpu: 2,
    largeMemoryGiB: 4,
    architecture: 'x86_64',
    currentGeneration: true,
    instanceFamily: 'Compute optimized',
    physicalProcessor: 'Intel Xeon Platinum 8124M',
  },
  {
    family: 'c6g',
    prices: { medium: 0.034, large: 0.068, xlarge: 0.136, '2xlarge': 0.272, '4xlarge': 0.544 },
    largeVcpu: 2,
    largeMemoryGiB: 4,
    architecture: 'arm64',
    currentGeneration: true,
    instanceFamily: 'Compute optimized',
    physicalProcessor: 'AWS Graviton2 Processor',
  },
  {
    family: 'r4',
    prices: { large: 0.133, xlarge: 0.266, '2xlarge': 0.532, '4xlarge': 1.064 },
    largeVcpu: 2,
    largeMemoryGiB: 15.25,
    architecture: 'x86_64',
    currentGeneration: false,
    instanceFamily: 'Memory optimized',
    physicalProcessor: 'Intel Xeon E5-2686 v4 (Broadwell)',
  },
  {
    family: 'r5',
    prices: { large: 0.126, xlarge: 0.252, '2xlarge': 0.504, '4xlarge': 1.008, '8xlarge': 2.016 },
    largeVcpu: 2,
    largeMemoryGiB: 16,
    architecture: 'x86_64',
    currentGeneration: true,
    instanceFamily: 'Memory optimized',
    physicalProcessor: 'Intel Xeon Platinum 8175',
  },
  {
    family: 'r6i',
    prices: { large: 0.126, xlarge: 0.252, '2xlarge': 0.504, '4xlarge': 1.008 },
    largeVcpu: 2,
    largeMemoryGiB: 16,
    architecture: 'x86_64',
    currentGeneration: true,
    instanceFamily: 'Memory optimized',
    physicalProcessor: 'Intel Xeon 8375C (Ice Lake)',
  },
  {
    family: 'p3',
    prices: { '2xlarge': 3.06, '8xlarge': 12.24 },
    largeVcpu: 2,
    largeMemoryGiB: 15.25,
    architecture: 'x86_64',
    currentGeneration: true,
    instanceFamily: 'GPU instance',
    physicalProcessor: 'Intel Xeon E5-2686 v4 (Broadwell)',
  },
];

const INSTANCE_TYPES = new Map<string, InstanceTypeInfo>();
for (const spec of FAMILIES) {
  for (const [size, price] of Object.entries(spec.prices)) {
    const factor = normalizationFactor(size) / 4;
    // Burstable types keep 2 vCPUs down to nano (t2: 1 up to small); the others scale with size.
    const burstableVcpu = spec.family === 't2' ? ({ nano: 1, micro: 1, small: 1 }[size] ?? 0) : 0;
    const smallBurstable = spec.burstable && ['nano', 'micro', 'small', 'medium'].includes(size);
    INSTANCE_TYPES.set(`${spec.family}.${size}`, {
      instanceType: `${spec.family}.${size}`,
      family: spec.family,
      size,
      vcpu: burstableVcpu || (smallBurstable ? 2 : Math.max(1, Math.round(spec.largeVcpu * factor))),
      memoryGiB: Math.round(spec.largeMemoryGiB * factor * 100) / 100,
      architecture: spec.architecture,
      burstable: spec.burstable ?? false,
      currentGeneration: spec.currentGeneration,
      instanceFamily: spec.instanceFamily,
      physicalProcessor: spec.physicalProcessor,
      networkPerformance: networkPerformanceOf(spec.family, size),
      usEast1Hourly: price,
    });
  }
}

export function instanceTypeInfo(instanceType: string): InstanceTypeInfo | undefined {
  return INSTANCE_TYPES.get(instanceType);
}

export function requireInstanceType(instanceType: string): InstanceTypeInfo {
  const info = INSTANCE_TYPES.get(instanceType);
  if (!info) throw new Error(`the sample account has no price for instance type ${instanceType}`);
  return info;
}

export function knownInstanceTypes(): string[] {
  return [...INSTANCE_TYPES.keys()];
}

/** The next smaller size of the same family (m5.2xlarge → m5.xlarge), if the catalog has one. */
export function smallerInstanceType(instanceType: string): string | undefined {
  const info = INSTANCE_TYPES.get(instanceType);
  if (!info) return undefined;
  for (let i = SIZES.indexOf(info.size) - 1; i >= 0; i--) {
    const candidate = `${info.family}.${SIZES[i]}`;
    if (INSTANCE_TYPES.has(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Previous-generation families (AWS's currentGeneration = No, plus t2 as the heuristics treat it)
 * and the current-generation x86 family of the same kind the ground truth recommends.
 */
export const PREVIOUS_GENERATION_UPGRADE: Readonly<Record<string, string>> = {
  t2: 't3',
  m3: 'm5',
  m4: 'm5',
  c4: 'c5',
  r4: 'r5',
};

/** The same size in the upgrade family (m4.xlarge → m5.xlarge), for previous-generation types. */
export function currentGenerationEquivalent(instanceType: string): string | undefined {
  const info = INSTANCE_TYPES.get(instanceType);
  const family = info ? PREVIOUS_GENERATION_UPGRADE[info.family] : undefined;
  if (!info || !family) return undefined;
  const candidate = `${family}.${info.size}`;
  return INSTANCE_TYPES.has(candidate) ? candidate : undefined;
}

// ---------------------------------------------------------------------------------------------
// RDS
// ---------------------------------------------------------------------------------------------

export interface DbClassInfo {
  dbInstanceClass: string;
  vcpu: number;
  memoryGiB: number;
  currentGeneration: boolean;
  /** USD per hour in us-east-1, Single-AZ, PostgreSQL. */
  usEast1PostgresHourly: number;
}

const DB_CLASSES: DbClassInfo[] = [
  { dbInstanceClass: 'db.t3.micro', vcpu: 2, memoryGiB: 1, currentGeneration: true, usEast1PostgresHourly: 0.018 },
  { dbInstanceClass: 'db.t3.small', vcpu: 2, memoryGiB: 2, currentGeneration: true, usEast1PostgresHourly: 0.036 },
  { dbInstanceClass: 'db.t3.medium', vcpu: 2, memoryGiB: 4, currentGeneration: true, usEast1PostgresHourly: 0.072 },
  { dbInstanceClass: 'db.t3.large', vcpu: 2, memoryGiB: 8, currentGeneration: true, usEast1PostgresHourly: 0.145 },
  { dbInstanceClass: 'db.t4g.medium', vcpu: 2, memoryGiB: 4, currentGeneration: true, usEast1PostgresHourly: 0.065 },
  { dbInstanceClass: 'db.m5.large', vcpu: 2, memoryGiB: 8, currentGeneration: true, usEast1PostgresHourly: 0.178 },
  { dbInstanceClass: 'db.m5.xlarge', vcpu: 4, memoryGiB: 16, currentGeneration: true, usEast1PostgresHourly: 0.356 },
  { dbInstanceClass: 'db.m5.2xlarge', vcpu: 8, memoryGiB: 32, currentGeneration: true, usEast1PostgresHourly: 0.712 },
  { dbInstanceClass: 'db.m5.4xlarge', vcpu: 16, memoryGiB: 64, currentGeneration: true, usEast1PostgresHourly: 1.424 },
  { dbInstanceClass: 'db.m6i.large', vcpu: 2, memoryGiB: 8, currentGeneration: true, usEast1PostgresHourly: 0.178 },
  { dbInstanceClass: 'db.m6i.xlarge', vcpu: 4, memoryGiB: 16, currentGeneration: true, usEast1PostgresHourly: 0.356 },
  { dbInstanceClass: 'db.r5.large', vcpu: 2, memoryGiB: 16, currentGeneration: true, usEast1PostgresHourly: 0.25 },
  { dbInstanceClass: 'db.r5.xlarge', vcpu: 4, memoryGiB: 32, currentGeneration: true, usEast1PostgresHourly: 0.5 },
  { dbInstanceClass: 'db.r5.2xlarge', vcpu: 8, memoryGiB: 64, currentGeneration: true, usEast1PostgresHourly: 1.0 },
  { dbInstanceClass: 'db.r6g.large', vcpu: 2, memoryGiB: 16, currentGeneration: true, usEast1PostgresHourly: 0.225 },
  { dbInstanceClass: 'db.r6g.xlarge', vcpu: 4, memoryGiB: 32, currentGeneration: true, usEast1PostgresHourly: 0.45 },
  { dbInstanceClass: 'db.m4.large', vcpu: 2, memoryGiB: 8, currentGeneration: false, usEast1PostgresHourly: 0.182 },
];

const DB_CLASS_MAP = new Map(DB_CLASSES.map((c) => [c.dbInstanceClass, c]));

export function dbClassInfo(dbInstanceClass: string): DbClassInfo | undefined {
  return DB_CLASS_MAP.get(dbInstanceClass);
}

export function knownDbClasses(): string[] {
  return [...DB_CLASS_MAP.keys()];
}

/** Pricing API's databaseEngine attribute per RDS engine name. */
export const DATABASE_ENGINE: Readonly<Record<string, string>> = {
  postgres: 'PostgreSQL',
  mysql: 'MySQL',
  mariadb: 'MariaDB',
};

/** Engine price relative to PostgreSQL (MySQL and MariaDB list a little lower). */
export const ENGINE_PRICE_FACTOR: Readonly<Record<string, number>> = { postgres: 1, mysql: 0.96, mariadb: 0.96 };

/** RDS's operation code per engine, as Cost Explorer's OPERATION dimension shows it. */
export const RDS_OPERATION: Readonly<Record<string, string>> = {
  postgres: 'CreateDBInstance:0014',
  mysql: 'CreateDBInstance:0002',
  mariadb: 'CreateDBInstance:0018',
};
