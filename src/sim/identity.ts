/**
 * Which account of the scenario a request acts as, for every simulated service.
 *
 * The rule lives in the STS simulator (it issues the keys): a temporary access key issued by its
 * AssumeRole, or any well-formed "ASIA<12-digit account><4 chars>" key, acts as that account when
 * the scenario has it; anything else — long-term "AKIA…" keys, dummy test keys, unsigned requests —
 * acts as the first (management) account. This module only reads the key from the request (SigV4
 * Authorization header or presigned X-Amz-Credential), so services need not know about signing.
 */
import type { IncomingMessage } from 'node:http';
import type { ScenarioResources } from './model';
import { signingScope } from './protocols/sigv4';
import { accountForAccessKey } from './services/sts';

/** The access key ID a request was signed with, if it was signed with SigV4. */
export function accessKeyOfRequest(req: IncomingMessage | undefined): string | undefined {
  return req ? signingScope(req)?.accessKeyId : undefined;
}

/** The account ID the request acts as (default: the scenario's first account). */
export function accountForRequest(req: IncomingMessage | undefined, resources: Pick<ScenarioResources, 'accounts'>): string {
  return accountForAccessKey(resources, accessKeyOfRequest(req));
}
