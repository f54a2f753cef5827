/**
 * The XML protocols on the wire, checked with raw HTTP as other AWS clients (boto3, the AWS CLI)
 * send them: namespaces, element names, list members and error documents as the AWS API
 * references document them.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { XMLParser } from 'fast-xml-parser';
import type { RunningSimulator } from '../../src/sim/server';
import { EC2_NAMESPACE } from '../../src/sim/services/ec2';
import { RDS_NAMESPACE } from '../../src/sim/services/rds';
import { S3_NAMESPACE } from '../../src/sim/services/s3';
import { STS_NAMESPACE } from '../../src/sim/services/sts';
import { queryRequest, startFixtureSimulator } from './fixtures/clients';
import { MEMBER, MEMBER_ROLE, MGMT, instanceId } from './fixtures/resources';

let sim: RunningSimulator;

before(async () => {
  sim = await startFixtureSimulator();
});

after(async () => {
  await sim.close();
});

beforeEach(() => {
  sim.setFaults([]);
  sim.resetStats();
});

type Xml = Record<string, unknown>;

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, trimValues: false });

async function xmlOf(response: Response): Promise<{ status: number; doc: Xml; text: string; headers: Headers }> {
  const text = await response.text();
  assert.ok(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>'), text.slice(0, 80));
  return { status: response.status, doc: parser.parse(text) as Xml, text, headers: response.headers };
}

/** Follow element names; arrays pick their first entry. */
function at(doc: unknown, ...path: string[]): unknown {
  let node = doc;
  for (const name of path) {
    if (Array.isArray(node)) node = node[0];
    node = (node as Xml | undefined)?.[name];
  }
  return node;
}

const asArray = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

// ---------------------------------------------------------------------------------------------
// ec2Query
// ---------------------------------------------------------------------------------------------

