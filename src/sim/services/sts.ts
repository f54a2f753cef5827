/**
 * AWS STS (awsQuery, Version 2011-06-15): AssumeRole and GetCallerIdentity, so an organisation of
 * several accounts can be served from one simulator.
 *
 * AssumeRole succeeds when RoleArn (`arn:aws:iam::<account>:role/<name>`) names an account of the
 * scenario and that account's `roleName`, and ExternalId equals the account's `externalId` when it
 * has one. Anything else is AccessDenied (403) in AWS's words: "User: <caller ARN> is not
 * authorized to perform: sts:AssumeRole on resource: <RoleArn>" — AWS does not say whether the role
 * exists. Input is validated as STS does (ValidationError "1 validation error detected: ...").
 *
 * Access keys and accounts. Issued access key IDs have AWS's length (20) and temporary-key prefix:
 *
 *   ASIA <12-digit account ID> <4 random characters of A-Z2-7>      e.g. ASIA222222222222KQ7D
 *
 * so the account a key acts as is readable from the key itself (`accountOfAccessKeyId`), even after
 * a simulator restart. Keys issued by this process are also remembered with their role, session
 * and expiry (`lookupIssuedKey`). `accountForAccessKey` is the rule the simulator applies: an
 * issued or well-formed temporary key acts as its account when the scenario has it; anything else
 * (the long-term keys of the caller, "AKIA…", dummy keys) acts as the first (management) account.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AwsError } from '../errors';
import type { ScenarioResources, SimAccount } from '../model';
import type { QueryCallContext, QueryInput, QueryServiceDefinition } from '../protocols/query';
import { xmlTimestamp, type XmlNode } from '../protocols/xml';

export const STS_VERSION = '2011-06-15';
export const STS_NAMESPACE = `https://sts.amazonaws.com/doc/${STS_VERSION}/`;

/** The IAM user the management account's long-term keys belong to (as errors.ts names it). */
export const DEFAULT_CALLER_USER = 'finops-analyst';
/** Roles in the sample account have IAM's default MaxSessionDuration. */
export const ROLE_MAX_SESSION_SECONDS = 3600;
/** Role chaining (assuming a role with role credentials) is limited to one hour. */
export const ROLE_CHAINING_MAX_SECONDS = 3600;

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  /** The account the credentials act as. */
  account: string;
  roleName: string;
  roleArn: string;
  sessionName: string;
  /** "AROA…:<session>" */
  assumedRoleId: string;
  /** "arn:aws:sts::<account>:assumed-role/<role>/<session>" */
  assumedRoleArn: string;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const ISSUED_KEY = /^ASIA(\d{12})[A-Z2-7]{4}$/;
const MAX_REMEMBERED = 100_000;

/** Keys issued by AssumeRole in this process (oldest forgotten first beyond MAX_REMEMBERED). */
const issued = new Map<string, IssuedCredentials>();

function base32(bytes: Buffer, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += BASE32[(bytes[i % bytes.length] as number) % 32];
  return out;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The credentials AssumeRole issued for this access key ID, if this process issued it. */
export function lookupIssuedKey(accessKeyId: string): IssuedCredentials | undefined {
  return issued.get(accessKeyId);
}

/** The account encoded in a temporary access key ID issued by the simulator ("ASIA" + account + 4), if it is one. */
export function accountOfAccessKeyId(accessKeyId: string): string | undefined {
  return ISSUED_KEY.exec(accessKeyId)?.[1];
}

/**
 * The account a request signed with `accessKeyId` acts as: the account of an issued (or
 * well-formed temporary) key when the scenario has that account, else the first account.
 */
export function accountForAccessKey(resources: Pick<ScenarioResources, 'accounts'>, accessKeyId: string | undefined): string {
  const fallback = resources.accounts[0]?.id ?? '000000000000';
  if (!accessKeyId) return fallback;
  const account = lookupIssuedKey(accessKeyId)?.account ?? accountOfAccessKeyId(accessKeyId);
  return account !== undefined && resources.accounts.some((a) => a.id === account) ? account : fallback;
}

/** IAM's unique ID of a role ("AROA" + 17), stable per account and role name. */
export function roleUniqueId(account: string, roleName: string): string {
  return `AROA${base32(digest(`role/${account}/${roleName}`), 17)}`;
}

function userUniqueId(account: string): string {
  return `AIDA${base32(digest(`user/${account}/${DEFAULT_CALLER_USER}`), 17)}`;
}

interface Caller {
  arn: string;
  userId: string;
  account: string;
  /** Calling with role credentials (role chaining). */
  assumedRole: boolean;
}

function callerOf(context: QueryCallContext): Caller {
  const credentials = context.accessKeyId === undefined ? undefined : lookupIssuedKey(context.accessKeyId);
  if (credentials) {
    return {
      arn: credentials.assumedRoleArn,
      userId: credentials.assumedRoleId,
      account: credentials.account,
      assumedRole: true,
    };
  }
  return {
    arn: `arn:aws:iam::${context.account}:user/${DEFAULT_CALLER_USER}`,
    userId: userUniqueId(context.account),
    account: context.account,
    assumedRole: false,
  };
}

// ---------------------------------------------------------------------------------------------
// Validation, in STS's words
// ---------------------------------------------------------------------------------------------

function constraint(member: string, value: string | undefined, text: string): AwsError {
  const shown = value === undefined ? 'null' : `'${value}'`;
  return new AwsError(
    'ValidationError',
    `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${text}`,
  );
}

function requiredString(
  input: QueryInput,
  name: string,
  member: string,
  min: number,
  max: number,
  pattern?: RegExp,
  patternText?: string,
): string {
  const value = input.string(name);
  if (value === undefined) throw constraint(member, value, 'Member must not be null');
  if (value.length < min) throw constraint(member, value, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw constraint(member, value, `Member must have length less than or equal to ${max}`);
  if (pattern && !pattern.test(value))
    throw constraint(member, value, `Member must satisfy regular expression pattern: ${patternText}`);
  return value;
}

function optionalString(
  input: QueryInput,
  name: string,
  member: string,
  min: number,
  max: number,
  pattern: RegExp,
  patternText: string,
): string | undefined {
  return input.has(name) ? requiredString(input, name, member, min, max, pattern, patternText) : undefined;
}

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\u0021-\u007E]*\/)?([\w+=,.@-]{1,64})$/;

