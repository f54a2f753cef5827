/**
 * Medium and large organisations: a management account and member accounts (assumed through a
 * role), several regions, applications owned by teams, tidy and messy tagging, and — unless `waste`
 * is false — planted waste at realistic rates among many healthy resources.
 *
 * medium: 3 accounts, 3 regions, ~150 instances, 15 databases, 60 buckets (a few hundred resources).
 * large:  6 accounts, 5 regions, 10,000 instances, 1,000 databases, 5,000 buckets, 15,000 volumes.
 */
import type { Ec2Instance, SimAccount, SupportPlan } from '../model';
import { substream, type SeededRandom } from '../random';
import { goodLifecycle, type DraftBuilder, type VolumeSpec } from './builder';
import { instanceTypeInfo } from './catalog';
import type { CpuRole } from './profiles';
import { APPS, MESSY, TIDY, appTags, type App, type Environment, type Tidiness } from './tags';

interface AccountPlan extends SimAccount {
  plan: SupportPlan;
  environments: Environment[];
  tidiness: Tidiness;
  /** Share of resources. */
  weight: number;
  regions: string[];
}

export interface SizePlan {
  accounts: AccountPlan[];
  regions: string[];
  instances: number;
  databases: number;
  buckets: number;
  /** Volumes beyond one root volume per instance (data volumes and unattached ones). */
  extraVolumes: number;
  snapshots: number;
  /** Elastic IPs associated with running instances. */
  associatedAddresses: number;
  gpuClusterSize: number;
}

const ROLE = 'OrganizationAccountAccessRole';

function plans(size: 'medium' | 'large'): SizePlan {
  if (size === 'medium') {
    const regions = ['us-east-1', 'us-west-2', 'eu-west-1'];
    return {
      regions,
      accounts: [
        {
          id: '111111111111',
          name: 'acme-management',
          plan: 'business',
          environments: ['prod'],
          tidiness: TIDY,
          weight: 0.15,
          regions: ['us-east-1'],
        },
        {
          id: '222222222222',
          name: 'acme-production',
          roleName: ROLE,
          plan: 'business',
          environments: ['prod', 'prod', 'staging'],
          tidiness: TIDY,
          weight: 0.55,
          regions,
        },
        {
          id: '333333333333',
          name: 'acme-development',
          roleName: ROLE,
          plan: 'basic',
          environments: ['dev', 'test', 'staging'],
          tidiness: MESSY,
          weight: 0.3,
          regions: ['us-east-1', 'eu-west-1'],
        },
      ],
      instances: 150,
      databases: 15,
      buckets: 60,
      extraVolumes: 70,
      snapshots: 40,
      associatedAddresses: 12,
      gpuClusterSize: 2,
    };
  }
  const regions = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'];
  return {
    regions,
    accounts: [
      {
        id: '100000000001',
        name: 'globex-management',
        plan: 'business',
        environments: ['prod'],
        tidiness: TIDY,
        weight: 0.04,
        regions: ['us-east-1'],
      },
      {
        id: '200000000002',
        name: 'globex-prod-us',
        roleName: ROLE,
        externalId: 'finops-sample',
        plan: 'enterprise',
        environments: ['prod', 'prod', 'prod', 'staging'],
        tidiness: TIDY,
        weight: 0.32,
        regions: ['us-east-1', 'us-west-2'],
      },
      {
        id: '300000000003',
        name: 'globex-prod-eu',
        roleName: ROLE,
        plan: 'business',
        environments: ['prod', 'prod', 'staging'],
        tidiness: TIDY,
        weight: 0.22,
        regions: ['eu-west-1', 'eu-central-1'],
      },
      {
        id: '400000000004',
        name: 'globex-data',
        roleName: ROLE,
        plan: 'developer',
        environments: ['prod', 'staging', 'dev'],
        tidiness: MESSY,
        weight: 0.16,
        regions: ['us-east-1', 'eu-west-1'],
      },
      {
        id: '500000000005',
        name: 'globex-apac',
        roleName: ROLE,
        plan: 'business',
        environments: ['prod', 'staging'],
        tidiness: MESSY,
        weight: 0.08,
        regions: ['ap-southeast-2'],
      },
      {
        id: '600000000006',
        name: 'globex-sandbox',
        roleName: ROLE,
        plan: 'basic',
        environments: ['dev', 'test'],
        tidiness: MESSY,
        weight: 0.18,
        regions: ['us-east-1', 'us-west-2', 'eu-west-1'],
      },
    ],
    instances: 10_000,
    databases: 1_000,
    buckets: 5_000,
    extraVolumes: 5_000,
    snapshots: 3_000,
    associatedAddresses: 600,
    gpuClusterSize: 20,
  };
}

