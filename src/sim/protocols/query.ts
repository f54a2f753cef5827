/**
 * The AWS query protocols: form-encoded parameters (`Action=DescribeInstances&Version=2016-11-15&...`
 * in a POST body, or the same in a GET query string) answered with XML.
 *
 * Two flavours, as AWS has them:
 * - ec2Query (EC2):
 *     <DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>…</requestId>…</DescribeInstancesResponse>
 *   lists as <item>, errors (any status) as
 *     <Response><Errors><Error><Code>…</Code><Message>…</Message></Error></Errors><RequestID>…</RequestID></Response>
 * - awsQuery (RDS, STS, ...):
 *     <XResponse xmlns="…"><XResult>…</XResult><ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></XResponse>
 *   lists as <member> or the member's locationName, errors as
 *     <ErrorResponse xmlns="…"><Error><Type>Sender|Receiver</Type><Code>…</Code><Message>…</Message></Error><RequestId>…</RequestId></ErrorResponse>
 *
 * Which service a request is for: the signing name in its SigV4 credential scope
 * (`Credential=AKID/20261121/us-east-1/ec2/aws4_request`), whose region also selects the region
 * served. Unsigned requests are matched by their Version (each service has its own API version),
 * then by Action. Every operation passes the gate (request counting, fault injection).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, defaultStatus } from '../errors';
import type { OperationGate } from './gate';
import { headerValue, send } from './http';
import { signingScope } from './sigv4';
import { xmlDocument, type XmlNode } from './xml';

export type QueryFlavor = 'ec2' | 'awsQuery';

/** Where a query request acts: resolved once per request and handed to the operation. */
export interface QueryCallContext {
  requestId: string;
  signingName: string;
  operation: string;
  /** Region from the SigV4 credential scope (the default region for unsigned requests). */
  region: string;
  /** The account the request acts as (from its access key). */
  account: string;
  /** The request's access key ID, when signed. */
  accessKeyId?: string;
}

/** An operation: validated input in, the response's members out (the inside of <XResult>, or of <XResponse> for EC2). */
export type QueryOperationHandler = (input: QueryInput, context: QueryCallContext) => XmlNode;

export interface QueryServiceDefinition {
  flavor: QueryFlavor;
  /** Signing name: routes signed requests and names stats keys ("ec2:DescribeInstances"). */
  signingName: string;
  /** Human name for messages, e.g. "Amazon EC2". */
  title: string;
  /** AWS's internal service name, as its NoSuchVersion message spells it (AmazonEC2, AmazonRDS, ...). */
  serviceName: string;
  /** The API version served, e.g. "2016-11-15". */
  version: string;
  /** Namespace of responses (and of awsQuery error documents). */
  xmlNamespace: string;
  operations: Readonly<Record<string, QueryOperationHandler>>;
  /** Error statuses that differ from the defaults (errors.ts) for this service. */
  errorStatus?: Readonly<Record<string, number>>;
}

export interface QueryProtocolOptions {
  /** Which account a request acts as. */
  accountFor(req: IncomingMessage): string;
  /** Region for unsigned requests. Default us-east-1. */
  defaultRegion?: string;
}

/**
 * Read access to the request parameters, with the query protocols' list conventions:
 * `Name.1`, `Name.2`, ... for lists and `Name.1.Member` for lists of structures.
 */
export class QueryInput {
  constructor(private readonly params: ReadonlyMap<string, string>) {}

  /** Parameter names, in request order. */
  names(): string[] {
    return [...this.params.keys()];
  }

  has(name: string): boolean {
    return this.params.has(name);
  }

  string(name: string): string | undefined {
    return this.params.get(name);
  }

  /** Values of `name.1`, `name.2`, ... ordered by index. */
  list(name: string): string[] {
    return this.indexed(name)
      .filter(([, rest]) => rest === '')
      .map(([, , value]) => value);
  }

  /** Structures of `name.N.*`, ordered by N, each as its own input (`name.1.Key` is `Key` in the first). */
  members(name: string): QueryInput[] {
    const groups = new Map<number, Map<string, string>>();
    for (const [index, rest, value] of this.indexed(name)) {
      if (rest === '') continue;
      let group = groups.get(index);
      if (!group) groups.set(index, (group = new Map<string, string>()));
      group.set(rest.slice(1), value);
    }
    return [...groups.entries()].sort(([a], [b]) => a - b).map(([, group]) => new QueryInput(group));
  }

