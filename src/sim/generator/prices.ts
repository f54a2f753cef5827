/**
 * The sample account's price list: on-demand prices for everything the scenario bills, in the
 * Pricing API's vocabulary (service codes, product families, attributes, usage types, units), and
 * a `PriceBook` that the cost history, the ground truth and the Pricing service all read — so a
 * dollar figure computed anywhere in the simulator comes from the same number.
 *
 * us-east-1 prices are AWS's published list prices; other regions apply a regional factor per kind
 * of charge (compute, block storage, object storage), which lands on or near AWS's regional prices.
 */
import { createHash } from 'node:crypto';
import type { PriceEntry } from '../model';
import {
  DATABASE_ENGINE,
  ENGINE_PRICE_FACTOR,
  RDS_OPERATION,
  dbClassInfo,
  knownDbClasses,
  knownInstanceTypes,
  requireInstanceType,
} from './catalog';

export interface RegionInfo {
  /** Pricing API `location`. */
  location: string;
  /** Cost Explorer usage-type prefix (us-east-1 has none). */
  prefix: string;
  compute: number;
  blockStorage: number;
  objectStorage: number;
}

export const REGIONS: Readonly<Record<string, RegionInfo>> = {
  'us-east-1': { location: 'US East (N. Virginia)', prefix: '', compute: 1, blockStorage: 1, objectStorage: 1 },
  'us-east-2': { location: 'US East (Ohio)', prefix: 'USE2-', compute: 1, blockStorage: 1, objectStorage: 1 },
  'us-west-2': { location: 'US West (Oregon)', prefix: 'USW2-', compute: 1, blockStorage: 1, objectStorage: 1 },
  'eu-west-1': { location: 'EU (Ireland)', prefix: 'EU-', compute: 1.115, blockStorage: 1.1, objectStorage: 1 },
  'eu-central-1': { location: 'EU (Frankfurt)', prefix: 'EUC1-', compute: 1.2, blockStorage: 1.19, objectStorage: 1.065 },
  'ap-southeast-2': {
    location: 'Asia Pacific (Sydney)',
    prefix: 'APS2-',
    compute: 1.25,
    blockStorage: 1.2,
    objectStorage: 1.087,
  },
};

export function regionInfo(region: string): RegionInfo {
  const info = REGIONS[region];
  if (!info) throw new Error(`the sample account has no prices for region ${region} (known: ${Object.keys(REGIONS).join(', ')})`);
  return info;
}

export function prefixedUsageType(region: string, usageType: string): string {
  return `${regionInfo(region).prefix}${usageType}`;
}

/** Cost Explorer SERVICE values. */
export const CE_SERVICE = {
  ec2Compute: 'Amazon Elastic Compute Cloud - Compute',
  ec2Other: 'EC2 - Other',
  vpc: 'Amazon Virtual Private Cloud',
  s3: 'Amazon Simple Storage Service',
  rds: 'Amazon Relational Database Service',
  cloudWatch: 'AmazonCloudWatch',
  supportBusiness: 'AWS Support (Business)',
  supportDeveloper: 'AWS Support (Developer)',
  supportEnterprise: 'AWS Support (Enterprise)',
} as const;

/** Something the scenario bills: enough to find its price and to write its cost lines. */
export type PriceSpec =
  | { kind: 'ec2-instance'; region: string; instanceType: string; spot?: boolean }
  | { kind: 'rds-instance'; region: string; dbInstanceClass: string; engine: string; multiAz: boolean }
  | { kind: 'rds-storage'; region: string; storageType: 'gp2' | 'gp3' | 'io1' | 'io2' | 'standard'; multiAz: boolean }
  | { kind: 'rds-iops'; region: string; multiAz: boolean }
  | { kind: 'ebs-volume'; region: string; volumeType: 'gp2' | 'gp3' | 'io1' | 'io2' | 'st1' | 'sc1' | 'standard' }
  | { kind: 'ebs-iops'; region: string; volumeType: 'gp3' | 'io1' | 'io2' }
  | { kind: 'ebs-throughput'; region: string }
  | { kind: 'ebs-snapshot'; region: string; tier: 'standard' | 'archive' }
  | { kind: 'public-ipv4'; region: string; inUse: boolean }
  | { kind: 's3-storage'; region: string; storageType: string }
  | { kind: 's3-requests'; region: string; tier: 1 | 2 }
  | { kind: 'nat-hours' | 'nat-bytes' | 'data-transfer-out' | 'cw-metrics' | 'cw-logs'; region: string };

