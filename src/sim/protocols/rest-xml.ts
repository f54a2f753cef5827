/**
 * The REST-XML protocol as Amazon S3 speaks it: the operation is named by the HTTP method, the
 * path (`/` or `/{bucket}` or `/{bucket}/{key}`) and a sub-resource in the query string
 * (`?lifecycle`, `?versioning`, `?location`); answers are XML documents in the namespace
 * http://s3.amazonaws.com/doc/2006-03-01/ with headers x-amz-request-id and x-amz-id-2; errors are
 *
 *   <Error><Code>NoSuchBucket</Code><Message>…</Message><BucketName>…</BucketName><RequestId>…</RequestId><HostId>…</HostId></Error>
 *
 * Requests are path-style (`http://sim/{bucket}?lifecycle`, the SDK's forcePathStyle) or
 * virtual-hosted-style (`Host: {bucket}.s3.{region}.amazonaws.com`, or any `{bucket}.s3.<...>` host
 * that resolves to the simulator). A request is S3's when its SigV4 signing name is `s3`; unsigned
 * requests are S3's when they look like a served S3 operation (GET /, a bucket sub-resource, or a
 * virtual-hosted bucket host). Every operation passes the gate (request counting, fault injection).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, defaultStatus } from '../errors';
import type { OperationGate } from './gate';
import { headerValue, send } from './http';
import { signingScope } from './sigv4';
import { xmlDocument, type XmlNode } from './xml';

/** A request's S3 addressing. */
export interface RestXmlRoute {
  method: string;
  /** Bucket from the path (path-style) or the Host (virtual-hosted-style). */
  bucket?: string;
  /** Object key, when the path names one. */
  key?: string;
  query: URLSearchParams;
  virtualHosted: boolean;
  /** Host header as sent. */
  host: string;
  /** SigV4 scope region; undefined for unsigned requests. */
  signingRegion?: string;
  accessKeyId?: string;
}

export interface RestXmlCallContext {
  requestId: string;
  operation: string;
  /** The account the request acts as. */
  account: string;
  header(name: string): string | undefined;
}

export interface RestXmlResult {
  status?: number;
  headers?: Record<string, string>;
  /** A complete XML document (see xml.ts). */
  body?: string;
}

export type RestXmlOperationHandler = (route: RestXmlRoute, context: RestXmlCallContext) => RestXmlResult;

export interface RestXmlServiceDefinition {
  signingName: string;
  title: string;
  /** The operation a request names, or undefined when the simulator does not serve it. */
  operationFor(route: RestXmlRoute): string | undefined;
  /** Is this unsigned request plausibly for this service (so it is answered in S3's format)? */
  claimsUnsigned(route: RestXmlRoute): boolean;
  operations: Readonly<Record<string, RestXmlOperationHandler>>;
  errorStatus?: Readonly<Record<string, number>>;
}

/** An S3 error with the extra elements S3 puts in its error document (BucketName, ArgumentName, ...). */
export class RestXmlError extends AwsError {
  constructor(
    code: string,
    message: string,
    status: number,
    readonly fields: Readonly<Record<string, string>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(code, message, status);
  }
}

export interface RestXmlProtocolOptions {
  accountFor(req: IncomingMessage): string;
}

/** S3's request IDs are 16 upper-case hex characters; x-amz-id-2 ("HostId") is an opaque base64 string. */
function s3RequestIds(requestId: string): { requestId: string; hostId: string } {
  const hex = requestId.replaceAll('-', '').toUpperCase();
  const hostId = createHash('sha256').update(`host/${requestId}`).digest('base64');
  return { requestId: hex.slice(0, 16), hostId };
}

/** The bucket in a virtual-hosted-style Host header ("photos.s3.us-east-1.amazonaws.com" → "photos"). */
export function bucketFromHost(host: string): string | undefined {
  const hostname = host.replace(/:\d+$/, '').toLowerCase();
  const match = /^(.+?)\.s3(?:[.-][a-z0-9.-]*)?$/.exec(hostname);
  return match?.[1];
}

export class RestXmlProtocol {
  constructor(
    private readonly service: RestXmlServiceDefinition,
    private readonly gate: OperationGate,
    private readonly options: RestXmlProtocolOptions,
  ) {}

  operationKeys(): string[] {
    return Object.keys(this.service.operations).map((op) => `${this.service.signingName}:${op}`);
  }

