import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startAnalysis } from '../../src/client/analyses';
import { validateAnalysisRequest } from '../../src/domain/request';
import { SAMPLE_ACCOUNT, startStack, testNow } from '../helpers/stack';
test('dump', async () => {
  const stack = await startStack({ storeDir: mkdtempSync(join(tmpdir(), 'dump-')) });
  try {
    const v = validateAnalysisRequest({ tenant: 'ce', accounts: [SAMPLE_ACCOUNT], regions: stack.sim.scenario.regions }, testNow());
    if (!v.ok) throw new Error('x');
    await stack.withWorker(async () => {
      stack.sim.resetStats();
      const { analysisId } = await startAnalysis(stack.env.client, stack.taskQueue, v.request);
      const report = await stack.env.client.workflow.getHandle(analysisId).result();
      writeFileSync(process.env.DUMP_OUT ?? '/tmp/ce20/report.json', JSON.stringify({ report, stats: stack.sim.stats() }, null, 1));
    });
  } finally { await stack.close(); }
});
