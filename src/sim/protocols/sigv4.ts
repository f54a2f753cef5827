/**
 * The parts of an AWS Signature Version 4 request the simulator reads: the credential scope
 * (access key, date, region, service) from the Authorization header
 *
 *   Authorization: AWS4-HMAC-SHA256 Credential=AKID/20261121/us-east-1/ec2/aws4_request, SignedHeaders=..., Signature=...
 *
 * or, for presigned URLs, from the X-Amz-Credential query parameter. Signatures are not verified.
 */
import type { IncomingMessage } from 'node:http';
import { headerValue } from './http';

export interface SigningScope {
  accessKeyId: string;
  /** YYYYMMDD */
  date: string;
  region: string;
  /** Signing name, e.g. "ec2", "rds", "sts", "s3", "monitoring". */
  service: string;
}

const CREDENTIAL = /Credential=([^,\s]+)/;

function parseCredential(credential: string): SigningScope | undefined {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request') return undefined;
  const [accessKeyId, date, region, service] = parts as [string, string, string, string];
  if (!accessKeyId || !region || !service) return undefined;
  return { accessKeyId, date, region, service };
}

/** The SigV4 credential scope of a request, or undefined when it is unsigned (or signed otherwise). */
export function signingScope(req: IncomingMessage): SigningScope | undefined {
  const authorization = headerValue(req, 'authorization');
  if (authorization?.startsWith('AWS4-')) {
    const match = CREDENTIAL.exec(authorization);
    return match?.[1] ? parseCredential(match[1]) : undefined;
  }
  const query = (req.url ?? '').split('?')[1];
  if (query === undefined) return undefined;
  const credential = new URLSearchParams(query).get('X-Amz-Credential');
  return credential ? parseCredential(credential) : undefined;
}

/** The session token a request carries (temporary credentials), if any. */
export function securityToken(req: IncomingMessage): string | undefined {
  const header = headerValue(req, 'x-amz-security-token');
  if (header) return header;
  const query = (req.url ?? '').split('?')[1];
  return query === undefined ? undefined : (new URLSearchParams(query).get('X-Amz-Security-Token') ?? undefined);
}