/** How a PriceSpec bills: the cost line's fields and the Pricing API product it comes from. */
export interface Charge {
  serviceCode: string;
  /** Cost Explorer SERVICE. */
  service: string;
  /** With the region prefix. */
  usageType: string;
  operation: string;
  unit: string;
  productFamily: string;
  attributes: Record<string, string>;
  /** Qualifies usage types that several products share (RDS engines). */
  qualifier: string;
}

/** S3 StorageType (CloudWatch's dimension and `storageBytes` keys) → how it bills. */
export const S3_STORAGE_TYPES: Readonly<
  Record<string, { usageType: string; operation: string; storageClass: string; volumeType: string; usEast1: number }>
> = {
  StandardStorage: {
    usageType: 'TimedStorage-ByteHrs',
    operation: 'StandardStorage',
    storageClass: 'General Purpose',
    volumeType: 'Standard',
    usEast1: 0.023,
  },
  IntelligentTieringFAStorage: {
    usageType: 'TimedStorage-INT-FA-ByteHrs',
    operation: 'IntelligentTieringFAStorage',
    storageClass: 'Intelligent-Tiering',
    volumeType: 'Intelligent-Tiering Frequent Access',
    usEast1: 0.023,
  },
  IntelligentTieringIAStorage: {
    usageType: 'TimedStorage-INT-IA-ByteHrs',
    operation: 'IntelligentTieringIAStorage',
    storageClass: 'Intelligent-Tiering',
    volumeType: 'Intelligent-Tiering Infrequent Access',
    usEast1: 0.0125,
  },
  StandardIAStorage: {
    usageType: 'TimedStorage-SIA-ByteHrs',
    operation: 'StandardIAStorage',
    storageClass: 'Infrequent Access',
    volumeType: 'Standard - Infrequent Access',
    usEast1: 0.0125,
  },
  OneZoneIAStorage: {
    usageType: 'TimedStorage-ZIA-ByteHrs',
    operation: 'OneZoneIAStorage',
    storageClass: 'Infrequent Access',
    volumeType: 'One Zone - Infrequent Access',
    usEast1: 0.01,
  },
  GlacierStorage: {
    usageType: 'TimedStorage-GlacierByteHrs',
    operation: 'GlacierStorage',
    storageClass: 'Archive',
    volumeType: 'Amazon Glacier',
    usEast1: 0.0036,
  },
  DeepArchiveStorage: {
    usageType: 'TimedStorage-GDA-ByteHrs',
    operation: 'DeepArchiveStorage',
    storageClass: 'Archive',
    volumeType: 'Glacier Deep Archive',
    usEast1: 0.00099,
  },
};

const EBS_VOLUME: Readonly<
  Record<string, { usageType: string; operation: string; volumeType: string; media: string; usEast1: number }>
> = {
  gp2: {
    usageType: 'EBS:VolumeUsage.gp2',
    operation: 'CreateVolume-Gp2',
    volumeType: 'General Purpose',
    media: 'SSD-backed',
    usEast1: 0.1,
  },
  gp3: {
    usageType: 'EBS:VolumeUsage.gp3',
    operation: 'CreateVolume-Gp3',
    volumeType: 'General Purpose',
    media: 'SSD-backed',
    usEast1: 0.08,
  },
  io1: {
    usageType: 'EBS:VolumeUsage.piops',
    operation: 'CreateVolume-P-IOPS',
    volumeType: 'Provisioned IOPS',
    media: 'SSD-backed',
    usEast1: 0.125,
  },
  io2: {
    usageType: 'EBS:VolumeUsage.io2',
    operation: 'CreateVolume-io2',
    volumeType: 'Provisioned IOPS',
    media: 'SSD-backed',
    usEast1: 0.125,
  },
  st1: {
    usageType: 'EBS:VolumeUsage.st1',
    operation: 'CreateVolume-St1',
    volumeType: 'Throughput Optimized HDD',
    media: 'HDD-backed',
    usEast1: 0.045,
  },
  sc1: {
    usageType: 'EBS:VolumeUsage.sc1',
    operation: 'CreateVolume-Sc1',
    volumeType: 'Cold HDD',
    media: 'HDD-backed',
    usEast1: 0.015,
  },
  standard: {
    usageType: 'EBS:VolumeUsage',
    operation: 'CreateVolume',
    volumeType: 'Magnetic',
    media: 'HDD-backed',
    usEast1: 0.05,
  },
};

