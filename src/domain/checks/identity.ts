/**
 * One identity for a resource, whatever each source calls its type: the account, the Region and a
 * canonical resource id. Sources disagree on labels ('S3 bucket', 's3-bucket', 'bucket') and on form
 * (a bucket name or its ARN, an instance id or its ARN), so the merge never matches on the type label:
 * it matches on what the check is about (its resource kind) and the canonical id. Pure functions.
 */
import type { FindingResource } from '../findings';

/** What a check is about. Bucket names are global, so a bucket's identity leaves its Region out. */
export type ResourceKind = 'bucket' | 'regional';

/** S3 checks, ours and Trusted Advisor's, are about buckets; everything else lives in a Region. */
export function resourceKindOf(check: string): ResourceKind {
  return check.startsWith('s3-') || check.startsWith('ta-s3-') ? 'bucket' : 'regional';
}

/**
 * The canonical id of a resource given as an id or an ARN: "arn:aws:ec2:us-east-1:1:instance/i-1" →
 * "i-1", "arn:aws:rds:us-east-1:1:db:orders" → "orders", "arn:aws:s3:::logs/key" → "logs".
 */
export function canonicalResourceId(id: string): string {
  const arn = /^arn:aws[a-z-]*:([a-z0-9-]+):[a-z0-9-]*:\d*:(.+)$/.exec(id.trim());
  if (!arn) return id.trim();
  const [, service, rest] = arn as unknown as [string, string, string];
  if (service === 's3') return rest.split('/')[0]!;
  // "instance/i-1", "volume/vol-1", "db:orders", "snapshot/snap-1": the part after the resource type.
  const typed = /^[A-Za-z0-9-]+[/:](.+)$/.exec(rest);
  return (typed ? typed[1]! : rest).split('/').pop()!;
}

/** The identity key of a resource as a check sees it: `${account}/${region or *}/${canonical id}`. */
export function identityKey(check: string, resource: Pick<FindingResource, 'account' | 'region' | 'id'>): string {
  return identityOf(resourceKindOf(check), resource.account, resource.region, resource.id);
}

export function identityOf(kind: ResourceKind, account: string, region: string, id: string): string {
  return `${account}/${kind === 'bucket' ? '*' : region}/${canonicalResourceId(id)}`;
}

/** Inside the requested accounts and Regions. A resource without a Region ("global") is in scope with its account. */
export function inScope(
  resource: Pick<FindingResource, 'account' | 'region'>,
  scope: { accounts: readonly string[]; regions: readonly string[] },
): boolean {
  if (!scope.accounts.includes(resource.account)) return false;
  return resource.region === 'global' || resource.region === '' || scope.regions.includes(resource.region);
}
