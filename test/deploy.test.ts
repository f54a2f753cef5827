/**
 * The Kubernetes manifests (deploy/kubernetes) checked against the code, since CI has no cluster: the
 * containers run entry points that exist, every FINOPS_/TEMPORAL_ variable is one src/config.ts reads, ports
 * and probes line up with what the processes listen on and the routes they serve, every container requests
 * resources, the worker scales horizontally, and secrets are referenced, never written. The last test feeds
 * the checks broken copies to show they catch mistakes.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { ENV } from '../src/config';

const ROOT = resolve(__dirname, '..');
const DIR = join(ROOT, 'deploy', 'kubernetes');
const KNOWN_NAMES = new Set<string>(Object.values(ENV));

/** Our processes: the entry point each Deployment must run, and what it listens on. */
const OURS = {
  'finops-worker': { source: 'src/worker/main.ts', portVar: ENV.workerMetricsPort, hostVar: ENV.workerMetricsHost, probes: ['/metrics'] },
  'finops-gateway': { source: 'src/gateway/main.ts', portVar: ENV.gatewayPort, hostVar: ENV.gatewayHost, probes: ['/healthz', '/readyz'] },
} as const;
type OurName = keyof typeof OURS;

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string }; configMapKeyRef?: { name: string; key: string } };
}
interface Probe {
  httpGet?: { path?: string; port?: number | string };
  tcpSocket?: { port?: number | string };
}
interface Container {
  name: string;
  image?: string;
  command?: string[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string; optional?: boolean } }[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> } & Record<string, string>;
    template?: { metadata?: { labels?: Record<string, string> }; spec: { containers: Container[]; terminationGracePeriodSeconds?: number } };
    scaleTargetRef?: { kind: string; name: string };
    minReplicas?: number;
    maxReplicas?: number;
    ports?: { port: number; targetPort?: number | string }[];
  };
}

function loadManifests(): Manifest[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .flatMap((f) =>
      parseAllDocuments(readFileSync(join(DIR, f), 'utf8')).map((d) => {
        assert.deepEqual(d.errors, [], `${f}: ${d.errors.map((e) => e.message).join('; ')}`);
        return d.toJS() as Manifest;
      }),
    )
    .filter(Boolean);
}

const find = (all: Manifest[], kind: string, name: string) => all.find((m) => m.kind === kind && m.metadata.name === name);

/** A container's environment as name → literal value (undefined when it comes from a secret or a ConfigMap key). */
function environment(all: Manifest[], container: Container): Map<string, string | undefined> {
  const env = new Map<string, string | undefined>();
  for (const source of container.envFrom ?? []) {
    if (!source.configMapRef) continue;
    for (const [k, v] of Object.entries(find(all, 'ConfigMap', source.configMapRef.name)?.data ?? {})) env.set(k, v);
  }
  for (const e of container.env ?? []) env.set(e.name, e.value);
  return env;
}

/** dist/<path>.js as compiled from src/<path>.ts by tsconfig.build.json. */
function sourceOfBuiltFile(path: string): string | undefined {
  const { rootDir, outDir } = (JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { compilerOptions: { rootDir: string; outDir: string } })
    .compilerOptions;
  const rel = relative(join(ROOT, outDir), join(ROOT, path));
  if (rel.startsWith('..') || !rel.endsWith('.js')) return undefined;
  return join(rootDir, rel.replace(/\.js$/, '.ts'));
}

function ourContainers(all: Manifest[]): [OurName, Manifest | undefined, Container | undefined][] {
  return (Object.keys(OURS) as OurName[]).map((name) => {
    const deployment = find(all, 'Deployment', name);
    return [name, deployment, deployment?.spec?.template?.spec.containers[0]];
  });
}

// ---------------------------------------------------------------------------------------------------
// Checks: each returns a list of problems.

function checkEntryPoints(all: Manifest[]): string[] {
  const problems: string[] = [];
  for (const [name, deployment, container] of ourContainers(all)) {
    if (!deployment || !container) {
      problems.push(`there is no Deployment ${name}`);
      continue;
    }
    const [program, script, ...rest] = container.command ?? [];
    if (program !== 'node' || !script || rest.length > 0) {
      problems.push(`${name} should run ["node", "dist/.../main.js"], not ${JSON.stringify(container.command)}`);
      continue;
    }
    const source = sourceOfBuiltFile(script);
    if (source !== OURS[name].source) problems.push(`${name} runs ${script}, built from ${source ?? 'nothing'}, not ${OURS[name].source}`);
    if (!existsSync(join(ROOT, OURS[name].source))) problems.push(`${OURS[name].source} does not exist`);
  }
  const images = new Set(ourContainers(all).map(([, , c]) => c?.image));
  if (images.size !== 1) problems.push(`the worker and the gateway run different images: ${[...images].join(', ')}`);
  return problems;
}

