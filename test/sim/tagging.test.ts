/** Resource Groups Tagging API (awsJson1_1) through the real @aws-sdk/client-resource-groups-tagging-api. */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GetResourcesCommand,
  InvalidParameterException,
  ResourceGroupsTaggingAPIClient,
  paginateGetResources,
  type GetResourcesCommandInput,
  type ResourceTagMapping,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { startSimulator, type RunningSimulator } from '../../src/sim/server';
import { TaggingSimulator } from '../../src/sim/services/tagging';
import { MAIN_ACCOUNT, OTHER_ACCOUNT, cloudWatchFixture, fleetId, withFleet } from './fixtures/cloudwatch';
import { sampleScenario } from './helpers';

const FLEET = 160;
const fixture = withFleet(FLEET);
let sim: RunningSimulator;
let tagging: ResourceGroupsTaggingAPIClient;

function client(region = 'us-east-1', accessKeyId = 'AKIAIOSFODNN7EXAMPLE'): ResourceGroupsTaggingAPIClient {
  return new ResourceGroupsTaggingAPIClient({ region, endpoint: sim.url, credentials: { accessKeyId, secretAccessKey: 'x' }, maxAttempts: 1 });
}

before(async () => {
  sim = await startSimulator({ port: 0, scenario: sampleScenario(), resources: fixture });
  tagging = client();
});

after(async () => {
  tagging.destroy();
  await sim.close();
});

beforeEach(() => {
  sim.resetStats();
  sim.setFaults([]);
});

async function everything(input: GetResourcesCommandInput = {}, c = tagging): Promise<{ resources: ResourceTagMapping[]; pages: number }> {
  const resources: ResourceTagMapping[] = [];
  let pages = 0;
  for await (const page of paginateGetResources({ client: c }, input)) {
    pages++;
    resources.push(...(page.ResourceTagMappingList ?? []));
  }
  return { resources, pages };
}

const arns = (list: ResourceTagMapping[]): string[] => list.map((r) => r.ResourceARN as string).sort();

// us-east-1, main account, tagged: 3 fixture instances (the stopped one is untagged) + the fleet,
// the attached volume (the orphan is untagged), the Elastic IP, the snapshot, 2 databases, 1 bucket.
const US_EAST_1_TAGGED = 3 + FLEET + 1 + 1 + 1 + 2 + 1;