const EBS_IOPS: Readonly<Record<string, { usageType: string; operation: string; usEast1: number }>> = {
  gp3: { usageType: 'EBS:VolumeP-IOPS.gp3', operation: 'CreateVolume-Gp3', usEast1: 0.005 },
  io1: { usageType: 'EBS:VolumeP-IOPS.piops', operation: 'CreateVolume-P-IOPS', usEast1: 0.065 },
  io2: { usageType: 'EBS:VolumeP-IOPS.io2', operation: 'CreateVolume-io2', usEast1: 0.065 },
};

const RDS_STORAGE: Readonly<Record<string, { usageType: string; volumeType: string; usEast1: number }>> = {
  gp2: { usageType: 'GP2-Storage', volumeType: 'General Purpose', usEast1: 0.115 },
  gp3: { usageType: 'GP3-Storage', volumeType: 'General Purpose-GP3', usEast1: 0.115 },
  io1: { usageType: 'PIOPS-Storage', volumeType: 'Provisioned IOPS', usEast1: 0.125 },
  io2: { usageType: 'PIOPS-Storage-IO2', volumeType: 'Provisioned IOPS-IO2', usEast1: 0.125 },
  standard: { usageType: 'StorageUsage', volumeType: 'Magnetic', usEast1: 0.1 },
};

function round(value: number, decimals: number): number {
  return Number(value.toFixed(decimals));
}

const chargeCache = new Map<string, Charge>();

function specKey(spec: PriceSpec): string {
  return Object.entries(spec)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('|');
}

/** Where a spec bills, without its price (cached: billing asks for the same specs many times). */
export function chargeFor(spec: PriceSpec): Charge {
  const key = specKey(spec);
  let charge = chargeCache.get(key);
  if (!charge) {
    charge = describeCharge(spec);
    if (chargeCache.size < 100_000) chargeCache.set(key, charge);
  }
  return charge;
}

