/**
 * Large payloads by reference: the codec keeps small payloads inline, moves large ones to the store
 * behind a small reference, and gives back exactly what was encoded.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { defaultPayloadConverter } from '@temporalio/common';
import { LocalFileStore } from '../../src/activities/store';
import { inlinePayloadBytes, REFERENCE_ENCODING, StorePayloadCodec } from '../../src/payload-references';

const store = () => new LocalFileStore(mkdtempSync(join(tmpdir(), 'payload-refs-')));
const encodingOf = (p: { metadata?: Record<string, Uint8Array> | null }) => new TextDecoder().decode(p.metadata?.encoding);

test('a payload under the limit stays inline, one over it becomes a small reference, and both decode to what went in', async () => {
  const codec = new StorePayloadCodec(store(), 1024);
  const small = defaultPayloadConverter.toPayload({ status: 'complete' });
  const large = defaultPayloadConverter.toPayload({ findings: Array.from({ length: 200 }, (_, i) => ({ id: `i-${i}`, savings: '12.50' })) });
  const [keptSmall, referenced] = await codec.encode([small, large]);
  assert.equal(keptSmall, small);
  assert.equal(encodingOf(referenced!), REFERENCE_ENCODING);
  assert.ok(referenced!.data!.length < 200, `the reference is ${referenced!.data!.length} bytes`);
  const [decodedSmall, decodedLarge] = await codec.decode([keptSmall, referenced!]);
  assert.deepEqual(defaultPayloadConverter.fromPayload(decodedSmall!), { status: 'complete' });
  assert.deepEqual(defaultPayloadConverter.fromPayload(decodedLarge!), defaultPayloadConverter.fromPayload(large));
});

test('any value round-trips through the codec, whatever its size', async () => {
  const codec = new StorePayloadCodec(store(), 1024);
  await fc.assert(
    fc.asyncProperty(fc.jsonValue(), async (value) => {
      const payload = defaultPayloadConverter.toPayload(value);
      const [encoded] = await codec.encode([payload]);
      assert.ok(encoded!.data!.length <= 1024 || encodingOf(encoded!) === REFERENCE_ENCODING);
      const [decoded] = await codec.decode([encoded!]);
      assert.deepEqual(defaultPayloadConverter.fromPayload(decoded!), defaultPayloadConverter.fromPayload(payload));
    }),
    { numRuns: 60 },
  );
});

test('identical large payloads share one stored object; a reference to a missing object is a clear error', async () => {
  const codec = new StorePayloadCodec(store(), 1024);
  const large = defaultPayloadConverter.toPayload('x'.repeat(5000));
  const [a, b] = await codec.encode([large, large]);
  assert.deepEqual(a!.data, b!.data);
  const elsewhere = new StorePayloadCodec(store(), 1024);
  await assert.rejects(elsewhere.decode([a!]), /is not in the artefact store/);
});

test('the inline limit comes from FINOPS_PAYLOAD_INLINE_BYTES, and a bad value is refused by name', () => {
  assert.equal(inlinePayloadBytes({}), 16 * 1024);
  assert.equal(inlinePayloadBytes({ FINOPS_PAYLOAD_INLINE_BYTES: '65536' }), 65536);
  for (const bad of ['12', 'lots', '2.5', '-4096']) {
    assert.throws(() => inlinePayloadBytes({ FINOPS_PAYLOAD_INLINE_BYTES: bad }), /FINOPS_PAYLOAD_INLINE_BYTES/);
  }
});