/** Instance families per kind of application, with the sizes they use. */
const FAMILIES: Record<App['kind'], { family: string; sizes: string[]; weight: number }[]> = {
  web: [
    { family: 'm5', sizes: ['large', 'xlarge', '2xlarge'], weight: 3 },
    { family: 'm6i', sizes: ['large', 'xlarge', '2xlarge'], weight: 2 },
    { family: 'm7g', sizes: ['large', 'xlarge'], weight: 2 },
    { family: 't3', sizes: ['medium', 'large', 'xlarge'], weight: 2 },
    { family: 't4g', sizes: ['medium', 'large'], weight: 1 },
  ],
  api: [
    { family: 'm5', sizes: ['large', 'xlarge', '2xlarge'], weight: 3 },
    { family: 'c5', sizes: ['large', 'xlarge', '2xlarge'], weight: 2 },
    { family: 'c6g', sizes: ['large', 'xlarge'], weight: 2 },
    { family: 't3', sizes: ['medium', 'large'], weight: 1 },
  ],
  batch: [
    { family: 'c5', sizes: ['xlarge', '2xlarge', '4xlarge'], weight: 3 },
    { family: 'c6g', sizes: ['xlarge', '2xlarge', '4xlarge'], weight: 2 },
    { family: 'm5', sizes: ['xlarge', '2xlarge'], weight: 1 },
  ],
  data: [
    { family: 'r5', sizes: ['large', 'xlarge', '2xlarge', '4xlarge'], weight: 3 },
    { family: 'r6i', sizes: ['large', 'xlarge', '2xlarge'], weight: 2 },
    { family: 'm5', sizes: ['xlarge', '2xlarge', '4xlarge'], weight: 1 },
  ],
  ml: [
    { family: 'c5', sizes: ['2xlarge', '4xlarge'], weight: 2 },
    { family: 'm5', sizes: ['2xlarge', '4xlarge'], weight: 2 },
    { family: 'r5', sizes: ['2xlarge'], weight: 1 },
  ],
  internal: [
    { family: 't3', sizes: ['small', 'medium', 'large'], weight: 3 },
    { family: 't4g', sizes: ['small', 'medium'], weight: 2 },
    { family: 'm5', sizes: ['large'], weight: 1 },
  ],
};

/** Previous-generation types the waste plants (each with a current-generation equivalent). */
const PREVIOUS_GENERATION_TYPES = [
  'm4.large',
  'm4.xlarge',
  'm4.2xlarge',
  't2.medium',
  't2.large',
  'c4.large',
  'c4.xlarge',
  'r4.large',
  'r4.xlarge',
  'm3.large',
  'm3.xlarge',
];

function weighted<T extends { weight: number }>(rng: SeededRandom, items: readonly T[]): T {
  const total = items.reduce((s, i) => s + i.weight, 0);
  let x = rng.float() * total;
  for (const item of items) {
    x -= item.weight;
    if (x < 0) return item;
  }
  return items[items.length - 1] as T;
}

/** Waste rates among generated resources (all zero without waste). */
interface Rates {
  idle: number;
  oversized: number;
  previousGeneration: number;
  stoppedLong: number;
  quietExcluded: number;
  recentIdle: number;
  gp2: number;
  io1: number;
  idleVolume: number;
  unattached: number;
  unassociated: number;
  orphanSnapshot: number;
  idleDb: number;
  multiAzNonProd: number;
  gp2Db: number;
  noLifecycle: number;
  noNoncurrentExpiration: number;
  noAbort: number;
}

const WASTE: Rates = {
  idle: 0.03,
  oversized: 0.05,
  previousGeneration: 0.04,
  stoppedLong: 0.02,
  quietExcluded: 0.03,
  recentIdle: 0.005,
  gp2: 0.1,
  io1: 0.02,
  idleVolume: 0.02,
  unattached: 0.06,
  unassociated: 0.12,
  orphanSnapshot: 0.15,
  idleDb: 0.03,
  multiAzNonProd: 0.3,
  gp2Db: 0.05,
  noLifecycle: 0.15,
  noNoncurrentExpiration: 0.3,
  noAbort: 0.08,
};

