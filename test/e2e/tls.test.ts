/**
 * Temporal over TLS, for real: the dev server behind a TLS front that requires a client certificate (mTLS,
 * as Temporal Cloud and most TLS clusters do), a throwaway CA generated here, and the worker and gateway
 * processes configured only through the standard TEMPORAL_TLS_* variables. An analysis started through the
 * gateway runs on the worker, both over TLS. A missing or wrong CA, a missing client certificate and a
 * plaintext client are each refused at start-up with one line saying what to set.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { generateScenario } from '../../src/sim/scenario';
import { startSimulator, type RunningSimulator } from '../../src/sim/server';
import { startProcess, type Proc } from '../helpers/processes';
import { lastFullMonths, SAMPLE_ACCOUNT, TEST_TODAY } from '../helpers/stack';
import { startTemporal } from '../helpers/temporal';
import { certificateAuthority, startTlsFront, testPki, type TestPki, type TlsFront } from '../helpers/tls';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

let env: TestWorkflowEnvironment;
let sim: RunningSimulator;
let pki: TestPki;
let front: TlsFront;
let wrongCaFile: string;
const taskQueue = `tls-${process.pid}`;
const processes: Proc[] = [];

before(async () => {
  [env, sim, pki] = await Promise.all([
    startTemporal(),
    startSimulator({ port: 0, scenario: generateScenario({ seed: 3, anchorDate: TEST_TODAY }) }),
    testPki(),
  ]);
  front = await startTlsFront(pki, env.address, { requireClientCert: true });
  const wrongCa = await certificateAuthority('someone else’s CA');
  wrongCaFile = join(mkdtempSync(join(tmpdir(), 'finops-wrong-ca-')), 'ca.pem');
  writeFileSync(wrongCaFile, wrongCa.cert);
});

after(async () => {
  await Promise.allSettled(processes.map((p) => p.kill('SIGKILL')));
  await Promise.allSettled([front?.close(), env?.teardown(), sim?.close()]);
});

/** No user temporal.toml may leak in: the settings below are the whole configuration. */
const isolated = () => ({ TEMPORAL_CONFIG_FILE: '', HOME: mkdtempSync(join(tmpdir(), 'finops-home-')), XDG_CONFIG_HOME: '' });

function tlsEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ...isolated(),
    TEMPORAL_ADDRESS: front.address,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.files.ca,
    TEMPORAL_TLS_CLIENT_CERT_PATH: pki.files.clientCert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: pki.files.clientKey,
    FINOPS_TASK_QUEUE: taskQueue,
    ...overrides,
  };
}

function start(entry: 'src/worker/main.ts' | 'src/gateway/main.ts', vars: Record<string, string>): Proc {
  const proc = startProcess(entry, vars);
  processes.push(proc);
  return proc;
}

async function exitOf(proc: Proc): Promise<number | null> {
  if (proc.child.exitCode !== null) return proc.child.exitCode;
  return new Promise((resolve) => proc.child.once('exit', resolve));
}