// ---------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------

export function stsService(resources: ScenarioResources): QueryServiceDefinition {
  const accounts = new Map<string, SimAccount>(resources.accounts.map((a) => [a.id, a]));

  const assumeRole = (input: QueryInput, context: QueryCallContext): XmlNode => {
    const roleArn = requiredString(input, 'RoleArn', 'roleArn', 20, 2048);
    const sessionName = requiredString(input, 'RoleSessionName', 'roleSessionName', 2, 64, /^[\w+=,.@-]*$/, '[\\w+=,.@-]*');
    const externalId = optionalString(input, 'ExternalId', 'externalId', 2, 1224, /^[\w+=,.@:/-]*$/, '[\\w+=,.@:\\/-]*');
    const rawDuration = input.string('DurationSeconds');
    let duration = ROLE_MAX_SESSION_SECONDS;
    if (rawDuration !== undefined) {
      duration = Number(rawDuration);
      if (!/^\d+$/.test(rawDuration)) throw constraint('durationSeconds', rawDuration, 'Member must be an integer');
      if (duration < 900) throw constraint('durationSeconds', rawDuration, 'Member must have value greater than or equal to 900');
      if (duration > 43200)
        throw constraint('durationSeconds', rawDuration, 'Member must have value less than or equal to 43200');
    }
    const sourceIdentity = optionalString(input, 'SourceIdentity', 'sourceIdentity', 2, 64, /^[\w+=,.@-]*$/, '[\\w+=,.@-]*');
    const policy = input.string('Policy');

    const caller = callerOf(context);
    const match = ROLE_ARN.exec(roleArn);
    if (!match) throw new AwsError('ValidationError', `${roleArn} is invalid`);
    const [, accountId, roleName] = match as unknown as [string, string, string];
    const account = accounts.get(accountId);
    const trusted =
      account !== undefined &&
      account.roleName !== undefined &&
      account.roleName === roleName &&
      (account.externalId === undefined || account.externalId === externalId);
    if (!trusted) {
      throw new AwsError(
        'AccessDenied',
        `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    }
    if (caller.assumedRole && duration > ROLE_CHAINING_MAX_SECONDS) {
      throw new AwsError(
        'ValidationError',
        'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
      );
    }
    if (duration > ROLE_MAX_SESSION_SECONDS) {
      throw new AwsError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    }

    const credentials: IssuedCredentials = {
      accessKeyId: `ASIA${accountId}${base32(randomBytes(4), 4)}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(240).toString('base64'),
      // Real wall-clock time: SDK credential providers compare it with their own clock.
      expiration: new Date(Math.floor(Date.now() / 1000 + duration) * 1000),
      account: accountId,
      roleName,
      roleArn,
      sessionName,
      assumedRoleId: `${roleUniqueId(accountId, roleName)}:${sessionName}`,
      assumedRoleArn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
    };
    issued.set(credentials.accessKeyId, credentials);
    if (issued.size > MAX_REMEMBERED) {
      const oldest = issued.keys().next().value;
      if (oldest !== undefined) issued.delete(oldest);
    }
    return {
      Credentials: {
        AccessKeyId: credentials.accessKeyId,
        SecretAccessKey: credentials.secretAccessKey,
        SessionToken: credentials.sessionToken,
        Expiration: xmlTimestamp(credentials.expiration),
      },
      AssumedRoleUser: { AssumedRoleId: credentials.assumedRoleId, Arn: credentials.assumedRoleArn },
      PackedPolicySize: policy === undefined ? undefined : Math.min(100, Math.ceil(policy.length / 20)),
      SourceIdentity: sourceIdentity,
    };
  };

  const getCallerIdentity = (_input: QueryInput, context: QueryCallContext): XmlNode => {
    const caller = callerOf(context);
    return { UserId: caller.userId, Account: caller.account, Arn: caller.arn };
  };

  return {
    flavor: 'awsQuery',
    signingName: 'sts',
    title: 'AWS STS',
    serviceName: 'AWSSecurityTokenServiceV20110615',
    version: STS_VERSION,
    xmlNamespace: STS_NAMESPACE,
    operations: { AssumeRole: assumeRole, GetCallerIdentity: getCallerIdentity },
    errorStatus: { AccessDenied: 403, ValidationError: 400, ExpiredToken: 400, RegionDisabledException: 403 },
  };
}