const NONE: Rates = Object.fromEntries(Object.keys(WASTE).map((k) => [k, 0])) as unknown as Rates;

const GIB = 2 ** 30;

/**
 * A uniform draw, except that with waste the first items land in each waste bucket in turn (the
 * buckets' cumulative bounds), so even a medium scenario has at least one of every kind.
 */
function draw(rng: SeededRandom, n: number, waste: boolean, buckets: readonly number[]): number {
  const x = rng.float();
  if (!waste || n >= buckets.length) return x;
  const start = buckets.slice(0, n).reduce((a, b) => a + b, 0);
  return start + (buckets[n] as number) / 2;
}

/** Regions an organisation of a given shape spreads over, in order. */
const ORGANISATION_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', 'ap-northeast-1', 'sa-east-1', 'ca-central-1'];

/** Resources per account and Region in an organisation of a given shape: the work per account-Region stays the same. */
const PER_TARGET = { instances: 6, databases: 1, buckets: 2, extraVolumes: 3, snapshots: 2, associatedAddresses: 1 };

/**
 * An organisation of `accounts` accounts (a management account and members reached by role) by `regions`
 * Regions, every account in every Region with the same resources per account-Region, so the work grows
 * linearly with accounts × Regions (bench/organisation.ts).
 */
export function organisationPlan(accounts: number, regionCount: number): SizePlan {
  if (!Number.isInteger(accounts) || accounts < 1 || accounts > 999) throw new RangeError(`organisation accounts must be 1-999 (got ${accounts})`);
  if (!Number.isInteger(regionCount) || regionCount < 1 || regionCount > ORGANISATION_REGIONS.length) {
    throw new RangeError(`organisation regions must be 1-${ORGANISATION_REGIONS.length} (got ${regionCount})`);
  }
  const regions = ORGANISATION_REGIONS.slice(0, regionCount);
  const targets = accounts * regionCount;
  return {
    regions,
    accounts: Array.from({ length: accounts }, (_, i) => ({
      id: String(100_000_000_001 + i * 1_000_001).padStart(12, '0'),
      name: i === 0 ? 'initech-management' : `initech-member-${i}`,
      ...(i === 0 ? {} : { roleName: ROLE }),
      plan: i % 3 === 0 ? 'business' : 'basic',
      environments: i % 2 === 0 ? ['prod', 'staging'] : ['dev', 'test'],
      tidiness: i % 2 === 0 ? TIDY : MESSY,
      weight: 1 / accounts,
      regions,
    })),
    instances: PER_TARGET.instances * targets,
    databases: PER_TARGET.databases * targets,
    buckets: PER_TARGET.buckets * targets,
    extraVolumes: PER_TARGET.extraVolumes * targets,
    snapshots: PER_TARGET.snapshots * targets,
    associatedAddresses: PER_TARGET.associatedAddresses * targets,
    gpuClusterSize: 0,
  };
}

