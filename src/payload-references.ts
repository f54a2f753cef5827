/**
 * Large payloads by reference (the claim-check pattern): every payload bigger than the inline limit is
 * written to the artefact store (src/activities/store.ts, a folder or S3) and only a small reference goes
 * through Temporal: workflow results, activity inputs and results, child results. The history then grows
 * with the number of agents and steps, never with the account's resources, and no payload comes near
 * Temporal's 2 MB limit.
 *
 * Every process that reads or writes analysis payloads (worker, gateway, schedule client, tests) uses the
 * same codec over the same store, so `handle.result()` still returns the full report everywhere: the
 * reference is resolved on decode. Payloads at or under the limit stay inline, so older histories, small
 * results and replays read as before.
 */
import { createHash } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { ENV } from './config';
import { storeFromEnv, type ArtefactStore } from './activities/store';

/** Payloads larger than this (bytes) go by reference: the progress and small summaries stay inline. */
export const DEFAULT_INLINE_PAYLOAD_BYTES = 16 * 1024;

/** The metadata encoding that marks a reference (the original payload's own encoding is kept in the store). */
export const REFERENCE_ENCODING = 'json/finops-store-reference';

/** What the history carries instead of a large payload. */
export interface PayloadReference {
  /** Store key: the content's SHA-256, so a retried write and identical payloads share one object. */
  key: string;
  /** The original payload's size in bytes. */
  bytes: number;
}

/** A payload as kept in the store: its metadata and data, base64. */
interface StoredPayload {
  metadata: Record<string, string>;
  data: string;
}

const text = new TextEncoder();
const utf8 = new TextDecoder();

export class StorePayloadCodec implements PayloadCodec {
  constructor(
    private readonly store: ArtefactStore,
    readonly inlineBytes: number = DEFAULT_INLINE_PAYLOAD_BYTES,
  ) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((p) => this.encodeOne(p)));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((p) => this.decodeOne(p)));
  }

  private async encodeOne(payload: Payload): Promise<Payload> {
    const bytes = payload.data?.length ?? 0;
    if (bytes <= this.inlineBytes) return payload;
    const stored: StoredPayload = {
      metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      data: Buffer.from(payload.data!).toString('base64'),
    };
    const digest = createHash('sha256').update(stored.data).update(JSON.stringify(stored.metadata)).digest('hex');
    const reference: PayloadReference = { key: `payloads/${digest.slice(0, 2)}/${digest}.json`, bytes };
    // Written every time, even when the object exists: the write renews its last-modified time, which the
    // store's retention sweep reads as "a history referred to this then" (src/domain/retention.ts). Skipping
    // the write for an existing object would let a payload still referenced by a new history expire.
    await this.store.putJson(reference.key, stored);
    return { metadata: { encoding: text.encode(REFERENCE_ENCODING) }, data: text.encode(JSON.stringify(reference)) };
  }

  private async decodeOne(payload: Payload): Promise<Payload> {
    const encoding = payload.metadata?.encoding;
    if (!encoding || utf8.decode(encoding) !== REFERENCE_ENCODING) return payload;
    const reference = JSON.parse(utf8.decode(payload.data ?? new Uint8Array())) as PayloadReference;
    const stored = await this.store.getJson<StoredPayload>(reference.key);
    if (!stored) throw new Error(`payload ${reference.key} (${reference.bytes} bytes) is not in the artefact store`);
    return {
      metadata: Object.fromEntries(Object.entries(stored.metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
      data: new Uint8Array(Buffer.from(stored.data, 'base64')),
    };
  }
}

/** The store key a payload refers to, or undefined when it is not a reference (an inline payload). */
export function referencedKey(payload: Payload): string | undefined {
  const encoding = payload.metadata?.encoding;
  if (!encoding || utf8.decode(encoding) !== REFERENCE_ENCODING) return undefined;
  try {
    const reference = JSON.parse(utf8.decode(payload.data ?? new Uint8Array())) as Partial<PayloadReference>;
    return typeof reference.key === 'string' ? reference.key : undefined;
  } catch {
    return undefined;
  }
}

/** The inline limit from FINOPS_PAYLOAD_INLINE_BYTES (default 16 KiB); bad values are a clear error. */
export function inlinePayloadBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[ENV.payloadInlineBytes];
  if (raw === undefined || raw === '') return DEFAULT_INLINE_PAYLOAD_BYTES;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1024) {
    throw new Error(`${ENV.payloadInlineBytes} must be a whole number of bytes, 1024 or more (got ${JSON.stringify(raw)})`);
  }
  return value;
}

/** The data converter every client and worker of the service uses: the default converter, large payloads by reference. */
export function payloadReferenceConverter(store: ArtefactStore = storeFromEnv(), inlineBytes = inlinePayloadBytes()): DataConverter {
  return { payloadCodecs: [new StorePayloadCodec(store, inlineBytes)] };
}