  /** The request's S3 route when it is for this service, else undefined. */
  route(req: IncomingMessage): RestXmlRoute | undefined {
    const scope = signingScope(req);
    if (scope && scope.service !== this.service.signingName) return undefined;
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const rawPath = queryStart < 0 ? url : url.slice(0, queryStart);
    const query = new URLSearchParams(queryStart < 0 ? '' : url.slice(queryStart + 1));
    const host = headerValue(req, 'host') ?? '';
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      path = rawPath;
    }
    const hostBucket = bucketFromHost(host);
    const route: RestXmlRoute = { method: req.method ?? 'GET', query, virtualHosted: hostBucket !== undefined, host };
    if (scope) {
      route.signingRegion = scope.region;
      route.accessKeyId = scope.accessKeyId;
    }
    const trimmed = path.replace(/^\/+/, '');
    if (hostBucket !== undefined) {
      route.bucket = hostBucket;
      if (trimmed !== '') route.key = trimmed;
    } else if (trimmed !== '') {
      const slash = trimmed.indexOf('/');
      route.bucket = slash < 0 ? trimmed : trimmed.slice(0, slash);
      const key = slash < 0 ? '' : trimmed.slice(slash + 1);
      if (key !== '') route.key = key;
    }
    if (!scope && !this.service.claimsUnsigned(route)) return undefined;
    return route;
  }

  async handle(req: IncomingMessage, route: RestXmlRoute, res: ServerResponse, requestId: string): Promise<void> {
    const ids = s3RequestIds(requestId);
    const baseHeaders = { 'x-amz-request-id': ids.requestId, 'x-amz-id-2': ids.hostId };
    try {
      const operation = this.service.operationFor(route);
      const handler =
        operation !== undefined && Object.hasOwn(this.service.operations, operation)
          ? this.service.operations[operation]
          : undefined;
      if (operation === undefined || !handler) {
        throw new RestXmlError(
          'NotImplemented',
          `A header you provided implies functionality that is not implemented. (The sample AWS account serves ${Object.keys(this.service.operations).join(', ')}; not ${route.method} ${route.bucket === undefined ? '/' : `/${route.bucket}`}${route.key === undefined ? '' : '/…'}${route.query.size > 0 ? `?${[...route.query.keys()].join('&')}` : ''}.)`,
          501,
        );
      }
      this.gate.count(this.service.signingName, operation);
      await this.gate.applyFaults({
        signingName: this.service.signingName,
        operation,
        input: { Bucket: route.bucket, ...Object.fromEntries(route.query) },
        mentionedServices: [],
        statusFor: (code) => this.service.errorStatus?.[code] ?? defaultStatus(code),
        request: req,
      });
      const result = handler(route, {
        requestId: ids.requestId,
        operation,
        account: this.options.accountFor(req),
        header: (name) => headerValue(req, name),
      });
      const body = route.method === 'HEAD' ? '' : (result.body ?? '');
      send(res, result.status ?? 200, { 'Content-Type': 'application/xml', ...baseHeaders, ...result.headers }, body);
    } catch (error) {
      this.writeError(res, error, route, ids, baseHeaders);
    }
  }

  private writeError(
    res: ServerResponse,
    error: unknown,
    route: RestXmlRoute,
    ids: { requestId: string; hostId: string },
    baseHeaders: Record<string, string>,
  ): void {
    let awsError: AwsError;
    if (error instanceof AwsError) {
      awsError = error;
    } else {
      console.error('[sim] unexpected error while handling an S3 request:', error);
      awsError = new AwsError('InternalError', 'We encountered an internal error. Please try again.', 500);
    }
    const fields = error instanceof RestXmlError ? error.fields : {};
    const extraHeaders = error instanceof RestXmlError ? error.headers : {};
    const status = awsError.options.injected ? awsError.status : (this.service.errorStatus?.[awsError.code] ?? awsError.status);
    const document: XmlNode = {
      Code: awsError.code,
      Message: awsError.message,
      ...fields,
      RequestId: ids.requestId,
      HostId: ids.hostId,
    };
    const headers: Record<string, string> = { 'Content-Type': 'application/xml', ...baseHeaders, ...extraHeaders };
    if (awsError.options.injected) headers['x-finops-sim-fault'] = 'injected';
    send(res, status, headers, route.method === 'HEAD' ? '' : xmlDocument('Error', document));
  }
}
