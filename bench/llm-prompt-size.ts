/**
 * Prompt size of the executive summary as the account grows from a dozen to 10,000 resources, through
 * the real Bedrock client and the fake Bedrock (which counts input tokens as characters / 4, roughly what
 * Claude-family tokenisers give for JSON-heavy English). The prompt is built from bounded facts (top
 * services, top findings, totals), so it should level off; the "whole report" column is what dumping the
 * report would cost instead.
 *
 *   npx tsx bench/llm-prompt-size.ts
 */
import { deterministicSummary } from '../src/llm/deterministic-summary';
import { writeExecutiveSummary } from '../src/llm/summary';
import { fakeConverser, FakeBedrock } from '../test/fakes/bedrock';
import { sampleReport } from '../test/llm/sample-report';

const SIZES = [12, 50, 100, 500, 1_000, 2_000, 5_000, 10_000];

async function main(): Promise<void> {
  const fake = await FakeBedrock.start();
  try {
    const rows: string[][] = [['resources', 'prompt tokens', 'prompt bytes', 'whole-report tokens', 'source']];
    for (const resources of SIZES) {
      const report = sampleReport({ resources, forecast: true });
      fake.answer({ text: deterministicSummary(report) });
      const { summary, usage } = await writeExecutiveSummary(report, fakeConverser(fake));
      const sent = fake.requests[0]!;
      rows.push([
        resources.toLocaleString('en-US'),
        usage.inputTokens.toLocaleString('en-US'),
        Buffer.byteLength(JSON.stringify(sent.body)).toLocaleString('en-US'),
        Math.ceil(JSON.stringify(report).length / 4).toLocaleString('en-US'),
        summary.source,
      ]);
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const row of rows) console.log(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padStart(widths[i]!))).join('  '));
  } finally {
    await fake.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
