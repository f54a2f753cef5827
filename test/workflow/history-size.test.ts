/**
 * The parent analysis's history stays small whatever the account's size: reports and agents' results go
 * through the artefact store by reference (src/payload-references.ts), and every client still reads the
 * full report. A medium organisation through the real stack: Temporal dev server, simulator, worker.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ReportStore } from '../../src/activities/reports';
import { LocalFileStore } from '../../src/activities/store';
import { DEFAULT_INLINE_PAYLOAD_BYTES } from '../../src/payload-references';
import { analyseScenario } from '../agents/ground-truth';
import { historySize } from '../helpers/history';
import { startStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
const storeDir = mkdtempSync(join(tmpdir(), 'history-size-'));

before(async () => {
  stack = await startStack({ size: 'medium', seed: 3, memberRoles: true, storeDir });
});
after(async () => {
  await stack?.close();
});

test('a medium organisation: the parent history stays under 64 KB, no payload in it exceeds the inline limit, the report arrives whole', async () => {
  const { report, analysisId } = await analyseScenario(stack, ['ec2', 'rds', 'trusted-advisor', 's3', 'tagging', 'forecasting'], 'history');
  const size = await historySize(stack.env.client, analysisId);
  const reportBytes = JSON.stringify(report).length;
  // The decoy: the report alone is larger than the inline limit, so it must have travelled by reference.
  assert.ok(reportBytes > DEFAULT_INLINE_PAYLOAD_BYTES, `report ${reportBytes} bytes`);
  assert.ok(size.largestPayloadBytes <= DEFAULT_INLINE_PAYLOAD_BYTES, `largest payload ${size.largestPayloadBytes} bytes`);
  assert.ok(size.bytes <= 64 * 1024, `history ${size.bytes} bytes in ${size.events} events`);
  // The client read the whole report back: findings, spend and the summary, as the report store keeps it.
  assert.equal(report.status, 'complete');
  assert.ok((report.findings?.items.length ?? 0) > 0);
  const stored = await new ReportStore(new LocalFileStore(storeDir), 0).get('history', analysisId);
  assert.deepEqual(stored?.report, report);
});