test('ec2Query: a boto3-style GET query string gets <DescribeInstancesResponse> in the EC2 namespace, lists as <item>', async () => {
  const { status, doc, headers } = await xmlOf(
    await queryRequest(
      sim,
      {
        Action: 'DescribeInstances',
        Version: '2016-11-15',
        'Filter.1.Name': 'instance-state-name',
        'Filter.1.Value.1': 'stopped',
      },
      { service: 'ec2', region: 'us-east-1' },
      'GET',
    ),
  );
  assert.equal(status, 200);
  assert.equal(headers.get('content-type'), 'text/xml;charset=UTF-8');
  const root = doc['DescribeInstancesResponse'] as Xml;
  assert.equal(root['@xmlns'], EC2_NAMESPACE);
  assert.match(String(root['requestId']), /^[0-9a-f-]{36}$/);
  const reservation = at(root, 'reservationSet', 'item') as Xml;
  assert.match(String(reservation['reservationId']), /^r-[0-9a-f]{17}$/);
  assert.equal(reservation['ownerId'], MGMT);
  assert.equal(reservation['groupSet'], '');
  const instance = at(reservation, 'instancesSet', 'item') as Xml;
  assert.equal(instance['instanceId'], instanceId(4));
  assert.deepEqual(instance['instanceState'], { code: '80', name: 'stopped' });
  assert.equal(instance['reason'], 'User initiated (2025-05-20 14:03:22 GMT)');
  assert.equal(at(instance, 'stateReason', 'code'), 'Client.UserInitiatedShutdown');
  assert.equal(at(instance, 'placement', 'availabilityZone'), 'us-east-1a');
  assert.equal(at(instance, 'blockDeviceMapping', 'item', 'ebs', 'volumeId'), 'vol-00000000000000004');
  assert.equal(at(instance, 'tagSet', 'item', 'key'), 'Name');
  assert.match(String(instance['launchTime']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(root['nextToken'], undefined, 'no nextToken on the last page');
});

test('ec2Query: an empty result is an empty set element; pagination adds <nextToken>', async () => {
  const empty = await xmlOf(
    await queryRequest(
      sim,
      { Action: 'DescribeVolumes', Version: '2016-11-15', 'Filter.1.Name': 'volume-type', 'Filter.1.Value.1': 'sc1' },
      { service: 'ec2' },
    ),
  );
  assert.match(empty.text, /<volumeSet\/>/);
  const paged = await xmlOf(
    await queryRequest(
      sim,
      { Action: 'DescribeSnapshots', Version: '2016-11-15', 'Owner.1': 'self', MaxResults: '5' },
      { service: 'ec2' },
    ),
  );
  const root = paged.doc['DescribeSnapshotsResponse'] as Xml;
  assert.equal(asArray(at(root, 'snapshotSet', 'item')).length, 5);
  assert.equal(typeof root['nextToken'], 'string');
  assert.equal(at(root, 'snapshotSet', 'item', 'progress'), '100%');
});

test('ec2Query errors: <Response><Errors><Error> with <RequestID>, no namespace', async () => {
  const unknown = await xmlOf(await queryRequest(sim, { Action: 'DescribeUnicorns', Version: '2016-11-15' }, { service: 'ec2' }));
  assert.equal(unknown.status, 400);
  const response = unknown.doc['Response'] as Xml;
  assert.equal(response['@xmlns'], undefined);
  assert.deepEqual(at(response, 'Errors', 'Error'), {
    Code: 'InvalidAction',
    Message: 'The action DescribeUnicorns is not valid for this web service.',
  });
  assert.match(String(response['RequestID']), /^[0-9a-f-]{36}$/);
  assert.match(
    unknown.text,
    /^<\?xml[^>]*>\n<Response><Errors><Error><Code>InvalidAction<\/Code><Message>[^<]*<\/Message><\/Error><\/Errors><RequestID>[^<]+<\/RequestID><\/Response>$/,
  );

  const noVersion = await xmlOf(await queryRequest(sim, { Action: 'DescribeInstances' }, { service: 'ec2' }));
  assert.equal(at(noVersion.doc, 'Response', 'Errors', 'Error', 'Code'), 'MissingParameter');
  const oldVersion = await xmlOf(
    await queryRequest(sim, { Action: 'DescribeInstances', Version: '2009-01-01' }, { service: 'ec2' }),
  );
  assert.equal(at(oldVersion.doc, 'Response', 'Errors', 'Error', 'Code'), 'NoSuchVersion');
  const unknownParameter = await xmlOf(
    await queryRequest(sim, { Action: 'DescribeInstances', Version: '2016-11-15', Colour: 'blue' }, { service: 'ec2' }),
  );
  assert.deepEqual(at(unknownParameter.doc, 'Response', 'Errors', 'Error'), {
    Code: 'UnknownParameter',
    Message: 'The parameter Colour is not recognized',
  });
  const notFound = await xmlOf(
    await queryRequest(
      sim,
      { Action: 'DescribeInstances', Version: '2016-11-15', 'InstanceId.1': 'i-0abcdef0123456789' },
      { service: 'ec2' },
    ),
  );
  assert.equal(notFound.status, 400);
  assert.equal(at(notFound.doc, 'Response', 'Errors', 'Error', 'Code'), 'InvalidInstanceID.NotFound');

  sim.setFaults([{ operation: 'ec2:DescribeInstances', error: 'RequestLimitExceeded' }]);
  const throttled = await xmlOf(
    await queryRequest(sim, { Action: 'DescribeInstances', Version: '2016-11-15' }, { service: 'ec2' }),
  );
  assert.equal(throttled.status, 503);
  assert.equal(at(throttled.doc, 'Response', 'Errors', 'Error', 'Code'), 'RequestLimitExceeded');
  assert.equal(throttled.headers.get('x-finops-sim-fault'), 'injected');
});

test('the signing region selects the region served; unsigned requests route by Version (default region us-east-1)', async () => {
  const eu = await xmlOf(
    await queryRequest(sim, { Action: 'DescribeAddresses', Version: '2016-11-15' }, { service: 'ec2', region: 'eu-west-1' }),
  );
  assert.equal(at(eu.doc, 'DescribeAddressesResponse', 'addressesSet', 'item', 'publicIp'), '52.16.0.3');
  const unsigned = await xmlOf(await queryRequest(sim, { Action: 'DescribeAddresses', Version: '2016-11-15' }));
  assert.equal(asArray(at(unsigned.doc, 'DescribeAddressesResponse', 'addressesSet', 'item')).length, 2);
  assert.equal(sim.stats()['ec2:DescribeAddresses'], 2);
});

// ---------------------------------------------------------------------------------------------
// awsQuery: RDS and STS
// ---------------------------------------------------------------------------------------------

test('awsQuery (RDS): <DescribeDBInstancesResponse><DescribeDBInstancesResult> with <DBInstance> members and <ResponseMetadata>', async () => {
  const { status, doc, headers } = await xmlOf(
    await queryRequest(
      sim,
      {
        Action: 'DescribeDBInstances',
        Version: '2014-10-31',
        'Filters.Filter.1.Name': 'db-instance-id',
        'Filters.Filter.1.Values.Value.1': 'db-001',
        'Filters.Filter.1.Values.Value.2': 'db-004',
      },
      { service: 'rds' },
    ),
  );
  assert.equal(status, 200);
  assert.equal(headers.get('content-type'), 'text/xml');
  const root = doc['DescribeDBInstancesResponse'] as Xml;
  assert.equal(root['@xmlns'], RDS_NAMESPACE);
  assert.match(String(at(root, 'ResponseMetadata', 'RequestId')), /^[0-9a-f-]{36}$/);
  const dbs = asArray(at(root, 'DescribeDBInstancesResult', 'DBInstances', 'DBInstance')) as Xml[];
  assert.deepEqual(
    dbs.map((d) => d['DBInstanceIdentifier']),
    ['db-001', 'db-004'],
  );
  assert.deepEqual(asArray(at(dbs[0], 'TagList', 'Tag')), [
    { Key: 'env', Value: 'prod' },
    { Key: 'team', Value: 'platform' },
  ]);
  assert.equal(dbs[1]?.['TagList'], '', 'an untagged database has an empty TagList');
  assert.equal(dbs[0]?.['MultiAZ'], 'false');
  assert.equal(at(dbs[0], 'Endpoint', 'Port'), '3306');
  assert.equal(at(root, 'DescribeDBInstancesResult', 'Marker'), undefined);
});

test('awsQuery errors: <ErrorResponse> in the service namespace with Type, Code, Message and RequestId', async () => {
  const notFound = await xmlOf(
    await queryRequest(
      sim,
      { Action: 'DescribeDBInstances', Version: '2014-10-31', DBInstanceIdentifier: 'ghost' },
      { service: 'rds' },
    ),
  );
  assert.equal(notFound.status, 404);
  const root = notFound.doc['ErrorResponse'] as Xml;
  assert.equal(root['@xmlns'], RDS_NAMESPACE);
  assert.deepEqual(root['Error'], { Type: 'Sender', Code: 'DBInstanceNotFound', Message: 'DBInstance ghost not found.' });
  assert.match(String(root['RequestId']), /^[0-9a-f-]{36}$/);

  const unknown = await xmlOf(
    await queryRequest(sim, { Action: 'DescribeDBClusters', Version: '2014-10-31' }, { service: 'rds' }),
  );
  assert.equal(unknown.status, 400);
  assert.deepEqual(at(unknown.doc, 'ErrorResponse', 'Error'), {
    Type: 'Sender',
    Code: 'InvalidAction',
    Message: 'Could not find operation DescribeDBClusters for version 2014-10-31',
  });

  sim.setFaults([{ operation: 'rds:*', error: 'InternalFailure' }]);
  const failed = await xmlOf(
    await queryRequest(sim, { Action: 'DescribeDBInstances', Version: '2014-10-31' }, { service: 'rds' }),
  );
  assert.equal(failed.status, 500);
  assert.equal(at(failed.doc, 'ErrorResponse', 'Error', 'Type'), 'Receiver');
});

test('awsQuery (STS): AssumeRole and GetCallerIdentity documents; AccessDenied as STS writes it', async () => {
  const assumed = await xmlOf(
    await queryRequest(
      sim,
      {
        Action: 'AssumeRole',
        Version: '2011-06-15',
        RoleArn: `arn:aws:iam::${MEMBER}:role/${MEMBER_ROLE}`,
        RoleSessionName: 'wire',
      },
      { service: 'sts' },
    ),
  );
  assert.equal(assumed.status, 200);
  const result = at(assumed.doc, 'AssumeRoleResponse', 'AssumeRoleResult') as Xml;
  assert.equal(at(assumed.doc, 'AssumeRoleResponse', '@xmlns'), STS_NAMESPACE);
  assert.match(String(at(result, 'Credentials', 'AccessKeyId')), new RegExp(`^ASIA${MEMBER}[A-Z2-7]{4}$`));
  assert.match(String(at(result, 'Credentials', 'Expiration')), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
  assert.equal(at(result, 'AssumedRoleUser', 'Arn'), `arn:aws:sts::${MEMBER}:assumed-role/${MEMBER_ROLE}/wire`);
  const key = String(at(result, 'Credentials', 'AccessKeyId'));

  // boto3 signs with the issued key: GetCallerIdentity by GET query string.
  const me = await xmlOf(
    await queryRequest(sim, { Action: 'GetCallerIdentity', Version: '2011-06-15' }, { service: 'sts', accessKeyId: key }, 'GET'),
  );
  assert.deepEqual(at(me.doc, 'GetCallerIdentityResponse', 'GetCallerIdentityResult', 'Account'), MEMBER);

  const denied = await xmlOf(
    await queryRequest(
      sim,
      { Action: 'AssumeRole', Version: '2011-06-15', RoleArn: `arn:aws:iam::${MEMBER}:role/Nope`, RoleSessionName: 'wire' },
      { service: 'sts' },
    ),
  );
  assert.equal(denied.status, 403);
  assert.equal(at(denied.doc, 'ErrorResponse', '@xmlns'), STS_NAMESPACE);
  assert.deepEqual(at(denied.doc, 'ErrorResponse', 'Error'), {
    Type: 'Sender',
    Code: 'AccessDenied',
    Message: `User: arn:aws:iam::${MGMT}:user/finops-analyst is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${MEMBER}:role/Nope`,
  });
});

test('unsigned query requests with an Action no service serves get InvalidAction as an awsQuery error', async () => {
  const unknown = await xmlOf(await queryRequest(sim, { Action: 'ListUsers', Version: '2010-05-08' }));
  assert.equal(unknown.status, 400);
  assert.equal(at(unknown.doc, 'ErrorResponse', 'Error', 'Code'), 'InvalidAction');
  // Without a Version, a unique Action finds its service.
  const byAction = await xmlOf(await queryRequest(sim, { Action: 'GetCallerIdentity' }));
  assert.equal(at(byAction.doc, 'ErrorResponse', 'Error', 'Code'), 'MissingParameter');
  assert.equal(at(byAction.doc, 'ErrorResponse', '@xmlns'), STS_NAMESPACE);
});

// ---------------------------------------------------------------------------------------------
// restXml: S3
// ---------------------------------------------------------------------------------------------

const S3_AUTH = (region = 'us-east-1'): Record<string, string> => ({
  Authorization: `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250615/${region}/s3/aws4_request, SignedHeaders=host, Signature=00`,
});

test('S3 ListBuckets: <ListAllMyBucketsResult> in the S3 namespace with Owner and Buckets/Bucket', async () => {
  const { status, doc, headers } = await xmlOf(await fetch(`${sim.url}/?max-buckets=2`, { headers: S3_AUTH() }));
  assert.equal(status, 200);
  assert.equal(headers.get('content-type'), 'application/xml');
  assert.match(headers.get('x-amz-request-id') ?? '', /^[0-9A-F]{16}$/);
  assert.ok(headers.get('x-amz-id-2'));
  const root = doc['ListAllMyBucketsResult'] as Xml;
  assert.equal(root['@xmlns'], S3_NAMESPACE);
  assert.match(String(at(root, 'Owner', 'ID')), /^[0-9a-f]{64}$/);
  const buckets = asArray(at(root, 'Buckets', 'Bucket')) as Xml[];
  assert.deepEqual(buckets[0], {
    Name: 'acme-archive-euw1',
    CreationDate: '2023-04-05T06:07:08.000Z',
    BucketRegion: 'eu-west-1',
  });
  assert.equal(typeof root['ContinuationToken'], 'string');
});

test('S3 bucket sub-resources: lifecycle element names, empty versioning and us-east-1 location documents', async () => {
  const lifecycle = await xmlOf(await fetch(`${sim.url}/acme-logs-use1?lifecycle`, { headers: S3_AUTH() }));
  const rules = asArray(at(lifecycle.doc, 'LifecycleConfiguration', 'Rule')) as Xml[];
  assert.equal(at(lifecycle.doc, 'LifecycleConfiguration', '@xmlns'), S3_NAMESPACE);
  assert.equal(rules.length, 2);
  assert.equal(rules[0]?.['ID'], 'logs-tiering');
  assert.deepEqual(rules[0]?.['Filter'], { Prefix: 'logs/' });
  assert.equal(rules[0]?.['Status'], 'Enabled');
  assert.deepEqual(rules[0]?.['Transition'], [
    { Days: '30', StorageClass: 'STANDARD_IA' },
    { Days: '90', StorageClass: 'GLACIER' },
  ]);
  assert.deepEqual(rules[0]?.['Expiration'], { Days: '365' });
  assert.deepEqual(rules[0]?.['NoncurrentVersionTransition'], { NoncurrentDays: '30', StorageClass: 'GLACIER_IR' });
  assert.deepEqual(rules[0]?.['NoncurrentVersionExpiration'], { NoncurrentDays: '120' });
  assert.deepEqual(rules[0]?.['AbortIncompleteMultipartUpload'], { DaysAfterInitiation: '7' });
  assert.equal(rules[1]?.['Filter'], '', 'a rule for the whole bucket has an empty <Filter/>');

  const versioning = await fetch(`${sim.url}/acme-assets?versioning`, { headers: S3_AUTH() });
  assert.match(await versioning.text(), /<VersioningConfiguration xmlns="http:\/\/s3\.amazonaws\.com\/doc\/2006-03-01\/"\/>$/);
  const location = await fetch(`${sim.url}/acme-assets?location`, { headers: S3_AUTH() });
  assert.match(await location.text(), /<LocationConstraint xmlns="http:\/\/s3\.amazonaws\.com\/doc\/2006-03-01\/"\/>$/);
  const euLocation = await fetch(`${sim.url}/acme-data-euw1?location`, { headers: S3_AUTH() });
  assert.match(
    await euLocation.text(),
    /<LocationConstraint xmlns="http:\/\/s3\.amazonaws\.com\/doc\/2006-03-01\/">eu-west-1<\/LocationConstraint>$/,
  );
});

test('S3 errors: <Error> with Code, Message, BucketName, RequestId and HostId; redirects carry x-amz-bucket-region', async () => {
  const missing = await xmlOf(await fetch(`${sim.url}/no-such-bucket-here?lifecycle`, { headers: S3_AUTH() }));
  assert.equal(missing.status, 404);
  const error = missing.doc['Error'] as Xml;
  assert.equal(error['@xmlns'], undefined);
  assert.equal(error['Code'], 'NoSuchBucket');
  assert.equal(error['Message'], 'The specified bucket does not exist');
  assert.equal(error['BucketName'], 'no-such-bucket-here');
  assert.equal(error['RequestId'], missing.headers.get('x-amz-request-id'));
  assert.equal(error['HostId'], missing.headers.get('x-amz-id-2'));

  const noRules = await xmlOf(await fetch(`${sim.url}/acme-assets?lifecycle`, { headers: S3_AUTH() }));
  assert.equal(noRules.status, 404);
  assert.equal(at(noRules.doc, 'Error', 'Code'), 'NoSuchLifecycleConfiguration');
  assert.equal(at(noRules.doc, 'Error', 'BucketName'), 'acme-assets');

  const redirect = await xmlOf(
    await fetch(`${sim.url}/acme-data-euw1?versioning`, { headers: S3_AUTH('us-east-1'), redirect: 'manual' }),
  );
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.get('x-amz-bucket-region'), 'eu-west-1');
  assert.equal(at(redirect.doc, 'Error', 'Code'), 'PermanentRedirect');
  assert.equal(at(redirect.doc, 'Error', 'Bucket'), 'acme-data-euw1');

  const listObjects = await xmlOf(await fetch(`${sim.url}/acme-assets?list-type=2`, { headers: S3_AUTH() }));
  assert.equal(listObjects.status, 501);
  assert.equal(at(listObjects.doc, 'Error', 'Code'), 'NotImplemented');
});

test('S3 virtual-hosted-style requests: the bucket comes from the Host header', async () => {
  const url = new URL(sim.url);
  const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: '/?versioning',
        method: 'GET',
        headers: { Host: 'acme-logs-use1.s3.us-east-1.amazonaws.com', ...S3_AUTH() },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end();
  });
  assert.equal(status, 200);
  assert.deepEqual(at(parser.parse(body), 'VersioningConfiguration', 'Status'), 'Enabled');
});

test('the admin API lists the query and S3 operations, and fault rules may name them', async () => {
  const health = (await (await fetch(`${sim.url}/__sim/health`)).json()) as { operations: string[] };
  for (const op of [
    'ec2:DescribeInstances',
    'ec2:DescribeVolumes',
    'ec2:DescribeAddresses',
    'ec2:DescribeSnapshots',
    'rds:DescribeDBInstances',
    'sts:AssumeRole',
    'sts:GetCallerIdentity',
    's3:ListBuckets',
    's3:GetBucketLifecycleConfiguration',
    's3:GetBucketVersioning',
    's3:GetBucketLocation',
  ]) {
    assert.ok(health.operations.includes(op), op);
  }
  const put = await fetch(`${sim.url}/__sim/faults`, {
    method: 'PUT',
    body: JSON.stringify([
      { operation: 's3:*', latencyMs: 1 },
      { operation: 'ec2:DescribeVolumes', error: 'RequestLimitExceeded' },
    ]),
  });
  assert.equal(put.status, 200);
  await put.arrayBuffer();
});