  /** Is `name` given as a list (`name.1`) or structure list, even an empty one (`name=`)? */
  mentions(name: string): boolean {
    if (this.params.has(name)) return true;
    for (const key of this.params.keys()) if (key.startsWith(`${name}.`)) return true;
    return false;
  }

  /** Entries `name.N<rest>` as [N, rest, value], sorted by N (rest is '' or starts with '.'). */
  private indexed(name: string): [number, string, string][] {
    const prefix = `${name}.`;
    const found: [number, string, string][] = [];
    for (const [key, value] of this.params) {
      if (!key.startsWith(prefix)) continue;
      const tail = key.slice(prefix.length);
      const match = /^(\d+)(\..+)?$/.exec(tail);
      if (!match) continue;
      found.push([Number(match[1]), match[2] ?? '', value]);
    }
    return found.sort((a, b) => a[0] - b[0]);
  }
}

/** A request matched to the query protocol. `service` is undefined when no served service fits. */
export interface QueryRoute {
  service: QueryServiceDefinition | undefined;
  input: QueryInput;
  region: string;
  accessKeyId?: string;
}

/** Parameters of the SigV4 presigned form and of old signature versions: never operation input. */
const SIGNATURE_PARAMS = new Set([
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
  'AWSAccessKeyId',
  'SignatureVersion',
  'SignatureMethod',
  'Signature',
  'Timestamp',
  'Expires',
  'SecurityToken',
]);

/** Parameter names the protocol itself uses, besides the signature ones. */
export const PROTOCOL_PARAMS: ReadonlySet<string> = new Set(['Action', 'Version', ...SIGNATURE_PARAMS]);

export class QueryProtocol {
  private readonly bySigningName = new Map<string, QueryServiceDefinition>();
  private readonly byVersion = new Map<string, QueryServiceDefinition>();
  private readonly defaultRegion: string;

  constructor(
    services: readonly QueryServiceDefinition[],
    private readonly gate: OperationGate,
    private readonly options: QueryProtocolOptions,
  ) {
    for (const service of services) {
      this.bySigningName.set(service.signingName, service);
      this.byVersion.set(service.version, service);
    }
    this.defaultRegion = options.defaultRegion ?? 'us-east-1';
  }

  /** "ec2:DescribeInstances" for every operation served. */
  operationKeys(): string[] {
    return [...this.bySigningName.values()].flatMap((s) => Object.keys(s.operations).map((op) => `${s.signingName}:${op}`));
  }

  /**
   * Is this a query-protocol request for one of our services? Signed requests are ours when their
   * signing name is; unsigned ones when they carry an Action. Returns undefined otherwise.
   */
  route(req: IncomingMessage, body: Buffer): QueryRoute | undefined {
    const scope = signingScope(req);
    if (scope) {
      const service = this.bySigningName.get(scope.service);
      if (!service) return undefined;
      return { service, input: readParams(req, body), region: scope.region, accessKeyId: scope.accessKeyId };
    }
    const input = readParams(req, body);
    const action = input.string('Action');
    if (action === undefined) return undefined;
    const version = input.string('Version');
    let service = version === undefined ? undefined : this.byVersion.get(version);
    if (!service) {
      const candidates = [...this.bySigningName.values()].filter((s) => Object.hasOwn(s.operations, action));
      service = candidates.length === 1 ? candidates[0] : undefined;
    }
    return { service, input, region: this.defaultRegion };
  }

  async handle(req: IncomingMessage, route: QueryRoute, res: ServerResponse, requestId: string): Promise<void> {
    try {
      const result = await this.dispatch(req, route, requestId);
      send(res, 200, this.headers(route.service, requestId), result);
    } catch (error) {
      writeQueryError(res, error, requestId, route.service);
    }
  }

