/**
 * The protocol-neutral step every simulated AWS call passes through, whatever its wire protocol:
 * request counting, request quotas and fault injection (implemented once, in server.ts).
 */
import type { IncomingMessage } from 'node:http';

/** What every AWS call passes through before its handler: request counting and fault injection. */
export interface OperationCall {
  signingName: string;
  operation: string;
  input: unknown;
  /** SERVICE dimension values the request's filter mentions (for service-scoped faults). */
  mentionedServices: readonly string[];
  /** Status of an injected error code for this service. */
  statusFor(code: string): number;
  /** The HTTP request: its SigV4 scope names the region, its credentials the account (quotas are per account and region). */
  request?: IncomingMessage;
}

export interface OperationGate {
  /** Count a request for an operation (also when its body turns out to be malformed). */
  count(signingName: string, operation: string): void;
  /** Apply request quotas, then fault rules: may wait (latency) and may throw an AwsError (throttling first). */
  applyFaults(call: OperationCall): Promise<void>;
}