export function buildBulkOrganisation(b: DraftBuilder, size: 'medium' | 'large' | SizePlan, waste: boolean): void {
  const plan = typeof size === 'string' ? plans(size) : size;
  const rates = waste ? WASTE : NONE;
  const rng = substream(b.draft.seed, `bulk/${typeof size === 'string' ? size : `${plan.accounts.length}x${plan.regions.length}`}`);
  b.draft.regions.push(...plan.regions);
  for (const account of plan.accounts) {
    const { plan: support, environments: _e, tidiness: _t, weight: _w, regions: _r, ...simAccount } = account;
    b.draft.accounts.push(simAccount);
    b.draft.supportPlans[account.id] = support;
  }
  const history = b.draft.historyDays;
  // Tagging habits: a team tags an application's resources the same way in an account (one
  // Terraform module, one pipeline), so messiness comes in clusters; a few resources deviate.
  const habits = new Map<string, Record<string, string>>();
  const tagsFor = (account: AccountPlan, app: App, env: Environment): Record<string, string> => {
    const key = `${account.id}/${app.name}/${env}`;
    let habit = habits.get(key);
    if (!habit) habits.set(key, (habit = appTags(rng, app, env, account.tidiness)));
    const deviation = account.tidiness === TIDY ? 0 : 0.08;
    return rng.chance(deviation) ? appTags(rng, app, env, account.tidiness) : { ...habit };
  };
  const pickPlacement = (): { account: AccountPlan; region: string; env: Environment; app: App } => {
    const account = weighted(rng, plan.accounts);
    return { account, region: rng.pick(account.regions), env: rng.pick(account.environments), app: rng.pick(APPS) };
  };
  /** Launch age in days: most resources arrived during the history (growth), some long before. */
  const age = (): number => (rng.chance(0.25) ? rng.int(history + 30, history + 900) : rng.int(15, Math.max(16, history)));

  // ---- instances -------------------------------------------------------------------------------
  const running: Ec2Instance[] = [];
  const asgGroups = new Map<string, string>();
  for (let n = 0; n < plan.instances; n++) {
    const { account, region, env, app } = pickPlacement();
    const family = weighted(rng, FAMILIES[app.kind]);
    let instanceType = `${family.family}.${rng.pick(family.sizes)}`;
    let role: CpuRole = rng.chance(0.25) ? 'busy' : rng.chance(0.2) ? 'bursty' : 'normal';
    let launchedDaysAgo = age();
    let stoppedDaysAgo: number | undefined;
    let lifecycle: 'on-demand' | 'spot' = 'on-demand';
    let autoScalingGroup: string | undefined;
    const x = draw(rng, n, waste, [
      rates.idle,
      rates.oversized,
      rates.previousGeneration,
      rates.stoppedLong,
      rates.quietExcluded,
    ]);
    let t = 0;
    if (x < (t += rates.idle)) role = 'idle';
    else if (x < (t += rates.oversized)) {
      role = 'oversized';
      // Over-provisioning needs a smaller size: never the family's smallest.
      instanceType = `${family.family}.${family.sizes[family.sizes.length - 1]}`;
      if (family.sizes.length === 1) instanceType = `m5.2xlarge`;
    } else if (x < (t += rates.previousGeneration)) instanceType = rng.pick(PREVIOUS_GENERATION_TYPES);
    else if (x < (t += rates.stoppedLong)) stoppedDaysAgo = rng.int(35, 200);
    else if (x < (t += rates.quietExcluded)) {
      role = 'quiet-excluded';
      if (rng.chance(0.5)) lifecycle = 'spot';
      else autoScalingGroup = 'pending';
    } else if (x < (t += rates.recentIdle)) {
      role = 'idle';
      launchedDaysAgo = rng.int(3, 10);
    } else if (rng.chance(0.04)) lifecycle = 'spot';
    else if (rng.chance(0.15) && env === 'prod') autoScalingGroup = 'pending';
    if (stoppedDaysAgo !== undefined) launchedDaysAgo = Math.max(launchedDaysAgo, stoppedDaysAgo + rng.int(30, 300));
    if (autoScalingGroup) {
      const groupKey = `${account.id}/${region}/${app.name}/${env}`;
      autoScalingGroup = asgGroups.get(groupKey) ?? `${app.name}-${env}-asg`;
      asgGroups.set(groupKey, autoScalingGroup);
      launchedDaysAgo = Math.min(launchedDaysAgo, rng.int(15, 120)); // groups replace instances
    }
    const info = instanceTypeInfo(instanceType);
    const name = `${app.name}-${env}-${String(n).padStart(5, '0')}`;
    const data: VolumeSpec[] = [];
    const root: VolumeSpec = { sizeGiB: info?.family.startsWith('t') ? 20 : rng.pick([30, 50, 80]) };
    // gp2 roots on long-lived instances are waste (but not on long-stopped ones: those count once).
    if (stoppedDaysAgo === undefined && rng.chance(rates.gp2)) root.volumeType = 'gp2';
    const instance = b.instance({
      account: account.id,
      region,
      instanceType,
      name,
      tags: tagsFor(account, app, env),
      launchedDaysAgo,
      role,
      ...(stoppedDaysAgo !== undefined ? { stoppedDaysAgo } : {}),
      lifecycle,
      ...(autoScalingGroup ? { autoScalingGroup } : {}),
      ...(env !== 'prod' && role !== 'idle' && stoppedDaysAgo === undefined && rng.chance(0.08)
        ? { schedule: 'office-hours' as const }
        : {}),
      root,
      data,
    });
    if (instance.state === 'running') running.push(instance);
  }

  // ---- extra volumes: data volumes on instances, and unattached ones ---------------------------
  let extra = 0;
  while (extra < plan.extraVolumes) {
    extra++;
    if (rng.chance(rates.unattached) || (waste && extra === 1)) {
      const { account, region, env, app } = pickPlacement();
      b.volume(
        {
          sizeGiB: rng.pick([20, 50, 100, 200, 500, 1000]),
          volumeType: rng.pick(['gp2', 'gp3', 'gp3', 'st1'] as const),
          tags: tagsFor(account, app, env),
        },
        account.id,
        region,
        rng.int(40, 600),
      );
      continue;
    }
    const host = pickHost(rng, b.draft.instances, waste && extra <= 4);
    const spec = dataVolume(rng, rates, host, waste && extra <= 4 ? extra - 2 : -1);
    const device = `/dev/sd${String.fromCharCode(102 + host.blockDevices.length - 1)}`;
    b.volume(
      {
        ...spec,
        tags: { ...withoutName(host.tags), Name: `${host.tags['Name']}-data${host.blockDevices.length}`, ...spec.tags },
      },
      host.account,
      host.region,
      0,
      host,
      device,
    );
  }

  // ---- snapshots -------------------------------------------------------------------------------
  const attached = b.draft.volumes.filter((v) => v.state === 'in-use');
  for (let n = 0; n < plan.snapshots; n++) {
    if (rng.chance(rates.orphanSnapshot) || (waste && n === 0)) {
      const { account, region, env, app } = pickPlacement();
      const deletedVolume = b.ids.volume();
      const sizeGiB = rng.pick([50, 100, 200, 500]);
      b.snapshot(
        account.id,
        region,
        deletedVolume,
        sizeGiB,
        rng.int(120, 800),
        Math.round(sizeGiB * rng.between(0.2, 0.8)),
        `backup of ${app.name}-${env} data (volume since deleted)`,
        tagsFor(account, app, env),
      );
      continue;
    }
    const volume = rng.pick(attached);
    b.snapshot(
      volume.account,
      volume.region,
      volume.volumeId,
      volume.sizeGiB,
      rng.int(1, 30),
      Math.max(1, Math.round(volume.sizeGiB * rng.between(0.05, 0.4))),
      `automated backup of ${volume.volumeId}`,
      withoutName(volume.tags),
    );
  }

  // ---- Elastic IPs -----------------------------------------------------------------------------
  const onDemandRunning = running.filter((i) => i.lifecycle === 'on-demand' && !i.autoScalingGroup && !i.publicIpAddress);
  for (let n = 0; n < plan.associatedAddresses && onDemandRunning.length > 0; n++) {
    const instance = onDemandRunning.splice(rng.int(0, onDemandRunning.length - 1), 1)[0] as Ec2Instance;
    b.address(instance.account, instance.region, 0, instance, withoutName(instance.tags));
  }
  if (rates.unassociated > 0) {
    const loose = Math.max(2, Math.round(plan.associatedAddresses * rates.unassociated));
    for (let n = 0; n < loose; n++) {
      const { account, region } = pickPlacement();
      b.address(account.id, region, rng.int(20, 700));
    }
    // Some stopped instances kept their Elastic IP.
    for (const instance of b.draft.instances.filter((i) => i.state === 'stopped')) {
      if (rng.chance(0.4)) b.address(instance.account, instance.region, 0, instance, withoutName(instance.tags));
    }
  }

  // ---- databases -------------------------------------------------------------------------------
  for (let n = 0; n < plan.databases; n++) {
    const placement = pickPlacement();
    const { account, region, app } = placement;
    // The second database of a wasteful organisation is the non-production Multi-AZ one.
    const env: Environment = waste && n === 1 ? 'staging' : placement.env;
    const prod = env === 'prod';
    let multiAz = prod && rng.chance(0.7);
    let storageType: 'gp2' | 'gp3' | 'io1' = prod && rng.chance(0.08) ? 'io1' : 'gp3';
    let role: 'idle' | 'normal' = 'normal';
    const x = draw(rng, n, waste, [rates.idleDb, rates.multiAzNonProd, rates.gp2Db]);
    let t = 0;
    if (x < (t += rates.idleDb)) role = 'idle';
    else if (x < (t += rates.multiAzNonProd)) multiAz = multiAz || !prod;
    else if (x < (t += rates.gp2Db)) storageType = 'gp2';
    const dbInstanceClass = prod
      ? rng.pick([
          'db.r5.large',
          'db.r5.xlarge',
          'db.r5.2xlarge',
          'db.m5.large',
          'db.m5.xlarge',
          'db.m6i.large',
          'db.r6g.large',
          'db.r6g.xlarge',
        ])
      : rng.pick(['db.t3.medium', 'db.t3.large', 'db.t4g.medium', 'db.m5.large']);
    const allocated = rng.pick(prod ? [100, 200, 500, 1000, 2000] : [20, 50, 100]);
    b.database({
      account: account.id,
      region,
      identifier: `${app.name}-${env}-${rng.pick(['db', 'pg', 'mysql', 'primary'])}-${n}`,
      dbInstanceClass,
      engine: rng.chance(0.65) ? 'postgres' : 'mysql',
      multiAz,
      storageType,
      allocatedStorageGiB: allocated,
      ...(storageType === 'io1' ? { iops: rng.pick([3000, 5000, 10000]) } : {}),
      createdDaysAgo: age(),
      role,
      tags: tagsFor(account, app, env),
    });
  }

  // ---- buckets ---------------------------------------------------------------------------------
  const purposes = ['logs', 'assets', 'backups', 'data', 'artifacts', 'exports', 'uploads', 'archive'];
  // AWS Config has not recorded ~1% of buckets (by name hash, in the builder) and, so that every
  // organisation has one, the management account's first bucket. Neither draws from the RNG.
  let managementUnrecorded = false;
  for (let n = 0; n < plan.buckets; n++) {
    const { account, region, env, app } = pickPlacement();
    const unrecorded = !managementUnrecorded && account.id === plan.accounts[0]?.id;
    if (unrecorded) managementUnrecorded = true;
    const purpose = rng.pick(purposes);
    const versioned = purpose === 'backups' || purpose === 'data' || rng.chance(0.15) || (waste && n === 1);
    const totalGiB = Math.round(Math.exp(rng.between(Math.log(1), Math.log(size === 'large' ? 20_000 : 5_000))));
    const x = draw(rng, n, waste, [rates.noLifecycle, rates.noNoncurrentExpiration * 0.5, rates.noAbort]);
    let lifecycle = goodLifecycle(versioned);
    let noncurrent = 0;
    let incomplete = 0;
    if (x < rates.noLifecycle) {
      lifecycle = [];
      incomplete = Math.max(1, Math.round(totalGiB * rng.between(0.005, 0.03))) * GIB;
      if (versioned) noncurrent = Math.round(totalGiB * rng.between(0.1, 0.3)) * GIB;
    } else if (versioned && x < rates.noLifecycle + rates.noNoncurrentExpiration * 0.5) {
      lifecycle = goodLifecycle(false);
      noncurrent = Math.max(1, Math.round(totalGiB * rng.between(0.1, 0.3))) * GIB;
    } else if (x < rates.noLifecycle + rates.noNoncurrentExpiration * 0.5 + rates.noAbort) {
      lifecycle = goodLifecycle(versioned).map((r) => {
        const { abortIncompleteMultipartUploadDays: _a, ...rest } = r;
        return rest;
      });
      incomplete = Math.max(1, Math.round(totalGiB * rng.between(0.005, 0.03))) * GIB;
    }
    const archived = lifecycle.length > 0 && rng.chance(0.5);
    const standard = archived ? Math.round(totalGiB * 0.4) : totalGiB;
    const storageBytes: Record<string, number> = { StandardStorage: Math.max(standard * GIB, noncurrent + incomplete + GIB) };
    if (archived) {
      storageBytes['StandardIAStorage'] = Math.round(totalGiB * 0.3) * GIB;
      storageBytes['GlacierStorage'] = Math.round(totalGiB * 0.3) * GIB;
    }
    const bucket = b.bucket({
      account: account.id,
      region,
      name: `${account.name.split('-')[0]}-${app.name}-${env}-${purpose}-${b.ids.bucketSuffix()}`,
      createdDaysAgo: age(),
      storageBytes,
      objectCount: Math.round(totalGiB * rng.between(200, 5000)),
      ...(versioned ? { versioning: 'Enabled' as const } : {}),
      lifecycleRules: lifecycle,
      ...(noncurrent > 0 ? { noncurrentBytes: noncurrent } : {}),
      ...(incomplete > 0 ? { incompleteMultipartBytes: incomplete } : {}),
      monthlyGrowth: purpose === 'logs' ? 0.04 : purpose === 'archive' ? 0 : 0.01,
      tags: tagsFor(account, app, env),
      ...(unrecorded ? { recordedByConfig: false } : {}),
    });
    if (purpose === 'uploads' || purpose === 'assets' || purpose === 'logs') {
      b.charge({
        account: account.id,
        region,
        spec: { kind: 's3-requests', region, tier: purpose === 'logs' ? 1 : 2 },
        resourceId: bucket.name,
        tags: bucket.tags,
        dailyQuantity: Math.round(rng.between(20_000, 2_000_000)),
        weekendFactor: 0.6,
        monthlyGrowth: 0.02,
        noise: 0.1,
      });
    }
  }

  // ---- regional charges and spikes -------------------------------------------------------------
  const instancesPer = new Map<string, number>();
  for (const i of b.draft.instances)
    instancesPer.set(`${i.account}/${i.region}`, (instancesPer.get(`${i.account}/${i.region}`) ?? 0) + 1);
  const transfers: { charge: ReturnType<DraftBuilder['charge']>; weight: number }[] = [];
  const nats: ReturnType<DraftBuilder['charge']>[] = [];
  for (const account of plan.accounts) {
    for (const region of account.regions) {
      const count = instancesPer.get(`${account.id}/${region}`) ?? 0;
      if (count === 0) continue;
      const natId = b.ids.natGateway();
      const natTags = { Environment: account.environments[0] as string, Owner: 'platform-team', CostCenter: 'CC-3003' };
      b.charge({
        account: account.id,
        region,
        spec: { kind: 'nat-hours', region },
        resourceId: natId,
        tags: natTags,
        dailyQuantity: 24,
      });
      nats.push(
        b.charge({
          account: account.id,
          region,
          spec: { kind: 'nat-bytes', region },
          resourceId: natId,
          tags: natTags,
          dailyQuantity: count * 1.5,
          weekendFactor: 0.5,
          monthlyGrowth: 0.03,
          noise: 0.08,
        }),
      );
      b.charge({
        account: account.id,
        region,
        spec: { kind: 'cw-metrics', region },
        dailyQuantity: count * 7,
        monthlyGrowth: 0.02,
      });
      b.charge({
        account: account.id,
        region,
        spec: { kind: 'cw-logs', region },
        dailyQuantity: count * 0.2,
        weekendFactor: 0.6,
        monthlyGrowth: 0.03,
        noise: 0.08,
      });
      transfers.push({
        charge: b.charge({
          account: account.id,
          region,
          spec: { kind: 'data-transfer-out', region },
          dailyQuantity: count * 3,
          weekendFactor: 0.65,
          monthlyGrowth: 0.025,
          noise: 0.06,
        }),
        weight: count,
      });
    }
  }
  plantSpikes(b, rng, plan, transfers, nats);
}