  private async dispatch(req: IncomingMessage, route: QueryRoute, requestId: string): Promise<string> {
    const { service, input } = route;
    const action = input.string('Action');
    if (action === undefined || action === '') {
      throw new AwsError('MissingAction', 'The request must contain the parameter Action.');
    }
    if (!service) {
      throw new AwsError(
        'InvalidAction',
        `The action ${action} is not valid for this web service. (The sample AWS account serves query actions of ` +
          `${[...this.bySigningName.values()].map((s) => `${s.title} (${s.signingName}, Version=${s.version})`).join(', ')}.)`,
      );
    }
    const handler = Object.hasOwn(service.operations, action) ? service.operations[action] : undefined;
    if (!handler) {
      throw new AwsError(
        'InvalidAction',
        service.flavor === 'ec2'
          ? `The action ${action} is not valid for this web service.`
          : `Could not find operation ${action} for version ${input.string('Version') ?? service.version}`,
      );
    }
    this.gate.count(service.signingName, action);
    const version = input.string('Version');
    if (version === undefined || version === '') {
      throw new AwsError('MissingParameter', 'The request must contain the parameter Version.');
    }
    if (version !== service.version) {
      throw new AwsError('NoSuchVersion', `The requested version (${version}) of service ${service.serviceName} does not exist`);
    }
    await this.gate.applyFaults({
      signingName: service.signingName,
      operation: action,
      input: Object.fromEntries(input.names().map((name) => [name, input.string(name)])),
      mentionedServices: [],
      statusFor: (code) => statusFor(service, code),
      request: req,
    });
    const context: QueryCallContext = {
      requestId,
      signingName: service.signingName,
      operation: action,
      region: route.region,
      account: this.options.accountFor(req),
      ...(route.accessKeyId !== undefined ? { accessKeyId: route.accessKeyId } : {}),
    };
    const members = handler(input, context);
    if (service.flavor === 'ec2') {
      return xmlDocument(`${action}Response`, { requestId, ...members }, service.xmlNamespace);
    }
    return xmlDocument(
      `${action}Response`,
      { [`${action}Result`]: members, ResponseMetadata: { RequestId: requestId } },
      service.xmlNamespace,
    );
  }

  private headers(service: QueryServiceDefinition | undefined, requestId: string): Record<string, string> {
    return { 'Content-Type': contentType(service), 'x-amzn-RequestId': requestId };
  }
}

function statusFor(service: QueryServiceDefinition | undefined, code: string): number {
  return service?.errorStatus?.[code] ?? defaultStatus(code);
}

function contentType(service: QueryServiceDefinition | undefined): string {
  return service?.flavor === 'ec2' ? 'text/xml;charset=UTF-8' : 'text/xml';
}

/** Parameters from the query string and, for form posts, the body (body values win). */
function readParams(req: IncomingMessage, body: Buffer): QueryInput {
  const params = new Map<string, string>();
  const query = (req.url ?? '').split('?')[1];
  if (query !== undefined) for (const [key, value] of new URLSearchParams(query)) params.set(key, value);
  const type = headerValue(req, 'content-type') ?? '';
  if (body.length > 0 && (type === '' || type.startsWith('application/x-www-form-urlencoded'))) {
    for (const [key, value] of new URLSearchParams(body.toString('utf8'))) params.set(key, value);
  }
  for (const name of SIGNATURE_PARAMS) params.delete(name);
  return new QueryInput(params);
}

/** Encode an error as the service's flavour does (awsQuery without a namespace when no service matched). */
export function writeQueryError(
  res: ServerResponse,
  error: unknown,
  requestId: string,
  service: QueryServiceDefinition | undefined,
): void {
  let awsError: AwsError;
  if (error instanceof AwsError) {
    awsError = error;
  } else {
    console.error('[sim] unexpected error while handling a query request:', error);
    awsError =
      service?.flavor === 'ec2'
        ? new AwsError('InternalError', 'An internal error has occurred', 500)
        : new AwsError(
            'InternalFailure',
            'The request processing has failed because of an unknown error, exception or failure.',
            500,
          );
  }
  const status = awsError.options.injected ? awsError.status : (service?.errorStatus?.[awsError.code] ?? awsError.status);
  const body =
    service?.flavor === 'ec2'
      ? xmlDocument('Response', {
          Errors: { Error: { Code: awsError.code, Message: awsError.message } },
          RequestID: requestId,
        })
      : xmlDocument(
          'ErrorResponse',
          {
            Error: { Type: status >= 500 ? 'Receiver' : 'Sender', Code: awsError.code, Message: awsError.message },
            RequestId: requestId,
          },
          service?.xmlNamespace,
        );
  const headers: Record<string, string> = { 'Content-Type': contentType(service), 'x-amzn-RequestId': requestId };
  if (awsError.options.injected) headers['x-finops-sim-fault'] = 'injected';
  send(res, status, headers, body);
}
