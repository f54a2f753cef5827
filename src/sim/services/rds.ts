/**
 * Amazon RDS (awsQuery, Version 2014-10-31) over a scenario's databases: DescribeDBInstances,
 * scoped to the account the request acts as and the region of its signature.
 *
 * As RDS does:
 * - DBInstanceIdentifier takes an identifier (case-insensitive) or an ARN; one that does not exist
 *   is DBInstanceNotFound (404) "DBInstance <id> not found.".
 * - Filters (`Filters.Filter.N.Name`, `Filters.Filter.N.Values.Value.M`): db-instance-id (IDs or
 *   ARNs), dbi-resource-id, engine, db-cluster-id, domain; exact values, ORed within a filter and
 *   ANDed across filters; an unknown name is InvalidParameterValue.
 * - MaxRecords 20–100 (default 100) pages with Marker, present only when more records follow.
 * - Every DBInstance carries its TagList (`<TagList><Tag><Key/><Value/></Tag></TagList>`, empty
 *   when untagged), as DescribeDBInstances has since 2022.
 */
import { AwsError } from '../errors';
import { describeReservedDBInstances } from './commitments';
import type { RdsInstance, ScenarioResources } from '../model';
import type { QueryCallContext, QueryInput, QueryServiceDefinition } from '../protocols/query';
import { xmlList, xmlTimestamp, type XmlNode } from '../protocols/xml';
import { ResourceIndex, decodePageToken, encodePageToken, fingerprint, hexDigest, sortedTags } from './resource-listing';

export const RDS_VERSION = '2014-10-31';
export const RDS_NAMESPACE = `http://rds.amazonaws.com/doc/${RDS_VERSION}/`;

const DEFAULT_MAX_RECORDS = 100;

/** Default listener port per engine family. */
function enginePort(engine: string): number {
  if (engine.includes('postgres')) return 5432;
  if (engine.startsWith('oracle')) return 1521;
  if (engine.startsWith('sqlserver')) return 1433;
  if (engine.startsWith('db2')) return 50000;
  return 3306;
}

export function dbInstanceArn(db: Pick<RdsInstance, 'region' | 'account' | 'dbInstanceIdentifier'>): string {
  return `arn:aws:rds:${db.region}:${db.account}:db:${db.dbInstanceIdentifier}`;
}

function endpointAddress(db: RdsInstance): string {
  return `${db.dbInstanceIdentifier}.c${hexDigest(`${db.account}/${db.region}`, 11)}.${db.region}.rds.amazonaws.com`;
}

function dbInstanceXml(db: RdsInstance): XmlNode {
  return {
    DBInstanceIdentifier: db.dbInstanceIdentifier,
    DBInstanceClass: db.dbInstanceClass,
    Engine: db.engine,
    DBInstanceStatus: db.status,
    Endpoint: db.status === 'creating' ? undefined : { Address: endpointAddress(db), Port: enginePort(db.engine) },
    AllocatedStorage: db.allocatedStorageGiB,
    InstanceCreateTime: xmlTimestamp(db.instanceCreateTime),
    AvailabilityZone: db.availabilityZone,
    MultiAZ: db.multiAz,
    EngineVersion: db.engineVersion,
    LicenseModel: db.licenseModel,
    Iops: db.iops,
    StorageType: db.storageType,
    StorageThroughput: db.storageThroughput,
    DbiResourceId: db.dbiResourceId,
    DBInstanceArn: dbInstanceArn(db),
    TagList: xmlList(sortedTags(db.tags), 'Tag', ([Key, Value]) => ({ Key, Value })),
  };
}

const IDENTIFIER = /^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,62}$/;

function invalidIdentifier(): AwsError {
  return new AwsError(
    'InvalidParameterValue',
    'The parameter DBInstanceIdentifier is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.',
  );
}