function describeCharge(spec: PriceSpec): Charge {
  const r = regionInfo(spec.region);
  const base = { location: r.location, regionCode: spec.region, locationType: 'AWS Region' };
  const p = (usageType: string): string => `${r.prefix}${usageType}`;
  switch (spec.kind) {
    case 'ec2-instance': {
      const info = requireInstanceType(spec.instanceType);
      const usageType = p(`${spec.spot ? 'SpotUsage' : 'BoxUsage'}:${spec.instanceType}`);
      return {
        serviceCode: 'AmazonEC2',
        service: CE_SERVICE.ec2Compute,
        usageType,
        operation: 'RunInstances',
        unit: 'Hrs',
        productFamily: 'Compute Instance',
        qualifier: '',
        attributes: {
          ...base,
          servicecode: 'AmazonEC2',
          servicename: 'Amazon Elastic Compute Cloud',
          instanceType: spec.instanceType,
          instanceFamily: info.instanceFamily,
          currentGeneration: info.currentGeneration ? 'Yes' : 'No',
          vcpu: String(info.vcpu),
          memory: `${info.memoryGiB} GiB`,
          physicalProcessor: info.physicalProcessor,
          networkPerformance: info.networkPerformance,
          processorArchitecture: info.architecture === 'arm64' ? '64-bit' : '64-bit',
          operatingSystem: 'Linux',
          tenancy: 'Shared',
          preInstalledSw: 'NA',
          licenseModel: 'No License required',
          capacitystatus: 'Used',
          marketoption: spec.spot ? 'Spot' : 'OnDemand',
          usagetype: usageType,
          operation: 'RunInstances',
        },
      };
    }
    case 'rds-instance': {
      const engine = DATABASE_ENGINE[spec.engine];
      if (!engine) throw new Error(`the sample account has no prices for RDS engine ${spec.engine}`);
      const usageType = p(`${spec.multiAz ? 'Multi-AZUsage' : 'InstanceUsage'}:${spec.dbInstanceClass}`);
      const operation = RDS_OPERATION[spec.engine] ?? 'CreateDBInstance';
      return {
        serviceCode: 'AmazonRDS',
        service: CE_SERVICE.rds,
        usageType,
        operation,
        unit: 'Hrs',
        productFamily: 'Database Instance',
        qualifier: engine,
        attributes: {
          ...base,
          servicecode: 'AmazonRDS',
          servicename: 'Amazon Relational Database Service',
          instanceType: spec.dbInstanceClass,
          databaseEngine: engine,
          deploymentOption: spec.multiAz ? 'Multi-AZ' : 'Single-AZ',
          licenseModel: 'No license required',
          usagetype: usageType,
          operation,
        },
      };
    }
    case 'rds-storage': {
      const s = RDS_STORAGE[spec.storageType] as (typeof RDS_STORAGE)[string];
      const usageType = p(`RDS:${spec.multiAz ? 'Multi-AZ-' : ''}${s.usageType}`);
      return {
        serviceCode: 'AmazonRDS',
        service: CE_SERVICE.rds,
        usageType,
        operation: 'CreateDBInstance',
        unit: 'GB-Mo',
        productFamily: 'Database Storage',
        qualifier: '',
        attributes: {
          ...base,
          servicecode: 'AmazonRDS',
          volumeType: s.volumeType,
          volumeApiName: spec.storageType,
          databaseEngine: 'Any',
          deploymentOption: spec.multiAz ? 'Multi-AZ' : 'Single-AZ',
          usagetype: usageType,
        },
      };
    }
    case 'rds-iops': {
      const usageType = p(`RDS:${spec.multiAz ? 'Multi-AZ-' : ''}PIOPS`);
      return {
        serviceCode: 'AmazonRDS',
        service: CE_SERVICE.rds,
        usageType,
        operation: 'CreateDBInstance',
        unit: 'IOPS-Mo',
        productFamily: 'Provisioned IOPS',
        qualifier: '',
        attributes: {
          ...base,
          servicecode: 'AmazonRDS',
          databaseEngine: 'Any',
          deploymentOption: spec.multiAz ? 'Multi-AZ' : 'Single-AZ',
          usagetype: usageType,
        },
      };
    }
    case 'ebs-volume': {
      const v = EBS_VOLUME[spec.volumeType] as (typeof EBS_VOLUME)[string];
      const usageType = p(v.usageType);
      return {
        serviceCode: 'AmazonEC2',
        service: CE_SERVICE.ec2Other,
        usageType,
        operation: v.operation,
        unit: 'GB-Mo',
        productFamily: 'Storage',
        qualifier: '',
        attributes: {
          ...base,
          servicecode: 'AmazonEC2',
          volumeApiName: spec.volumeType,
          volumeType: v.volumeType,
          storageMedia: v.media,
          usagetype: usageType,
        },
      };
    }
    case 'ebs-iops': {
      const v = EBS_IOPS[spec.volumeType] as (typeof EBS_IOPS)[string];
      const usageType = p(v.usageType);
      return {
        serviceCode: 'AmazonEC2',
        service: CE_SERVICE.ec2Other,
        usageType,
        operation: v.operation,
        unit: 'IOPS-Mo',
        productFamily: 'System Operation',
        qualifier: '',
        attributes: {
          ...base,
          servicecode: 'AmazonEC2',
          group: 'EBS IOPS',
          volumeApiName: spec.volumeType,
          usagetype: usageType,
        },
      };
    }
    case 'ebs-throughput': {
      const usageType = p('EBS:VolumeP-Throughput.gp3');
      return {
        serviceCode: 'AmazonEC2',
        service: CE_SERVICE.ec2Other,
        usageType,
        operation: 'CreateVolume-Gp3',
        unit: 'MiBps-Mo',
        productFamily: 'Provisioned Throughput',
        qualifier: '',
        attributes: { ...base, servicecode: 'AmazonEC2', group: 'EBS Throughput', volumeApiName: 'gp3', usagetype: usageType },
      };
    }
    case 'ebs-snapshot': {
      const usageType = p(spec.tier === 'archive' ? 'EBS:SnapshotArchiveStorage' : 'EBS:SnapshotUsage');
      return {
        serviceCode: 'AmazonEC2',
        service: CE_SERVICE.ec2Other,
        usageType,
        operation: 'CreateSnapshot',
        unit: 'GB-Mo',
        productFamily: 'Storage Snapshot',
        qualifier: '',
        attributes: {
          ...base,
          servicecode: 'AmazonEC2',
          storageMedia: spec.tier === 'archive' ? 'Archive' : 'Amazon S3',
          usagetype: usageType,
        },
      };
    }
    case 'public-ipv4': {
      const usageType = p(spec.inUse ? 'PublicIPv4:InUseAddress' : 'PublicIPv4:IdleAddress');
      return {
        serviceCode: 'AmazonVPC',
        service: CE_SERVICE.vpc,
        usageType,
        operation: spec.inUse ? 'AssociateAddressVPC' : 'AllocateAddressVPC',
        unit: 'Hrs',
        productFamily: 'VPC Public IPv4 Address',
        qualifier: '',
        attributes: {
          ...base,
          servicecode: 'AmazonVPC',
          group: spec.inUse ? 'VPCPublicIPv4InUseAddress' : 'VPCPublicIPv4IdleAddress',
          usagetype: usageType,
        },
      };
    }
    case 's3-storage': {
      const s = S3_STORAGE_TYPES[spec.storageType];
      if (!s) throw new Error(`the sample account has no S3 price for storage type ${spec.storageType}`);
      const usageType = p(s.usageType);
      return {
        serviceCode: 'AmazonS3',
        service: CE_SERVICE.s3,
        usageType,
        operation: s.operation,
        unit: 'GB-Mo',
        productFamily: 'Storage',
        qualifier: '',
        attributes: {
          ...base,
          servicecode: 'AmazonS3',
          storageClass: s.storageClass,
          volumeType: s.volumeType,
          usagetype: usageType,
        },
      };
    }
    case 's3-requests': {
      const usageType = p(`Requests-Tier${spec.tier}`);
      return {
        serviceCode: 'AmazonS3',
        service: CE_SERVICE.s3,
        usageType,
        operation: spec.tier === 1 ? 'PutObject' : 'GetObject',
        unit: 'Requests',
        productFamily: 'API Request',
        qualifier: '',
        attributes: {
          ...base,
          servicecode: 'AmazonS3',
          group: spec.tier === 1 ? 'S3-API-Tier1' : 'S3-API-Tier2',
          usagetype: usageType,
        },
      };
    }
    case 'nat-hours':
    case 'nat-bytes': {
      const usageType = p(spec.kind === 'nat-hours' ? 'NatGateway-Hours' : 'NatGateway-Bytes');
      return {
        serviceCode: 'AmazonEC2',
        service: CE_SERVICE.ec2Other,
        usageType,
        operation: 'NatGateway',
        unit: spec.kind === 'nat-hours' ? 'Hrs' : 'GB',
        productFamily: 'NAT Gateway',
        qualifier: '',
        attributes: {
          ...base,
          servicecode: 'AmazonEC2',
          group: spec.kind === 'nat-hours' ? 'NGW:NatGateway' : 'NGW:NatGateway-Bytes',
          usagetype: usageType,
        },
      };
    }
    case 'data-transfer-out': {
      const usageType = p('DataTransfer-Out-Bytes');
      return {
        serviceCode: 'AWSDataTransfer',
        service: CE_SERVICE.ec2Other,
        usageType,
        operation: 'RunInstances',
        unit: 'GB',
        productFamily: 'Data Transfer',
        qualifier: '',
        attributes: {
          ...base,
          servicecode: 'AWSDataTransfer',
          transferType: 'AWS Outbound',
          fromLocation: r.location,
          toLocation: 'External',
          usagetype: usageType,
        },
      };
    }
    case 'cw-metrics':
    case 'cw-logs': {
      const metrics = spec.kind === 'cw-metrics';
      const usageType = p(metrics ? 'CW:MetricMonitorUsage' : 'DataProcessing-Bytes');
      return {
        serviceCode: 'AmazonCloudWatch',
        service: CE_SERVICE.cloudWatch,
        usageType,
        operation: metrics ? 'MetricStorage' : 'PutLogEvents',
        unit: metrics ? 'Metrics' : 'GB',
        productFamily: metrics ? 'Metric' : 'Data Payload',
        qualifier: '',
        attributes: {
          ...base,
          servicecode: 'AmazonCloudWatch',
          group: metrics ? 'Metric' : 'Ingested Logs',
          usagetype: usageType,
        },
      };
    }
  }
}

