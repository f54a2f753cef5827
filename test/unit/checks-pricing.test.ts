/**
 * Prices: Price List documents parsed and classified into the keys the checks ask for, volume and
 * database monthly costs, thresholds and their overrides.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_THRESHOLDS, resolveThresholds, thresholdsForReport } from '../../src/domain/checks/thresholds';
import {
  databaseMonthlyCost,
  parsePriceListDocument,
  priceKey,
  pricePointOf,
  productKey,
  regionCodeOf,
  volumeMonthlyCost,
  type PriceBook,
} from '../../src/domain/pricing';

function document(serviceCode: string, productFamily: string, attributes: Record<string, string>, usd: string, unit: string): string {
  return JSON.stringify({
    product: { productFamily, attributes, sku: 'SKU1' },
    serviceCode,
    terms: {
      OnDemand: {
        'SKU1.JRTCKXETXF': {
          priceDimensions: {
            'SKU1.JRTCKXETXF.6YS6EN2CT7': { unit, beginRange: '0', endRange: 'Inf', pricePerUnit: { USD: usd } },
          },
        },
      },
    },
  });
}

test('a Price List document: the on-demand price, exact, and the key the checks ask for', () => {
  const p = parsePriceListDocument(
    document(
      'AmazonEC2',
      'Compute Instance',
      { regionCode: 'eu-west-1', instanceType: 'm5.large', operatingSystem: 'Linux', tenancy: 'Shared', preInstalledSw: 'NA', capacitystatus: 'Used', vcpu: '2', memory: '8 GiB' },
      '0.1070000000',
      'Hrs',
    ),
  )!;
  assert.equal(p.usd, '0.107');
  assert.equal(productKey(p), priceKey.ec2Instance('eu-west-1', 'm5.large'));
  assert.deepEqual(pricePointOf(p), { usd: '0.107', unit: 'Hrs', attributes: { vcpu: '2', memory: '8 GiB' } });
  // Dedicated tenancy, SQL Server and reserved capacity are not what the checks price.
  const dedicated = parsePriceListDocument(
    document('AmazonEC2', 'Compute Instance', { regionCode: 'eu-west-1', instanceType: 'm5.large', operatingSystem: 'Linux', tenancy: 'Dedicated' }, '0.2', 'Hrs'),
  )!;
  assert.equal(productKey(dedicated), undefined);
  assert.equal(parsePriceListDocument('not json'), undefined);
});

test('storage, snapshot, IOPS, throughput, public IPv4 and RDS products are classified', () => {
  const key = (service: string, family: string, attributes: Record<string, string>) =>
    productKey(parsePriceListDocument(document(service, family, { regionCode: 'us-east-1', ...attributes }, '0.1', 'x'))!);
  assert.equal(key('AmazonEC2', 'Storage', { volumeApiName: 'gp3' }), priceKey.ebsStorage('us-east-1', 'gp3'));
  assert.equal(key('AmazonEC2', 'System Operation', { volumeApiName: 'io1', group: 'EBS IOPS' }), priceKey.ebsIops('us-east-1', 'io1'));
  assert.equal(key('AmazonEC2', 'Provisioned Throughput', { volumeApiName: 'gp3' }), priceKey.ebsThroughput('us-east-1'));
  assert.equal(key('AmazonEC2', 'Storage Snapshot', { usagetype: 'EBS:SnapshotUsage' }), priceKey.ebsSnapshot('us-east-1', 'standard'));
  assert.equal(key('AmazonEC2', 'Storage Snapshot', { usagetype: 'EBS:SnapshotArchiveStorage' }), priceKey.ebsSnapshot('us-east-1', 'archive'));
  assert.equal(key('AmazonVPC', 'VPC Public IPv4 Address', { usagetype: 'PublicIPv4:IdleAddress' }), priceKey.idlePublicIpv4('us-east-1'));
  assert.equal(
    key('AmazonRDS', 'Database Instance', { instanceType: 'db.r5.large', databaseEngine: 'PostgreSQL', deploymentOption: 'Multi-AZ' }),
    priceKey.rdsInstance('us-east-1', 'db.r5.large', 'postgres', true),
  );
  assert.equal(
    key('AmazonRDS', 'Database Storage', { usagetype: 'RDS:Multi-AZ-GP2-Storage', deploymentOption: 'Multi-AZ' }),
    priceKey.rdsStorage('us-east-1', 'gp2', true),
  );
  assert.equal(key('AmazonRDS', 'Provisioned IOPS', { usagetype: 'RDS:PIOPS', deploymentOption: 'Single-AZ' }), priceKey.rdsIops('us-east-1', false));
});

test('monthly costs: volumes by type (IOPS and throughput above gp3 baselines), databases by instance and storage', () => {
  const book: PriceBook = {
    [priceKey.ebsStorage('us-east-1', 'gp3')]: { usd: '0.08', unit: 'GB-Mo' },
    [priceKey.ebsIops('us-east-1', 'gp3')]: { usd: '0.005', unit: 'IOPS-Mo' },
    [priceKey.ebsThroughput('us-east-1')]: { usd: '0.04', unit: 'MiBps-Mo' },
    [priceKey.rdsInstance('us-east-1', 'db.t3.medium', 'mysql', false)]: { usd: '0.068', unit: 'Hrs' },
    [priceKey.rdsStorage('us-east-1', 'io1', false)]: { usd: '0.125', unit: 'GB-Mo' },
    [priceKey.rdsIops('us-east-1', false)]: { usd: '0.1', unit: 'IOPS-Mo' },
  };
  assert.equal(volumeMonthlyCost(book, { region: 'us-east-1', volumeType: 'gp3', sizeGiB: 100, iops: 6000, throughput: 250 }), '28');
  assert.equal(volumeMonthlyCost(book, { region: 'us-east-1', volumeType: 'st1', sizeGiB: 100 }), undefined, 'unpriced');
  assert.deepEqual(
    databaseMonthlyCost(book, { region: 'us-east-1', dbInstanceClass: 'db.t3.medium', engine: 'mysql', multiAz: false, storageType: 'io1', allocatedStorageGiB: 100, iops: 1000 }),
    { instance: '49.64', storage: '112.5', total: '162.14' },
  );
  assert.equal(regionCodeOf('EU (Ireland)'), 'eu-west-1');
  assert.equal(regionCodeOf('ap-southeast-2'), 'ap-southeast-2');
});

test('thresholds: calibrated defaults, overrides by group, and the flat list the report shows', () => {
  const t = resolveThresholds({ ec2: { idleCpuP95Percent: 5 }, rds: { idleConnectionDays: 14 } });
  assert.equal(t.ec2.idleCpuP95Percent, 5);
  assert.equal(t.ec2.idleNetworkBytesPerDay, DEFAULT_THRESHOLDS.ec2.idleNetworkBytesPerDay);
  assert.equal(t.rds.idleConnectionDays, 14);
  const flat = thresholdsForReport(t, ['ec2', 'ebs']);
  assert.equal(flat['ec2.idleCpuP95Percent'], 5);
  assert.equal(flat['ebs.snapshotMinAgeDays'], 90);
  assert.equal(typeof flat['ec2.previousGenerationFamilies'], 'string');
  assert.equal(flat['rds.idleConnectionDays'], undefined);
});
