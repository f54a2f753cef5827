/**
 * AWS Config (signing name `config`, awsJson1_1, X-Amz-Target StarlingDoveService.<Operation>) over a
 * scenario: SelectResourceConfig, the advanced query of the calling account's recorded configuration.
 *
 * As AWS serves it:
 * - Region-scoped: the configuration items of the account the request acts as, in the Region of its
 *   SigV4 scope. The simulator records S3 buckets only (resource type AWS::S3::Bucket), each in its own
 *   Region, except those marked `recordedByConfig: false` (recorder off in their Region, or created
 *   since the last recording). A query on another resource type matches nothing.
 * - Expression: the SQL subset of config-query.ts (SELECT ... [WHERE ... AND ...]); anything else is
 *   InvalidExpressionException. Missing, empty or longer than 4096 characters: ValidationException.
 * - Results: one JSON string per matching item holding only the selected properties, nested by their
 *   paths; QueryInfo.SelectFields names the select list as written. Items are in bucket-name order.
 * - Limit 0–100 (absent or 0: 25 per page; otherwise InvalidLimitException). NextToken continues; a
 *   token from another expression, account or Region is InvalidNextTokenException.
 *
 * A bucket's configuration item uses the property names of AWS's aws-config-resource-schema for
 * AWS::S3::Bucket; its lifecycle rules are in the Java-SDK shape Config records (-1: unset).
 */
import type { IncomingMessage } from 'node:http';
import { AwsError, constraintError } from '../errors';
import type { LifecycleRule, S3Bucket, ScenarioResources } from '../model';
import type { JsonObject, JsonServiceDefinition } from '../protocols/json';
import { ConfigQueryError, matchesQuery, parseConfigQuery, projectItem } from './config-query';
import {
  decodeToken,
  encodeToken,
  fingerprint,
  optionalInteger,
  optionalString,
  requestScope,
  type AccountResolver,
} from './json-input';

export const CONFIG_TARGET_PREFIX = 'StarlingDoveService';
export const CONFIG_SIGNING_NAME = 'config';
export const CONFIG_DEFAULT_LIMIT = 25;
export const CONFIG_MAX_LIMIT = 100;
export const CONFIG_MAX_EXPRESSION = 4096;

function lifecycleRuleItem(rule: LifecycleRule): JsonObject {
  return {
    id: rule.id ?? null,
    status: rule.status,
    filter: { predicate: { type: 'LifecyclePrefixPredicate', prefix: rule.prefix ?? '' } },
    expirationInDays: rule.expirationDays ?? -1,
    expiredObjectDeleteMarker: false,
    noncurrentVersionExpirationInDays: rule.noncurrentVersionExpirationDays ?? -1,
    transitions: rule.transitions?.length ? rule.transitions.map((t) => ({ days: t.days, storageClass: t.storageClass })) : null,
    noncurrentVersionTransitions: rule.noncurrentVersionTransitions?.length
      ? rule.noncurrentVersionTransitions.map((t) => ({ days: t.noncurrentDays, storageClass: t.storageClass }))
      : null,
    abortIncompleteMultipartUpload:
      rule.abortIncompleteMultipartUploadDays !== undefined
        ? { daysAfterInitiation: rule.abortIncompleteMultipartUploadDays }
        : null,
  };
}

/** The configuration item AWS Config records for a bucket, as advanced queries see it. */
export function bucketConfigurationItem(bucket: S3Bucket): JsonObject {
  const supplementary: JsonObject = {
    BucketVersioningConfiguration: { status: bucket.versioning ?? 'Off', isMfaDeleteEnabled: null },
  };
  if (bucket.lifecycleRules.length > 0)
    supplementary['BucketLifecycleConfiguration'] = { rules: bucket.lifecycleRules.map(lifecycleRuleItem) };
  return {
    accountId: bucket.account,
    awsRegion: bucket.region,
    resourceId: bucket.name,
    resourceName: bucket.name,
    resourceType: 'AWS::S3::Bucket',
    arn: `arn:aws:s3:::${bucket.name}`,
    availabilityZone: 'Regional',
    resourceCreationTime: bucket.creationDate,
    configurationItemStatus: 'OK',
    tags: Object.entries(bucket.tags).map(([key, value]) => ({ key, value })),
    configuration: { name: bucket.name, creationDate: bucket.creationDate },
    supplementaryConfiguration: supplementary,
  };
}

export function configService(resources: Pick<ScenarioResources, 'buckets'>, accountFor: AccountResolver): JsonServiceDefinition {
  // Resources do not change while the simulator runs: items are built once per account and Region.
  const recorded = new Map<string, JsonObject[]>();
  const itemsOf = (account: string, region: string): JsonObject[] => {
    const key = `${account}/${region}`;
    let items = recorded.get(key);
    if (!items) {
      items = resources.buckets
        .filter((b) => b.account === account && b.region === region && b.recordedByConfig !== false)
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map(bucketConfigurationItem);
      recorded.set(key, items);
    }
    return items;
  };

  const selectResourceConfig = (input: JsonObject, request: IncomingMessage | undefined) => {
    const expression = optionalString(input['Expression'], 'Expression');
    if (expression === undefined) throw constraintError('expression', undefined, 'Member must not be null');
    if (expression.length < 1 || expression.length > CONFIG_MAX_EXPRESSION)
      throw constraintError(
        'expression',
        expression.length > 64 ? `${expression.slice(0, 64)}...` : expression,
        `Member must have length between 1 and ${CONFIG_MAX_EXPRESSION}`,
      );
    const limitInput = optionalInteger(input['Limit'], 'Limit');
    if (limitInput !== undefined && (limitInput < 0 || limitInput > CONFIG_MAX_LIMIT))
      throw new AwsError(
        'InvalidLimitException',
        `The limit ${limitInput} is not valid: it must be between 0 and ${CONFIG_MAX_LIMIT}.`,
        400,
      );
    const limit = limitInput === undefined || limitInput === 0 ? CONFIG_DEFAULT_LIMIT : limitInput;

    let query;
    try {
      query = parseConfigQuery(expression);
    } catch (error) {
      if (error instanceof ConfigQueryError)
        throw new AwsError('InvalidExpressionException', `Invalid expression: ${error.message}`, 400);
      throw error;
    }

    const scope = requestScope(request, accountFor);
    const fp = fingerprint({ expression, account: scope.account, region: scope.region });
    const token = optionalString(input['NextToken'], 'NextToken');
    let offset = 0;
    if (token !== undefined && token !== '') {
      const payload = decodeToken(token);
      const o = payload?.['o'];
      if (!payload || payload['h'] !== fp || typeof o !== 'number' || !Number.isInteger(o) || o < 0)
        throw new AwsError('InvalidNextTokenException', 'The nextToken provided is invalid', 400);
      offset = o;
    }

    const matching = itemsOf(scope.account, scope.region).filter((item) => matchesQuery(item, query));
    const page = matching.slice(offset, offset + limit);
    return {
      Results: page.map((item) => JSON.stringify(projectItem(item, query.select))),
      QueryInfo: { SelectFields: query.select.map((name) => ({ Name: name })) },
      ...(offset + limit < matching.length ? { NextToken: encodeToken({ h: fp, o: offset + limit }) } : {}),
    };
  };

  return {
    targetPrefix: CONFIG_TARGET_PREFIX,
    signingName: CONFIG_SIGNING_NAME,
    title: 'AWS Config',
    jsonVersion: '1.1',
    operations: {
      SelectResourceConfig: (input, context) => selectResourceConfig(input, context.request),
    },
  };
}