function checkEnvNames(all: Manifest[]): string[] {
  const problems: string[] = [];
  for (const [name, , container] of ourContainers(all)) {
    if (!container) continue;
    const env = environment(all, container);
    for (const key of env.keys()) {
      if ((key.startsWith('FINOPS_') || key.startsWith('TEMPORAL_')) && !KNOWN_NAMES.has(key)) problems.push(`${name} sets ${key}, which src/config.ts does not list`);
    }
    for (const needed of [ENV.temporalAddress, ENV.temporalNamespace, ENV.taskQueue]) {
      if (!env.get(needed)) problems.push(`${name} does not set ${needed}`);
    }
    for (const source of container.envFrom ?? []) {
      if (source.configMapRef && !find(all, 'ConfigMap', source.configMapRef.name)) problems.push(`${name} reads the ConfigMap ${source.configMapRef.name}, which is not defined`);
    }
  }
  return problems;
}

/** A probe's or Service's port, by name or number, resolved against the container's ports. */
function resolvePort(container: Container, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

function checkPortsAndProbes(all: Manifest[]): string[] {
  const problems: string[] = [];
  for (const [name, deployment, container] of ourContainers(all)) {
    if (!deployment || !container) continue;
    const { portVar, hostVar, probes } = OURS[name];
    const env = environment(all, container);
    const port = Number(env.get(portVar));
    if (!Number.isInteger(port) || port <= 0) problems.push(`${name} does not set ${portVar} to a port`);
    if (env.get(hostVar) !== '0.0.0.0') problems.push(`${name} must listen on all interfaces in a pod (${hostVar} is ${env.get(hostVar)})`);
    if (!container.ports?.some((p) => p.containerPort === port)) problems.push(`${name} listens on ${port} (${portVar}) but declares ports ${JSON.stringify(container.ports ?? [])}`);
    const paths: string[] = [];
    for (const kind of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
      const probe = container[kind];
      if (!probe) continue;
      const target = resolvePort(container, probe.httpGet?.port ?? probe.tcpSocket?.port);
      if (target !== port) problems.push(`${name}'s ${kind} calls port ${String(probe.httpGet?.port ?? probe.tcpSocket?.port)}, not ${port}`);
      if (probe.httpGet?.path) paths.push(probe.httpGet.path);
    }
    if (!container.livenessProbe) problems.push(`${name} has no liveness probe`);
    for (const path of probes) if (!paths.includes(path)) problems.push(`${name}'s probes do not call ${path}`);
    // The probed paths exist: the gateway's health routes, the SDK's Prometheus /metrics.
    const healthRoutes = readFileSync(join(ROOT, 'src/gateway/routes/health.ts'), 'utf8');
    for (const path of paths) {
      if (name === 'finops-gateway' && !healthRoutes.includes(`'${path}'`)) problems.push(`${name}'s probe calls ${path}, which the gateway does not serve`);
      if (name === 'finops-worker' && path !== '/metrics') problems.push(`${name}'s probe calls ${path}; the worker serves only /metrics`);
    }
    const labels = deployment.spec?.template?.metadata?.labels ?? {};
    for (const service of all.filter((m) => m.kind === 'Service')) {
      const selector = (service.spec?.selector ?? {}) as Record<string, string>;
      if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) continue;
      for (const p of service.spec?.ports ?? []) {
        if (resolvePort(container, p.targetPort ?? p.port) !== port) problems.push(`Service ${service.metadata.name} sends to ${String(p.targetPort)}, not ${name}'s port ${port}`);
      }
    }
    const selector = deployment.spec?.selector?.matchLabels ?? {};
    if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) problems.push(`${name}'s selector does not match its pods' labels`);
  }
  return problems;
}

function checkResourcesAndScaling(all: Manifest[]): string[] {
  const problems: string[] = [];
  for (const [name, deployment, container] of ourContainers(all)) {
    if (!deployment || !container) continue;
    if (!container.resources?.requests?.cpu || !container.resources.requests.memory) problems.push(`${name} does not request CPU and memory`);
    if (!container.resources?.limits?.memory) problems.push(`${name} has no memory limit`);
  }
  const hpa = all.find((m) => m.kind === 'HorizontalPodAutoscaler' && m.spec?.scaleTargetRef?.name === 'finops-worker');
  if (!hpa) problems.push('no HorizontalPodAutoscaler scales finops-worker');
  else {
    if (hpa.spec?.scaleTargetRef?.kind !== 'Deployment') problems.push('the autoscaler does not target the worker Deployment');
    if ((hpa.spec?.minReplicas ?? 1) < 2) problems.push('the worker autoscaler allows fewer than 2 replicas');
    if ((hpa.spec?.maxReplicas ?? 0) <= (hpa.spec?.minReplicas ?? 1)) problems.push('the worker autoscaler cannot scale out');
  }
  const worker = find(all, 'Deployment', 'finops-worker');
  if (worker?.spec?.replicas !== undefined) problems.push('the worker Deployment fixes replicas, fighting the autoscaler');
  // The pod must outlive the worker's own shutdown grace (src/worker/worker.ts: 10 s) to drain activities.
  if ((worker?.spec?.template?.spec.terminationGracePeriodSeconds ?? 30) <= 10) problems.push('the worker pod is killed before its shutdown grace ends');
  return problems;
}