/** AWS's list price (USD per unit) of a spec in the simulator's built-in price list. */
export function builtinPrice(spec: PriceSpec): number {
  const r = regionInfo(spec.region);
  switch (spec.kind) {
    case 'ec2-instance': {
      const onDemand = round(requireInstanceType(spec.instanceType).usEast1Hourly * r.compute, 4);
      // Spot averages about a third of on-demand for these families (not a Pricing API product).
      return spec.spot ? round(onDemand * 0.35, 4) : onDemand;
    }
    case 'rds-instance': {
      const info = dbClassInfo(spec.dbInstanceClass);
      if (!info) throw new Error(`the sample account has no price for DB instance class ${spec.dbInstanceClass}`);
      const single = round(info.usEast1PostgresHourly * (ENGINE_PRICE_FACTOR[spec.engine] ?? 1) * r.compute, 4);
      return spec.multiAz ? round(single * 2, 4) : single;
    }
    case 'rds-storage': {
      const single = round((RDS_STORAGE[spec.storageType] as (typeof RDS_STORAGE)[string]).usEast1 * r.blockStorage, 4);
      return spec.multiAz ? round(single * 2, 4) : single;
    }
    case 'rds-iops':
      return round(0.1 * r.blockStorage * (spec.multiAz ? 2 : 1), 4);
    case 'ebs-volume':
      return round((EBS_VOLUME[spec.volumeType] as (typeof EBS_VOLUME)[string]).usEast1 * r.blockStorage, 4);
    case 'ebs-iops':
      return round((EBS_IOPS[spec.volumeType] as (typeof EBS_IOPS)[string]).usEast1 * r.blockStorage, 4);
    case 'ebs-throughput':
      return round(0.04 * r.blockStorage, 4);
    case 'ebs-snapshot':
      return round((spec.tier === 'archive' ? 0.0125 : 0.05) * r.blockStorage, 5);
    case 'public-ipv4':
      return 0.005;
    case 's3-storage':
      return round((S3_STORAGE_TYPES[spec.storageType]?.usEast1 ?? NaN) * r.objectStorage, 5);
    case 's3-requests':
      return round((spec.tier === 1 ? 0.000005 : 0.0000004) * r.objectStorage, 8);
    case 'nat-hours':
    case 'nat-bytes':
      return round(0.045 * r.compute, 3);
    case 'data-transfer-out':
      return 0.09;
    case 'cw-metrics':
      return 0.3;
    case 'cw-logs':
      return round(0.5 * r.compute, 3);
  }
}

