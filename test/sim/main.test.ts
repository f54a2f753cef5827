/** The simulator process: startup line, port conflicts, signals. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { once } from 'node:events';

const ROOT = join(__dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'sim', 'main.ts');

function startMain(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function collect(child: ChildProcess): { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { out: () => out, err: () => err };
}

async function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

async function waitFor(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('prints where it listens, serves, and exits 0 on SIGTERM', async () => {
  const child = startMain(['--port', '0', '--anchor', '2025-06-15', '--seed', '7']);
  const output = collect(child);
  try {
    await waitFor(() => output.out().includes('\n'));
    const line = output.out().trim();
    const match =
      /^Sample AWS account listening on (http:\/\/127\.0\.0\.1:\d+) \(account 123456789012, regions us-east-1, eu-west-1\)$/.exec(
        line,
      );
    assert.ok(match, line);
    const health = (await (await fetch(`${match[1]}/__sim/health`)).json()) as Record<string, unknown>;
    assert.equal(health['seed'], 7);
    assert.equal(health['anchorDate'], '2025-06-15');
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exitOf(child), 0);
  assert.equal(output.err(), '');
});

test('a taken port is a one-line message and exit code 1', async () => {
  const blocker = createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  const port = (blocker.address() as { port: number }).port;
  try {
    const child = startMain([], { FINOPS_SIM_PORT: String(port), FINOPS_SIM_HOST: '127.0.0.1' });
    const output = collect(child);
    assert.equal(await exitOf(child), 1);
    assert.equal(output.err().trim(), `port ${port} is in use; set FINOPS_SIM_PORT (or --port) to a free port`);
    assert.doesNotMatch(output.err(), /\n\s+at /, 'no stack trace');
  } finally {
    blocker.close();
  }
});

test('bad settings are reported without a stack trace', async () => {
  const child = startMain([], { FINOPS_SIM_PORT: 'many', FINOPS_SIM_SEED: '1' });
  const output = collect(child);
  assert.equal(await exitOf(child), 2);
  assert.match(output.err(), /FINOPS_SIM_PORT must be a port number/);
  assert.doesNotMatch(output.err(), /\n\s+at /);
});

test('--size and --ground-truth write the planted waste; a bad --scenario file is exit code 2 with its problems', async () => {
  const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'sim-main-'));
  const truthPath = join(dir, 'truth.json');
  const child = startMain(['--port', '0', '--anchor', '2025-06-15', '--size', 'medium', '--ground-truth', truthPath]);
  const output = collect(child);
  try {
    await waitFor(() => output.out().includes('\n'), 30_000);
    assert.match(output.out(), /account 111111111111, 222222222222, 333333333333/);
    const truth = JSON.parse(readFileSync(truthPath, 'utf8')) as { planted: unknown[]; totals: { monthlySavings: number } };
    assert.ok(truth.planted.length > 10 && truth.totals.monthlySavings > 0);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exitOf(child), 0);

  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'version: 1\nanchorDate: 2025-06-15\naccounts: [{ id: "1", name: x }]\n');
  const failing = startMain(['--port', '0', '--scenario', bad]);
  const failed = collect(failing);
  assert.equal(await exitOf(failing), 2);
  assert.match(failed.err(), /invalid scenario file:\n {2}- accounts\[0\]\.id: must be a 12-digit account ID/);
});