describe('GetResources', () => {
  test('pages of up to 100 until PaginationToken is ""; tagged resources of the region only', async () => {
    const { resources, pages } = await everything({ ResourcesPerPage: 100 });
    assert.equal(resources.length, US_EAST_1_TAGGED);
    assert.equal(pages, Math.ceil(US_EAST_1_TAGGED / 100));
    assert.equal(sim.stats()['tagging:GetResources'], pages);
    assert.equal(new Set(arns(resources)).size, resources.length, 'no duplicates across pages');
    assert.ok(!resources.some((r) => r.ResourceARN?.includes('i-0stop000000000003')), 'untagged resources are not listed');
    assert.ok(!resources.some((r) => r.ResourceARN?.includes('eu-west-1')));

    const first = await tagging.send(new GetResourcesCommand({ ResourcesPerPage: 100 }));
    assert.equal(first.ResourceTagMappingList?.length, 100);
    assert.ok(first.PaginationToken);
    const last = await tagging.send(new GetResourcesCommand({ ResourcesPerPage: 100, PaginationToken: first.PaginationToken }));
    assert.equal(last.ResourceTagMappingList?.length, US_EAST_1_TAGGED - 100);
    assert.equal(last.PaginationToken, '');

    const defaults = await everything();
    assert.equal(defaults.pages, Math.ceil(US_EAST_1_TAGGED / 50));
  });

  test('ARNs in AWS formats, with tags', async () => {
    const { resources } = await everything({ ResourcesPerPage: 100 });
    const byArn = new Map(resources.map((r) => [r.ResourceARN, r]));
    const expected: Record<string, Record<string, string>> = {
      [`arn:aws:ec2:us-east-1:${MAIN_ACCOUNT}:instance/i-0busy000000000001`]: { Name: 'web-1', team: 'web', env: 'prod' },
      [`arn:aws:ec2:us-east-1:${MAIN_ACCOUNT}:volume/vol-0attached00000001`]: { Name: 'web-1-root', team: 'web' },
      [`arn:aws:ec2:us-east-1:${MAIN_ACCOUNT}:elastic-ip/eipalloc-0free0000000001`]: { team: 'web' },
      ['arn:aws:ec2:us-east-1::snapshot/snap-0old000000000001']: { team: 'data', backup: 'weekly' },
      [`arn:aws:rds:us-east-1:${MAIN_ACCOUNT}:db:orders-db`]: { team: 'data', env: 'prod' },
      ['arn:aws:s3:::sample-logs-bucket']: { team: 'data' },
    };
    for (const [arn, tags] of Object.entries(expected)) {
      const found = byArn.get(arn);
      assert.ok(found, arn);
      assert.deepEqual(Object.fromEntries((found.Tags ?? []).map((t) => [t.Key, t.Value])), tags, arn);
      assert.equal(found.ComplianceDetails, undefined);
    }
  });

  test('ResourceTypeFilters: service and service:type; S3 buckets in their own region', async () => {
    const count = async (filters: string[], region = 'us-east-1'): Promise<number> => {
      const c = region === 'us-east-1' ? tagging : client(region);
      try {
        return (await everything({ ResourceTypeFilters: filters, ResourcesPerPage: 100 }, c)).resources.length;
      } finally {
        if (c !== tagging) c.destroy();
      }
    };
    assert.equal(await count(['ec2:instance']), 3 + FLEET);
    assert.equal(await count(['ec2']), 3 + FLEET + 3);
    assert.equal(await count(['ec2:volume', 'ec2:snapshot']), 2);
    assert.equal(await count(['rds:db']), 2);
    assert.equal(await count(['s3']), 1);
    assert.equal(await count(['lambda:function']), 0);
    const eu = client('eu-west-1');
    try {
      const { resources } = await everything({ ResourceTypeFilters: ['s3'] }, eu);
      assert.deepEqual(arns(resources), ['arn:aws:s3:::sample-eu-archive']);
    } finally {
      eu.destroy();
    }
  });

  test('TagFilters: AND across keys, OR across values, key-only matches any value', async () => {
    const list = async (filters: GetResourcesCommandInput['TagFilters']): Promise<string[]> =>
      arns((await everything({ TagFilters: filters, ResourcesPerPage: 100 })).resources).map((a) => a.split(/[/:]/).pop() as string);
    assert.deepEqual(await list([{ Key: 'team', Values: ['web'] }]), [
      'eipalloc-0free0000000001',
      'i-0busy000000000001',
      'i-0new0000000000004',
      'vol-0attached00000001',
    ]);
    assert.deepEqual(await list([{ Key: 'env' }]), ['i-0busy000000000001', 'i-0new0000000000004', 'idle-db', 'orders-db']);
    assert.deepEqual(await list([{ Key: 'team', Values: ['data'] }, { Key: 'env', Values: ['prod'] }]), ['orders-db']);
    assert.equal((await list([{ Key: 'team', Values: ['web', 'data', 'fleet'] }])).length, 4 + 5 + Math.ceil(FLEET / 3));
    assert.deepEqual(await list([{ Key: 'Team', Values: ['web'] }]), [], 'keys are case-sensitive');
  });

  test('ResourceARNList returns just those (of this region); not with pagination parameters', async () => {
    const out = await tagging.send(
      new GetResourcesCommand({
        ResourceARNList: [
          `arn:aws:ec2:us-east-1:${MAIN_ACCOUNT}:instance/${fleetId(7)}`,
          'arn:aws:s3:::sample-logs-bucket',
          `arn:aws:ec2:eu-west-1:${MAIN_ACCOUNT}:instance/i-0eu00000000000005`,
          `arn:aws:ec2:us-east-1:${MAIN_ACCOUNT}:instance/i-0nosuch0000000000`,
        ],
      }),
    );
    assert.deepEqual(arns(out.ResourceTagMappingList ?? []), [
      `arn:aws:ec2:us-east-1:${MAIN_ACCOUNT}:instance/${fleetId(7)}`,
      'arn:aws:s3:::sample-logs-bucket',
    ]);
    assert.equal(out.PaginationToken, '');
    await assert.rejects(
      tagging.send(new GetResourcesCommand({ ResourceARNList: ['arn:aws:s3:::sample-logs-bucket'], ResourcesPerPage: 10 })),
      (error: unknown) => error instanceof InvalidParameterException && /ResourceARNList/.test(error.message),
    );
  });

  test('IncludeComplianceDetails: compliant without a tag policy', async () => {
    const out = await tagging.send(new GetResourcesCommand({ IncludeComplianceDetails: true, ResourceTypeFilters: ['rds:db'] }));
    for (const r of out.ResourceTagMappingList ?? [])
      assert.deepEqual(r.ComplianceDetails, { NoncompliantKeys: [], KeysWithNoncompliantValues: [], ComplianceStatus: true });
    const none = await tagging.send(
      new GetResourcesCommand({ IncludeComplianceDetails: true, ExcludeCompliantResources: true, ResourceTypeFilters: ['rds:db'] }),
    );
    assert.deepEqual(none.ResourceTagMappingList, []);
  });

  test('an assumed-role key lists its own account', async () => {
    const dev = client('us-east-1', `ASIA${OTHER_ACCOUNT}WXYZ`);
    try {
      const { resources } = await everything({}, dev);
      assert.deepEqual(arns(resources), [`arn:aws:ec2:us-east-1:${OTHER_ACCOUNT}:instance/i-0dev00000000000006`]);
    } finally {
      dev.destroy();
    }
  });

  test('invalid parameters are InvalidParameterException', async () => {
    const cases: GetResourcesCommandInput[] = [
      { ResourcesPerPage: 101 },
      { ResourcesPerPage: 0 },
      { TagsPerPage: 50 },
      { PaginationToken: 'not-a-token' },
      { ExcludeCompliantResources: true },
      { ResourceTypeFilters: ['EC2 Instance'] },
      { TagFilters: [{ Key: 'team', Values: Array.from({ length: 21 }, (_, i) => `v${i}`) }] },
    ];
    for (const input of cases) {
      await assert.rejects(tagging.send(new GetResourcesCommand(input)), (error: unknown) => {
        assert.ok(error instanceof InvalidParameterException, JSON.stringify(input));
        assert.equal(error.$metadata.httpStatusCode, 400);
        return true;
      });
    }
    // A token from another request (different filters) is refused too.
    const first = await tagging.send(new GetResourcesCommand({ ResourcesPerPage: 10 }));
    await assert.rejects(
      tagging.send(new GetResourcesCommand({ ResourcesPerPage: 20, PaginationToken: first.PaginationToken })),
      InvalidParameterException,
    );
  });

  test('raw wire: awsJson1_1, PaginationToken "" on the last page', async () => {
    const response = await fetch(sim.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'ResourceGroupsTaggingAPI_20170126.GetResources',
        Authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250615/eu-west-1/tagging/aws4_request, SignedHeaders=host, Signature=00',
      },
      body: JSON.stringify({ ResourceTypeFilters: ['ec2:instance'] }),
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/x-amz-json-1.1');
    assert.deepEqual(await response.json(), {
      PaginationToken: '',
      ResourceTagMappingList: [
        {
          ResourceARN: `arn:aws:ec2:eu-west-1:${MAIN_ACCOUNT}:instance/i-0eu00000000000005`,
          Tags: [
            { Key: 'Name', Value: 'eu-web' },
            { Key: 'team', Value: 'web' },
          ],
        },
      ],
    });
  });
});

describe('tag policy compliance (TaggingSimulator directly)', () => {
  test('noncompliant key capitalisation and values are reported', () => {
    const simulator = new TaggingSimulator(cloudWatchFixture(), {
      tagPolicy: { keys: { Team: { values: ['web', 'data'] }, env: { values: ['prod', 'staging'] } } },
    });
    const out = simulator.getResources({ IncludeComplianceDetails: true, ExcludeCompliantResources: true }, { account: MAIN_ACCOUNT, region: 'us-east-1' });
    const byId = Object.fromEntries(out.ResourceTagMappingList.map((r) => [r.ResourceARN.split(/[/:]/).pop(), r.ComplianceDetails]));
    // "team" is governed as "Team": every resource tagged team is noncompliant by key.
    assert.deepEqual(byId['idle-db'], { NoncompliantKeys: ['team'], KeysWithNoncompliantValues: ['env'], ComplianceStatus: false });
    assert.deepEqual(byId['i-0busy000000000001'], { NoncompliantKeys: ['team'], KeysWithNoncompliantValues: [], ComplianceStatus: false });
    assert.equal(out.PaginationToken, '');
  });
});