function priceKey(serviceCode: string, region: string, usageType: string, qualifier: string): string {
  return `${serviceCode}|${region}|${usageType}|${qualifier}`;
}

/** A stable 16-character SKU per product, like the Pricing API's. */
function skuFor(key: string): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const digest = createHash('sha256').update(key).digest();
  let sku = '';
  for (let i = 0; i < 16; i++) sku += alphabet[(digest[i] as number) % alphabet.length];
  return sku;
}

/**
 * The price list a scenario bills with. Built from `PriceEntry` records (the scenario's `prices`),
 * looked up by (service code, region, usage type, qualifier).
 */
export class PriceBook {
  private readonly byKey = new Map<string, PriceEntry>();

  constructor(readonly entries: readonly PriceEntry[]) {
    for (const entry of entries) {
      const region = entry.attributes['regionCode'] ?? '';
      const usageType = entry.attributes['usagetype'] ?? '';
      const qualifier = entry.productFamily === 'Database Instance' ? (entry.attributes['databaseEngine'] ?? '') : '';
      this.byKey.set(priceKey(entry.serviceCode, region, usageType, qualifier), entry);
    }
  }

  /** USD per unit of the spec; throws when the price list lacks it. */
  price(spec: PriceSpec): number {
    const entry = this.entry(spec);
    if (!entry) {
      const c = chargeFor(spec);
      throw new Error(
        `the scenario's price list has no ${c.serviceCode} price for ${c.usageType}${c.qualifier ? ` (${c.qualifier})` : ''} in ${spec.region}`,
      );
    }
    return Number(entry.pricePerUnit);
  }

