/**
 * Amazon S3 (restXml) over a scenario's buckets: ListBuckets, GetBucketLifecycleConfiguration,
 * GetBucketVersioning, GetBucketLocation. Buckets belong to one account; requests act as the
 * account of their access key.
 *
 * As S3 does:
 * - ListBuckets (`GET /`) lists the caller's buckets by name. With any of max-buckets (1–10000),
 *   continuation-token, prefix or bucket-region it is a paginated listing: pages of max-buckets
 *   (default 10,000) with ContinuationToken while more follow, Prefix echoed, and each Bucket with
 *   its BucketRegion ("included if the request contains at least one valid parameter"). Without
 *   parameters it lists every bucket, without BucketRegion.
 * - A bucket that does not exist is NoSuchBucket (404), another account's bucket AccessDenied (403),
 *   an invalid name InvalidBucketName (400); x-amz-expected-bucket-owner is checked.
 * - Bucket operations other than GetBucketLocation must be sent to the bucket's region: a request
 *   signed for another region gets 301 PermanentRedirect with x-amz-bucket-region, which the SDK's
 *   `followRegionRedirects` follows. Unsigned requests are served whatever the bucket's region.
 * - A bucket without lifecycle rules answers NoSuchLifecycleConfiguration (404); a bucket whose
 *   versioning was never enabled an empty <VersioningConfiguration/>; a us-east-1 bucket an empty
 *   <LocationConstraint/>.
 */
import type { S3Bucket, ScenarioResources, LifecycleRule } from '../model';
import { RestXmlError, type RestXmlCallContext, type RestXmlRoute, type RestXmlServiceDefinition } from '../protocols/rest-xml';
import { xmlDocument, xmlList, xmlTimestamp, type XmlNode } from '../protocols/xml';
import { decodePageToken, encodePageToken, fingerprint, hexDigest } from './resource-listing';

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
export const MAX_BUCKETS_PAGE = 10_000;

const BUCKET_SUBRESOURCES: Readonly<Record<string, string>> = {
  lifecycle: 'GetBucketLifecycleConfiguration',
  versioning: 'GetBucketVersioning',
  location: 'GetBucketLocation',
};

/** S3's canonical user ID of an account (64 hex characters), stable per account. */
export function canonicalUserId(account: string): string {
  return hexDigest(`canonical-user/${account}`, 64);
}

function isValidBucketName(name: string): boolean {
  return /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) && !name.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(name);
}

function invalidArgument(message: string, name: string, value: string): RestXmlError {
  return new RestXmlError('InvalidArgument', message, 400, { ArgumentName: name, ArgumentValue: value });
}

function lifecycleRuleXml(rule: LifecycleRule): XmlNode {
  const transitions = rule.transitions ?? [];
  const noncurrentTransitions = rule.noncurrentVersionTransitions ?? [];
  return {
    Expiration: rule.expirationDays === undefined ? undefined : { Days: rule.expirationDays },
    ID: rule.id,
    Filter: rule.prefix === undefined ? '' : { Prefix: rule.prefix },
    Status: rule.status,
    Transition: transitions.length === 0 ? undefined : transitions.map((t) => ({ Days: t.days, StorageClass: t.storageClass })),
    NoncurrentVersionTransition:
      noncurrentTransitions.length === 0
        ? undefined
        : noncurrentTransitions.map((t) => ({ NoncurrentDays: t.noncurrentDays, StorageClass: t.storageClass })),
    NoncurrentVersionExpiration:
      rule.noncurrentVersionExpirationDays === undefined ? undefined : { NoncurrentDays: rule.noncurrentVersionExpirationDays },
    AbortIncompleteMultipartUpload:
      rule.abortIncompleteMultipartUploadDays === undefined
        ? undefined
        : { DaysAfterInitiation: rule.abortIncompleteMultipartUploadDays },
  };
}