/** An identifier or ARN, normalised to the lower-case identifier RDS stores. */
function identifierOf(value: string): string {
  const arn = /^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:db:(.+)$/.exec(value);
  const id = arn ? (arn[1] as string) : value;
  if (!IDENTIFIER.test(id) || id.endsWith('-')) throw invalidIdentifier();
  return id.toLowerCase();
}

type RdsFilterField = (db: RdsInstance) => readonly string[];

const RDS_FILTERS: Readonly<Record<string, RdsFilterField>> = {
  'db-instance-id': (db) => [db.dbInstanceIdentifier.toLowerCase(), dbInstanceArn(db).toLowerCase()],
  'dbi-resource-id': (db) => [db.dbiResourceId],
  engine: (db) => [db.engine],
  'db-cluster-id': () => [],
  domain: () => [],
};

interface RdsFilter {
  name: string;
  values: string[];
}

function readFilters(input: QueryInput): RdsFilter[] {
  return input.members('Filters.Filter').map((member) => {
    const name = member.string('Name');
    if (name === undefined || name === '')
      throw new AwsError('MissingParameter', 'The request must contain the parameter Filters.Filter.Name');
    if (!Object.hasOwn(RDS_FILTERS, name)) throw new AwsError('InvalidParameterValue', `Unrecognized filter name: ${name}`);
    const values = member.list('Values.Value');
    return { name, values: name === 'db-instance-id' ? values.map((v) => v.toLowerCase()) : values };
  });
}

function readMaxRecords(input: QueryInput): number {
  const raw = input.string('MaxRecords');
  if (raw === undefined) return DEFAULT_MAX_RECORDS;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw) || value < 20 || value > 100) {
    throw new AwsError('InvalidParameterValue', `Invalid value ${raw} for MaxRecords. Must be between 20 and 100`);
  }
  return value;
}

export function rdsService(resources: ScenarioResources): QueryServiceDefinition {
  const databases = new ResourceIndex(resources.databases);

  const describeDBInstances = (input: QueryInput, ctx: QueryCallContext): XmlNode => {
    const maxRecords = readMaxRecords(input);
    const filters = readFilters(input);
    const rawIdentifier = input.string('DBInstanceIdentifier');
    const identifier = rawIdentifier === undefined || rawIdentifier === '' ? undefined : identifierOf(rawIdentifier);
    let found: readonly RdsInstance[] = databases.in(ctx.account, ctx.region);
    if (identifier !== undefined) {
      found = found.filter((db) => db.dbInstanceIdentifier.toLowerCase() === identifier);
      if (found.length === 0) throw new AwsError('DBInstanceNotFound', `DBInstance ${rawIdentifier} not found.`);
    }
    for (const filter of filters) {
      const field = RDS_FILTERS[filter.name] as RdsFilterField;
      found = found.filter((db) => field(db).some((value) => filter.values.includes(value)));
    }
    const listing = fingerprint('DescribeDBInstances', ctx.account, ctx.region, identifier, filters);
    const marker = input.string('Marker');
    let start = 0;
    if (marker !== undefined && marker !== '') {
      const offset = decodePageToken(marker, listing);
      if (offset === undefined)
        throw new AwsError('InvalidParameterValue', `The marker ${marker} is not valid for this request.`);
      start = offset;
    }
    const end = start + maxRecords;
    return {
      DBInstances: xmlList(found.slice(start, end), 'DBInstance', dbInstanceXml),
      Marker: end < found.length ? encodePageToken(end, listing) : undefined,
    };
  };

  return {
    flavor: 'awsQuery',
    signingName: 'rds',
    title: 'Amazon RDS',
    serviceName: 'AmazonRDS',
    version: RDS_VERSION,
    xmlNamespace: RDS_NAMESPACE,
    operations: { DescribeDBInstances: describeDBInstances, DescribeReservedDBInstances: describeReservedDBInstances(resources) },
    errorStatus: { DBInstanceNotFound: 404, AccessDenied: 403, Throttling: 400 },
  };
}