  entry(spec: PriceSpec): PriceEntry | undefined {
    const c = chargeFor(spec);
    return this.byKey.get(priceKey(c.serviceCode, spec.region, c.usageType, c.qualifier));
  }

  toJSON(): { entries: number } {
    return { entries: this.entries.length };
  }

  /** Monthly (730-hour) cost of an hourly spec, or the monthly cost of `quantity` units of a per-month spec. */
  monthly(spec: PriceSpec, quantity = 1): number {
    const c = chargeFor(spec);
    const perUnit = this.price(spec);
    return c.unit === 'Hrs' ? perUnit * 730 * quantity : perUnit * quantity;
  }
}

/** The Pricing API entry for a spec at a given price. */
export function priceEntry(spec: PriceSpec, price: number): PriceEntry {
  const c = chargeFor(spec);
  return {
    serviceCode: c.serviceCode,
    sku: skuFor(priceKey(c.serviceCode, spec.region, c.usageType, c.qualifier)),
    productFamily: c.productFamily,
    attributes: c.attributes,
    pricePerUnit: String(price),
    unit: c.unit,
    termType: 'OnDemand',
  };
}

/**
 * Everything the simulator can price, in every Region it serves: the Pricing API serves its whole
 * catalogue, not only what an account uses. About 1,500 products; built on first request (pricing.ts).
 */
export function catalogueSpecs(): PriceSpec[] {
  const specs: PriceSpec[] = [];
  for (const region of Object.keys(REGIONS)) {
    for (const instanceType of knownInstanceTypes()) specs.push({ kind: 'ec2-instance', region, instanceType });
    for (const dbInstanceClass of knownDbClasses())
      for (const engine of Object.keys(DATABASE_ENGINE))
        for (const multiAz of [false, true]) specs.push({ kind: 'rds-instance', region, dbInstanceClass, engine, multiAz });
    for (const multiAz of [false, true]) {
      for (const storageType of Object.keys(RDS_STORAGE) as ('gp2' | 'gp3' | 'io1' | 'io2' | 'standard')[])
        specs.push({ kind: 'rds-storage', region, storageType, multiAz });
      specs.push({ kind: 'rds-iops', region, multiAz });
    }
    for (const volumeType of Object.keys(EBS_VOLUME) as ('gp2' | 'gp3' | 'io1' | 'io2' | 'st1' | 'sc1' | 'standard')[])
      specs.push({ kind: 'ebs-volume', region, volumeType });
    for (const volumeType of Object.keys(EBS_IOPS) as ('gp3' | 'io1' | 'io2')[]) specs.push({ kind: 'ebs-iops', region, volumeType });
    specs.push(
      { kind: 'ebs-throughput', region },
      { kind: 'ebs-snapshot', region, tier: 'standard' },
      { kind: 'ebs-snapshot', region, tier: 'archive' },
      { kind: 'public-ipv4', region, inUse: false },
      { kind: 'public-ipv4', region, inUse: true },
    );
    for (const storageType of Object.keys(S3_STORAGE_TYPES)) specs.push({ kind: 's3-storage', region, storageType });
  }
  return specs;
}

/**
 * A price list covering `specs`: `given` entries win, the built-in list fills the rest. Spot usage
 * gets an entry too (marketoption Spot) so the scenario bills from one list; the Pricing service
 * leaves Spot entries out, as the Pricing API has no Spot products.
 */
export function completePriceList(specs: Iterable<PriceSpec>, given: readonly PriceEntry[] = []): PriceEntry[] {
  const book = new PriceBook(given);
  const out = [...given];
  const seen = new Set<string>();
  for (const spec of specs) {
    const c = chargeFor(spec);
    const key = priceKey(c.serviceCode, spec.region, c.usageType, c.qualifier);
    if (seen.has(key)) continue;
    seen.add(key);
    if (book.entry(spec)) continue;
    out.push(priceEntry(spec, builtinPrice(spec)));
  }
  return out;
}
