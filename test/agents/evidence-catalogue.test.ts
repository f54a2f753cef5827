/**
 * Every evidence key the checks emit on the sample account (the full stored list, every agent, Trusted
 * Advisor and the merge included) has a label and a unit in the evidence catalogue (src/domain/evidence.ts),
 * and renders as a labelled field: a new key without an entry fails here, not in front of a reader.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { evidenceFields, evidenceSpec } from '../../src/domain/evidence';
import { startStack, type TestStack } from '../helpers/stack';
import { analyseScenario, storedFindings } from './ground-truth';

let stack: TestStack;
const storeDir = mkdtempSync(join(tmpdir(), 'finops-evidence-'));

before(async () => {
  stack = await startStack({ storeDir, seed: 42 });
});
after(async () => {
  await stack?.close();
});

test('the sample account: every evidence key the checks emit is catalogued, with a label and a unit', async () => {
  const { report } = await analyseScenario(stack, ['ec2', 'rds', 's3', 'tagging', 'trusted-advisor']);
  const findings = storedFindings(storeDir, report);
  assert.ok(findings.length > 20, `the sample account has findings (${findings.length})`);
  const keys = new Map<string, string>();
  for (const f of findings) for (const key of Object.keys(f.evidence)) keys.set(`${f.check} ${key}`, key);
  const missing = [...keys].filter(([where, key]) => !evidenceSpec(key, where.split(' ')[0])).map(([where]) => where);
  assert.deepEqual(missing, [], 'evidence keys without a catalogue entry');
  console.log(`  ${keys.size} check/key pairs over ${new Set(findings.map((f) => f.check)).size} checks, all catalogued`);
  for (const f of findings) {
    for (const field of evidenceFields(f.evidence, f.check)) {
      assert.ok(field.known && field.label && field.text, `${f.check} ${field.key} renders as a labelled field`);
    }
  }
});