export function s3Service(resources: ScenarioResources): RestXmlServiceDefinition {
  const byName = new Map(resources.buckets.map((b) => [b.name, b]));
  const byAccount = new Map<string, S3Bucket[]>();
  for (const bucket of [...resources.buckets].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    let list = byAccount.get(bucket.account);
    if (!list) byAccount.set(bucket.account, (list = []));
    list.push(bucket);
  }
  const accountNames = new Map(resources.accounts.map((a) => [a.id, a.name]));

  /** The bucket a bucket operation names, checked as S3 checks it. */
  const bucketFor = (route: RestXmlRoute, context: RestXmlCallContext, regionBound: boolean): S3Bucket => {
    const name = route.bucket ?? '';
    if (!isValidBucketName(name)) {
      throw new RestXmlError('InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName: name });
    }
    const bucket = byName.get(name);
    if (!bucket) throw new RestXmlError('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: name });
    const expectedOwner = context.header('x-amz-expected-bucket-owner');
    if (bucket.account !== context.account || (expectedOwner !== undefined && expectedOwner !== bucket.account)) {
      throw new RestXmlError('AccessDenied', 'Access Denied', 403);
    }
    if (regionBound && route.signingRegion !== undefined && route.signingRegion !== bucket.region) {
      throw new RestXmlError(
        'PermanentRedirect',
        'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
        301,
        { Endpoint: route.host, Bucket: name },
        { 'x-amz-bucket-region': bucket.region },
      );
    }
    return bucket;
  };

  const listBuckets = (route: RestXmlRoute, context: RestXmlCallContext) => {
    const query = route.query;
    const rawMax = query.get('max-buckets');
    const prefix = query.get('prefix') ?? undefined;
    const region = query.get('bucket-region') ?? undefined;
    const token = query.get('continuation-token') ?? undefined;
    const paginated = rawMax !== null || prefix !== undefined || region !== undefined || token !== undefined;
    let pageSize = MAX_BUCKETS_PAGE;
    if (rawMax !== null) {
      const value = Number(rawMax);
      if (!/^\d+$/.test(rawMax) || value < 1 || value > MAX_BUCKETS_PAGE) {
        throw invalidArgument(`Argument max-buckets must be an integer between 1 and ${MAX_BUCKETS_PAGE}`, 'max-buckets', rawMax);
      }
      pageSize = value;
    }
    let buckets: readonly S3Bucket[] = byAccount.get(context.account) ?? [];
    if (prefix !== undefined) buckets = buckets.filter((b) => b.name.startsWith(prefix));
    if (region !== undefined) buckets = buckets.filter((b) => b.region === region);
    const listing = fingerprint('ListBuckets', context.account, prefix, region);
    let start = 0;
    if (token !== undefined) {
      const offset = decodePageToken(token, listing);
      if (offset === undefined)
        throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
      start = offset;
    }
    const end = paginated ? start + pageSize : buckets.length;
    const page = buckets.slice(start, end);
    const body: XmlNode = {
      Owner: { DisplayName: accountNames.get(context.account), ID: canonicalUserId(context.account) },
      Buckets: xmlList(page, 'Bucket', (b) => ({
        Name: b.name,
        CreationDate: xmlTimestamp(b.creationDate),
        BucketRegion: paginated ? b.region : undefined,
      })),
      ContinuationToken: end < buckets.length ? encodePageToken(end, listing) : undefined,
      Prefix: prefix,
    };
    return { body: xmlDocument('ListAllMyBucketsResult', body, S3_NAMESPACE) };
  };

  const getBucketLifecycleConfiguration = (route: RestXmlRoute, context: RestXmlCallContext) => {
    const bucket = bucketFor(route, context, true);
    if (bucket.lifecycleRules.length === 0) {
      throw new RestXmlError('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist', 404, {
        BucketName: bucket.name,
      });
    }
    return {
      headers: { 'x-amz-transition-default-minimum-object-size': 'all_storage_classes_128K' },
      body: xmlDocument('LifecycleConfiguration', { Rule: bucket.lifecycleRules.map(lifecycleRuleXml) }, S3_NAMESPACE),
    };
  };

  const getBucketVersioning = (route: RestXmlRoute, context: RestXmlCallContext) => {
    const bucket = bucketFor(route, context, true);
    const content: XmlNode = bucket.versioning === undefined ? {} : { Status: bucket.versioning };
    return { body: xmlDocument('VersioningConfiguration', content, S3_NAMESPACE) };
  };

  const getBucketLocation = (route: RestXmlRoute, context: RestXmlCallContext) => {
    const bucket = bucketFor(route, context, false);
    return { body: xmlDocument('LocationConstraint', bucket.region === 'us-east-1' ? '' : bucket.region, S3_NAMESPACE) };
  };

  const subresourceOperation = (route: RestXmlRoute): string | undefined => {
    const names = [...route.query.keys()].filter((key) => Object.hasOwn(BUCKET_SUBRESOURCES, key));
    return names.length === 1 ? BUCKET_SUBRESOURCES[names[0] as string] : undefined;
  };

  return {
    signingName: 's3',
    title: 'Amazon S3',
    operationFor(route) {
      if (route.method !== 'GET') return undefined;
      if (route.bucket === undefined) return 'ListBuckets';
      if (route.key !== undefined) return undefined;
      return subresourceOperation(route);
    },
    claimsUnsigned(route) {
      if (route.virtualHosted) return true;
      if (route.bucket === undefined)
        return (
          route.method === 'GET' &&
          (route.query.size === 0 || route.query.get('x-id') === 'ListBuckets' || route.query.has('max-buckets'))
        );
      return route.key === undefined && subresourceOperation(route) !== undefined;
    },
    operations: {
      ListBuckets: listBuckets,
      GetBucketLifecycleConfiguration: getBucketLifecycleConfiguration,
      GetBucketVersioning: getBucketVersioning,
      GetBucketLocation: getBucketLocation,
    },
    errorStatus: { AccessDenied: 403, SlowDown: 503, InternalError: 500, ServiceUnavailable: 503, NoSuchBucket: 404 },
  };
}