function plantSpikes(
  b: DraftBuilder,
  rng: SeededRandom,
  plan: SizePlan,
  transfers: { charge: ReturnType<DraftBuilder['charge']>; weight: number }[],
  nats: ReturnType<DraftBuilder['charge']>[],
): void {
  const dataAccount = plan.accounts[Math.min(3, plan.accounts.length - 1)] as AccountPlan;
  const region = dataAccount.regions[0] as string;
  // 1. A GPU training cluster for three days, about five weeks ago.
  const gpuDaysAgo = rng.int(30, 40);
  const clusterId = `gpu-training-${b.ids.bucketSuffix()}`;
  b.charge({
    account: dataAccount.id,
    region,
    spec: { kind: 'ec2-instance', region, instanceType: 'p3.8xlarge' },
    resourceId: clusterId,
    tags: { Environment: 'dev', Owner: 'ml-team', Project: 'forecasting-2003' },
    dailyQuantity: 24 * plan.gpuClusterSize,
    from: b.date(gpuDaysAgo),
    until: b.date(gpuDaysAgo - 3),
  });
  b.draft.events.push({
    date: b.date(gpuDaysAgo),
    endDate: b.date(gpuDaysAgo - 2),
    kind: 'spike',
    service: 'Amazon Elastic Compute Cloud - Compute',
    resourceId: clusterId,
    description: `${plan.gpuClusterSize} p3.8xlarge GPU instances trained a model for three days in ${dataAccount.name} (${region}), then were terminated.`,
  });
  // 2. One day of heavy data transfer out of the busiest account-region, about ten days ago.
  const busiest = [...transfers].sort((x, y) => y.weight - x.weight)[0];
  if (busiest) {
    const day = b.date(rng.int(8, 12));
    busiest.charge.spikes = [{ from: day, to: day, factor: 25 }];
    b.draft.events.push({
      date: day,
      endDate: day,
      kind: 'spike',
      service: 'EC2 - Other',
      description: `Data transfer out of ${busiest.charge.region} in account ${busiest.charge.account} was 25 times its usual level for one day.`,
    });
  }
  // 3. Two days of NAT gateway data processing at ten times the usual, about two months ago.
  const nat = nats[rng.int(0, nats.length - 1)];
  if (nat) {
    const daysAgo = rng.int(55, 65);
    const from = b.date(daysAgo);
    const to = b.date(daysAgo - 1);
    nat.spikes = [{ from, to, factor: 10 }];
    b.draft.events.push({
      date: from,
      endDate: to,
      kind: 'spike',
      service: 'EC2 - Other',
      resourceId: nat.resourceId,
      description: `NAT gateway ${nat.resourceId} in ${nat.region} (account ${nat.account}) processed ten times its usual data for two days.`,
    });
  }
}

