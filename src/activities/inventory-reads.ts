/**
 * One analysis's inventories, listed once per worker process. The EC2 agent's per-target activities,
 * the RDS agent's and the tagging agent all need the instances, volumes, snapshots, addresses and
 * databases of the same accounts and Regions; listed by each, EC2's XML (the largest responses the
 * worker parses) was read and parsed twice. The first activity to ask lists, the others await the same
 * promise, and the requests are counted once, in the usage of the activity that made them, so the
 * report's request counts stay what AWS served.
 *
 * Keys carry the analysis ID, so analyses never share an inventory, and entries expire: one analysis's
 * agents read the account within minutes of each other, and a later analysis must see the account anew.
 * An activity retried on another worker simply lists again.
 */
import type { AwsClientFactory, AwsTarget } from './aws-clients';
import { listAddresses, listDatabases, listInstances, listSnapshots, listVolumes } from './inventory';
import { SharedRequests } from './shared-requests';
import type { AwsUsage } from '../domain/usage';

/** Entries: five listings per account-Region, for the organisations of a few concurrent analyses. */
const MAX_LISTINGS = 5_000;
/** Long enough for one analysis's agents, short enough not to hold an account's inventory for long. */
const TTL_MS = 10 * 60_000;

export class InventoryReads {
  private readonly shared = new SharedRequests({ max: MAX_LISTINGS, ttlMs: TTL_MS });

  constructor(private readonly clients: AwsClientFactory) {}

  instances(analysisId: string, target: AwsTarget, usage: AwsUsage) {
    return this.once(analysisId, 'instances', target, () => listInstances(this.clients, target, usage));
  }

  volumes(analysisId: string, target: AwsTarget, usage: AwsUsage) {
    return this.once(analysisId, 'volumes', target, () => listVolumes(this.clients, target, usage));
  }

  snapshots(analysisId: string, target: AwsTarget, usage: AwsUsage) {
    return this.once(analysisId, 'snapshots', target, () => listSnapshots(this.clients, target, usage));
  }

  addresses(analysisId: string, target: AwsTarget, usage: AwsUsage) {
    return this.once(analysisId, 'addresses', target, () => listAddresses(this.clients, target, usage));
  }

  databases(analysisId: string, target: AwsTarget, usage: AwsUsage) {
    return this.once(analysisId, 'databases', target, () => listDatabases(this.clients, target, usage));
  }

  private async once<T>(analysisId: string, kind: string, target: AwsTarget, list: () => Promise<T>): Promise<T> {
    const { value } = await this.shared.run(JSON.stringify(['inventory', analysisId, kind, target.account, target.region]), list);
    return value;
  }
}