const SECRET_NAME = /KEY|SECRET|TOKEN|PASSWORD|CERT|CREDENTIAL/i;

function checkSecrets(all: Manifest[]): string[] {
  const problems: string[] = [];
  for (const m of all) {
    if (m.kind === 'Secret') problems.push(`Secret ${m.metadata.name} is written in the manifests; create it with kubectl instead`);
    for (const [k, v] of Object.entries(m.data ?? {})) {
      if (SECRET_NAME.test(k) && v) problems.push(`${m.kind} ${m.metadata.name} holds ${k}`);
    }
  }
  for (const [name, , container] of ourContainers(all)) {
    for (const e of container?.env ?? []) {
      if (SECRET_NAME.test(e.name) && e.value !== undefined) problems.push(`${name} writes ${e.name} in the manifest`);
    }
    const secrets = (container?.envFrom ?? []).filter((s) => s.secretRef).map((s) => s.secretRef!.name);
    if (!secrets.includes('finops-temporal')) problems.push(`${name} does not take the Temporal credentials from the finops-temporal secret`);
  }
  return problems;
}

function checkKustomization(): string[] {
  const text = readFileSync(join(DIR, 'kustomization.yaml'), 'utf8');
  const listed = (parseAllDocuments(text)[0]!.toJS() as { resources: string[] }).resources;
  const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
  const problems: string[] = [];
  for (const f of listed) if (!files.includes(f)) problems.push(`kustomization.yaml lists ${f}, which does not exist`);
  for (const f of files) if (!listed.includes(f)) problems.push(`${f} is not in kustomization.yaml`);
  return problems;
}

// ---------------------------------------------------------------------------------------------------

test('the worker and gateway Deployments run entry points that exist, from one image', () => {
  assert.deepEqual(checkEntryPoints(loadManifests()), []);
});

test('every FINOPS_/TEMPORAL_ variable is one src/config.ts reads, and the Temporal settings are there', () => {
  assert.deepEqual(checkEnvNames(loadManifests()), []);
});

test('ports, probes and Services line up with what the processes listen on and serve', () => {
  assert.deepEqual(checkPortsAndProbes(loadManifests()), []);
});

test('every container requests resources; the worker scales horizontally and drains before it is killed', () => {
  assert.deepEqual(checkResourcesAndScaling(loadManifests()), []);
});

test('secrets are passed through from Kubernetes Secrets, never written in the manifests', () => {
  assert.deepEqual(checkSecrets(loadManifests()), []);
});

test('kustomization.yaml lists exactly the manifests', () => {
  assert.deepEqual(checkKustomization(), []);
});

test('the checks catch a wrong entry point, a misspelled variable, a wrong probe port, no requests and a stored secret', () => {
  const broken = () => structuredClone(loadManifests());
  const container = (all: Manifest[], name: OurName) => find(all, 'Deployment', name)!.spec!.template!.spec.containers[0]!;

  const entry = broken();
  container(entry, 'finops-worker').command = ['node', 'dist/worker/mian.js'];
  assert.match(checkEntryPoints(entry).join('\n'), /mian/);

  const misspelled = broken();
  container(misspelled, 'finops-gateway').env!.push({ name: 'FINOPS_GATEWAY_PROT', value: '8080' });
  assert.match(checkEnvNames(misspelled).join('\n'), /FINOPS_GATEWAY_PROT/);

  const probe = broken();
  container(probe, 'finops-gateway').readinessProbe = { httpGet: { path: '/readyz', port: 9090 } };
  assert.match(checkPortsAndProbes(probe).join('\n'), /readinessProbe calls port 9090/);

  const path = broken();
  container(path, 'finops-gateway').livenessProbe = { httpGet: { path: '/health', port: 'http' } };
  assert.match(checkPortsAndProbes(path).join('\n'), /\/health, which the gateway does not serve/);

  const port = broken();
  container(port, 'finops-worker').env!.find((e) => e.name === ENV.workerMetricsPort)!.value = '9465';
  assert.notDeepEqual(checkPortsAndProbes(port), []);

  const requests = broken();
  delete container(requests, 'finops-worker').resources;
  assert.match(checkResourcesAndScaling(requests).join('\n'), /finops-worker does not request CPU and memory/);

  const fixed = broken();
  find(fixed, 'Deployment', 'finops-worker')!.spec!.replicas = 3;
  assert.match(checkResourcesAndScaling(fixed).join('\n'), /fights|fighting/);

  const stored = broken();
  container(stored, 'finops-worker').env!.push({ name: 'AWS_SECRET_ACCESS_KEY', value: 'wJalr...' });
  stored.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'oops' }, stringData: { TEMPORAL_API_KEY: 'x' } });
  const secretProblems = checkSecrets(stored).join('\n');
  assert.match(secretProblems, /writes AWS_SECRET_ACCESS_KEY/);
  assert.match(secretProblems, /Secret oops is written/);
});