function pickHost(rng: SeededRandom, instances: Ec2Instance[], runningOnly: boolean): Ec2Instance {
  // Data volumes go to non-Spot hosts with few volumes (running ones when a waste kind must land).
  for (;;) {
    const host = instances[rng.int(0, instances.length - 1)] as Ec2Instance;
    const eligible = !runningOnly || (host.state === 'running' && !host.autoScalingGroup);
    if (host.blockDevices.length < 4 && host.lifecycle === 'on-demand' && eligible) return host;
  }
}

function dataVolume(
  rng: SeededRandom,
  rates: Rates,
  host: Ec2Instance,
  forced: number,
): VolumeSpec & { tags?: Record<string, string> } {
  const stopped = host.state !== 'running';
  const sizeGiB = rng.pick([50, 100, 200, 250, 500, 1000]);
  const x = draw(rng, forced < 0 ? Infinity : forced, true, [rates.idleVolume, rates.io1, rates.gp2]);
  let t = 0;
  if (!stopped && !host.autoScalingGroup && x < (t += rates.idleVolume)) return { sizeGiB, volumeType: 'gp3', role: 'idle' };
  if (!stopped && x < (t += rates.io1))
    return { sizeGiB, volumeType: 'io1', iops: Math.min(16_000, rng.pick([2000, 4000, 8000, 12_000]), 50 * sizeGiB) };
  if (!stopped && x < (t += rates.gp2)) return { sizeGiB: Math.min(sizeGiB, 1000), volumeType: 'gp2' };
  const y = rng.float();
  if (y < 0.04) return { sizeGiB: Math.max(sizeGiB, 500), volumeType: 'st1' };
  if (y < 0.07) return { sizeGiB, volumeType: 'io2', iops: rng.pick([5000, 10_000, 20_000]) };
  // io1 beyond gp3's 16,000 IOPS: expensive, but not a gp3 candidate.
  if (y < 0.09) return { sizeGiB: Math.max(sizeGiB, 500), volumeType: 'io1', iops: 20_000 + rng.int(0, 10) * 1000 };
  return { sizeGiB, volumeType: 'gp3', ...(rng.chance(0.1) ? { iops: 6000, throughput: 250 } : {}) };
}

function withoutName(tags: Record<string, string>): Record<string, string> {
  const { Name: _name, 'aws:autoscaling:groupName': _asg, ...rest } = tags;
  return rest;
}