test('the worker and the gateway connect over mTLS, and an analysis started through the gateway completes', async () => {
  const worker = start('src/worker/main.ts', {
    ...tlsEnv({ TEMPORAL_TLS_SERVER_NAME: 'localhost' }),
    AWS_ENDPOINT_URL: sim.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'sample',
    AWS_SECRET_ACCESS_KEY: 'sample',
  });
  const gateway = start('src/gateway/main.ts', { ...tlsEnv(), FINOPS_GATEWAY_HOST: '127.0.0.1', FINOPS_GATEWAY_PORT: '0', FINOPS_AUTH: 'none' });
  await worker.waitFor(/Worker running on task queue .* Temporal localhost:\d+ \(mTLS\)/, 120_000);
  await gateway.waitFor(/"msg":"gateway listening"/, 60_000);
  const listening = gateway
    .output()
    .split('\n')
    .find((line) => line.includes('"gateway listening"'))!;
  const { url, temporalSecurity } = JSON.parse(listening) as { url: string; temporalSecurity: string };
  assert.equal(temporalSecurity, 'mTLS');

  const started = await fetch(`${url}/api/analyses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: 'tls', accounts: [SAMPLE_ACCOUNT], agents: ['ec2'], period: lastFullMonths(1) }),
  });
  assert.equal(started.status, 202, await started.clone().text());
  const { analysisId } = (await started.json()) as { analysisId: string };

  let view: { status: string; report?: { status: string; analysisId: string } } | undefined;
  for (let i = 0; i < 240 && (!view || view.status === 'RUNNING'); i++) {
    if (view) await new Promise((r) => setTimeout(r, 500));
    view = (await (await fetch(`${url}/api/analyses/${encodeURIComponent(analysisId)}`)).json()) as typeof view;
  }
  assert.equal(view?.status, 'COMPLETED', JSON.stringify(view));
  assert.equal(view?.report?.analysisId, analysisId);
  assert.ok(view?.report && ['complete', 'partial'].includes(view.report.status));
  // The front saw only certified clients: nothing was refused on the way.
  assert.deepEqual(front.refusals, []);
});

test('a wrong CA, no CA, no client certificate and plaintext are refused at start-up with what to set', async () => {
  const cases: { name: string; entry: 'src/worker/main.ts' | 'src/gateway/main.ts'; vars: Record<string, string>; expected: RegExp }[] = [
    {
      name: 'worker, CA that did not sign the server certificate',
      entry: 'src/worker/main.ts',
      vars: tlsEnv({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: wrongCaFile }),
      expected: /worker: Cannot reach the Temporal server at localhost:\d+ \(mTLS, namespace default\): .*certificate.*set TEMPORAL_TLS_SERVER_CA_CERT_PATH to the CA that signed it/,
    },
    {
      name: 'worker, TLS with the system CAs only',
      entry: 'src/worker/main.ts',
      vars: tlsEnv({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: '', TEMPORAL_TLS: 'true' }),
      expected: /worker: Cannot reach the Temporal server .*set TEMPORAL_TLS_SERVER_CA_CERT_PATH to the CA that signed it/,
    },
    {
      name: 'gateway, CA that did not sign the server certificate',
      entry: 'src/gateway/main.ts',
      vars: { ...tlsEnv({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: wrongCaFile }), FINOPS_GATEWAY_PORT: '0', FINOPS_AUTH: 'none' },
      expected: /gateway: Cannot reach the Temporal server at localhost:\d+ \(mTLS, namespace default\): .*set TEMPORAL_TLS_SERVER_CA_CERT_PATH to the CA that signed it/,
    },
    {
      name: 'worker, CA file that does not exist',
      entry: 'src/worker/main.ts',
      vars: tlsEnv({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(tmpdir(), 'no-such-ca.pem') }),
      expected: /worker: TEMPORAL_TLS_SERVER_CA_CERT_PATH: cannot read the server CA certificate .*no-such-ca\.pem \(no such file\)/,
    },
    {
      name: 'worker, no client certificate for a server that requires one',
      entry: 'src/worker/main.ts',
      vars: tlsEnv({ TEMPORAL_TLS_CLIENT_CERT_PATH: '', TEMPORAL_TLS_CLIENT_KEY_PATH: '' }),
      expected: /worker: Cannot reach the Temporal server at localhost:\d+ \(TLS, namespace default\): .*client certificate and key \(TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH\)/,
    },
    {
      name: 'gateway, plaintext to a TLS server',
      entry: 'src/gateway/main.ts',
      vars: { ...isolated(), TEMPORAL_ADDRESS: front.address, FINOPS_GATEWAY_PORT: '0', FINOPS_AUTH: 'none' },
      expected: /gateway: Cannot reach the Temporal server at localhost:\d+ \(plaintext, namespace default\): .*The server may require TLS: set TEMPORAL_TLS=true/,
    },
  ];
  const runs = cases.map((c) => ({ ...c, proc: start(c.entry, c.vars) }));
  for (const run of runs) {
    assert.equal(await exitOf(run.proc), 1, `${run.name}:\n${run.proc.output()}`);
    assert.match(run.proc.output(), run.expected, `${run.name}:\n${run.proc.output()}`);
    assert.doesNotMatch(run.proc.output(), /\n\s+at /, `${run.name}: a stack trace instead of a message`);
  }
});
