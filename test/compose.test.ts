/**
 * docker-compose.yml and the Dockerfile checked against the code, since Docker cannot run in CI: the images
 * start entry points that exist, the environment uses the names src/config.ts reads, ports and addresses line
 * up, the search attributes registered are exactly the ones the workflows use, and every reference points at
 * something that exists. Each check is a function that lists problems; the last tests feed them broken
 * copies to show that they do catch mistakes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { ENV } from '../src/config';
import { searchAttributeCliArgs } from '../src/workflows/search-attributes';

const ROOT = resolve(__dirname, '..');
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');

/** Our processes, and the source file each one's command must come from. */
const OUR_SERVICES = { worker: 'src/worker/main.ts', gateway: 'src/gateway/main.ts' } as const;
const KNOWN_NAMES = new Set<string>(Object.values(ENV));

type Env = Record<string, string | null>;
interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Env | string[];
  ports?: (string | { target?: number; published?: number | string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[] };
  volumes?: (string | { type?: string; source?: string })[];
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

function loadCompose(): Compose {
  // Compose resolves YAML merge keys (<<: *anchor); so must we.
  return parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as Compose;
}

/** A copy to break on purpose. */
function cloneCompose(): Compose {
  return structuredClone(loadCompose());
}

function environment(service: Service): Env {
  const env = service.environment ?? {};
  if (!Array.isArray(env)) return env;
  return Object.fromEntries(
    env.map((entry) => {
      const at = entry.indexOf('=');
      return at < 0 ? [entry, null] : [entry.slice(0, at), entry.slice(at + 1)];
    }),
  );
}

function words(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : value.split(/\s+/).filter(Boolean);
}

function dependencies(service: Service): [string, string][] {
  const deps = service.depends_on ?? [];
  if (Array.isArray(deps)) return deps.map((name) => [name, 'service_started']);
  return Object.entries(deps).map(([name, options]) => [name, options?.condition ?? 'service_started']);
}

/** The text of a service's shell scripts (entrypoint and command), for commands run inside them. */
function scriptText(service: Service): string {
  return [...words(service.entrypoint), ...words(service.command)].join('\n');
}

function ourServices(compose: Compose): [keyof typeof OUR_SERVICES, Service][] {
  return (Object.keys(OUR_SERVICES) as (keyof typeof OUR_SERVICES)[]).map((name) => [name, compose.services[name] ?? {}]);
}

// ---------------------------------------------------------------------------------------------------
// Checks: each returns a list of problems, empty when all is well.

/** dist/<path>.js as compiled from src/<path>.ts by tsconfig.build.json. */
function sourceOfBuiltFile(path: string): string | undefined {
  const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as {
    compilerOptions: { rootDir: string; outDir: string };
  };
  const { rootDir, outDir } = build.compilerOptions;
  const rel = relative(join(ROOT, outDir), join(ROOT, path));
  if (rel.startsWith('..') || !rel.endsWith('.js')) return undefined;
  return join(rootDir, rel.replace(/\.js$/, '.ts'));
}

function checkEntryPoints(compose: Compose): string[] {
  const problems: string[] = [];
  for (const [name, source] of Object.entries(OUR_SERVICES)) {
    const service = compose.services[name];
    if (!service) {
      problems.push(`there is no ${name} service`);
      continue;
    }
    const build = typeof service.build === 'string' ? { context: service.build } : service.build;
    if (!build) {
      problems.push(`${name} is not built from this repository`);
    } else {
      const dockerfile = join(ROOT, build.context ?? '.', build.dockerfile ?? 'Dockerfile');
      if (resolve(ROOT, build.context ?? '.') !== ROOT)
        problems.push(`${name} is built from ${build.context}, not the repository root`);
      if (!existsSync(dockerfile)) problems.push(`${name}'s Dockerfile ${relative(ROOT, dockerfile)} does not exist`);
    }
    const [program, script, ...rest] = words(service.command);
    if (program !== 'node' || !script || rest.length > 0) {
      problems.push(`${name}'s command should be ["node", "dist/.../main.js"], not ${JSON.stringify(service.command)}`);
      continue;
    }
    const compiledFrom = sourceOfBuiltFile(script);
    if (compiledFrom !== source)
      problems.push(`${name} runs ${script}, which is built from ${compiledFrom ?? 'nothing'}, not ${source}`);
    if (!existsSync(join(ROOT, source))) problems.push(`${source} (${name}'s entry point) does not exist`);
  }
  return problems;
}

function checkEnvNames(compose: Compose): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    const ours = name in OUR_SERVICES;
    for (const key of Object.keys(environment(service))) {
      // FINOPS_ is ours everywhere; TEMPORAL_ is also used by Temporal's own images (Web UI, CLI) for their
      // settings, so it is checked only in the services that run our code.
      const checked = key.startsWith('FINOPS_') || (ours && key.startsWith('TEMPORAL_'));
      if (checked && !KNOWN_NAMES.has(key)) problems.push(`${name} sets ${key}, which src/config.ts does not list`);
    }
  }
  for (const [name, service] of ourServices(compose)) {
    const env = environment(service);
    for (const needed of [ENV.temporalAddress, ENV.temporalNamespace, ENV.taskQueue]) {
      if (!env[needed]) problems.push(`${name} does not set ${needed}`);
    }
  }
  return problems;
}

function containerPorts(service: Service): number[] {
  return (service.ports ?? []).map((entry) => {
    if (typeof entry !== 'string') return Number(entry.target);
    // [ip:][published:]target[/protocol]
    const target = entry.split('/')[0]!.split(':').at(-1)!;
    return Number(target);
  });
}

function checkGatewayPort(compose: Compose): string[] {
  const gateway = compose.services.gateway;
  if (!gateway) return ['there is no gateway service'];
  const env = environment(gateway);
  const port = Number(env[ENV.gatewayPort] ?? 8080);
  const problems: string[] = [];
  if (!containerPorts(gateway).includes(port)) {
    problems.push(`the gateway listens on ${port} (${ENV.gatewayPort}) but publishes ${JSON.stringify(gateway.ports ?? [])}`);
  }
  const host = env[ENV.gatewayHost];
  if (host !== '0.0.0.0' && host !== '::')
    problems.push(`the gateway must listen on all interfaces in a container (${ENV.gatewayHost} is ${host})`);
  for (const url of words(gateway.healthcheck?.test)
    .join(' ')
    .match(/https?:\/\/[^'"\s)]+/g) ?? []) {
    if (Number(new URL(url).port || 80) !== port) problems.push(`the gateway's health check calls ${url}, not port ${port}`);
  }
  return problems;
}

function checkTemporalAddress(compose: Compose): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    const address = environment(service)[ENV.temporalAddress];
    if (!address) continue;
    const [host, port] = address.split(':');
    const server = compose.services[host ?? ''];
    if (!server) {
      problems.push(`${name}'s ${ENV.temporalAddress} ${address} names no service`);
      continue;
    }
    if (!/^temporalio\/(server|auto-setup):/.test(server.image ?? ''))
      problems.push(`${name}'s ${ENV.temporalAddress} points at ${host}, which is not a Temporal server`);
    // The server's frontend listens on FRONTEND_GRPC_PORT (7233 unless set).
    const frontend = String(environment(server).FRONTEND_GRPC_PORT ?? 7233);
    if (port !== frontend)
      problems.push(`${name}'s ${ENV.temporalAddress} uses port ${port}, but ${host} listens on ${frontend}`);
  }
  return problems;
}

interface Registration {
  service: string;
  namespace: string | undefined;
  attribute: string;
}

/** `temporal operator search-attribute create` calls in the compose scripts, one entry per attribute. */
function searchAttributeRegistrations(compose: Compose): Registration[] {
  const found: Registration[] = [];
  for (const [service, definition] of Object.entries(compose.services)) {
    for (const line of scriptText(definition).split('\n')) {
      if (!/search-attribute\s+create\b/.test(line)) continue;
      const type = /--type[ =](\S+)/.exec(line)?.[1];
      const namespace = /(?:--namespace|-n)[ =](\S+)/.exec(line)?.[1];
      for (const [, name] of line.matchAll(/--name[ =](\S+)/g)) found.push({ service, namespace, attribute: `${name}=${type}` });
    }
  }
  return found;
}

function checkSearchAttributes(compose: Compose): string[] {
  const problems: string[] = [];
  // The same Name=Type pairs the dev server gets (`--search-attribute Name=Type`).
  const expected = searchAttributeCliArgs()
    .filter((arg) => arg !== '--search-attribute')
    .sort();
  const registrations = searchAttributeRegistrations(compose);
  const registered = registrations.map((r) => r.attribute).sort();
  if (JSON.stringify(registered) !== JSON.stringify(expected)) {
    problems.push(`search attributes registered: ${registered.join(', ') || 'none'}; the workflows use: ${expected.join(', ')}`);
  }
  const registrars = new Set(registrations.map((r) => r.service));
  for (const [name, service] of ourServices(compose)) {
    const namespace = environment(service)[ENV.temporalNamespace];
    for (const r of registrations) {
      if (r.namespace !== namespace)
        problems.push(`${r.service} registers ${r.attribute} in namespace ${r.namespace}, but ${name} uses ${namespace}`);
    }
    // Starting workflows with unregistered attributes fails, so our processes wait for the registration.
    for (const registrar of registrars) {
      const condition = dependencies(service).find(([dep]) => dep === registrar)?.[1];
      if (condition !== 'service_completed_successfully')
        problems.push(`${name} does not wait for ${registrar} to complete successfully`);
    }
  }
  return problems;
}

function checkReferences(compose: Compose): string[] {
  const problems: string[] = [];
  const conditions = new Set(['service_started', 'service_healthy', 'service_completed_successfully']);
  for (const [name, service] of Object.entries(compose.services)) {
    for (const [dep, condition] of dependencies(service)) {
      const target = compose.services[dep];
      if (!target) problems.push(`${name} depends on ${dep}, which is not a service`);
      else if (!conditions.has(condition)) problems.push(`${name} waits for ${dep} with an unknown condition ${condition}`);
      else if (condition === 'service_healthy' && !target.healthcheck)
        problems.push(`${name} waits for ${dep} to be healthy, but ${dep} has no health check`);
    }
    for (const volume of service.volumes ?? []) {
      const source = typeof volume === 'string' ? volume.split(':')[0]! : (volume.source ?? '');
      if (source.startsWith('.') || source.startsWith('/')) {
        if (!existsSync(resolve(ROOT, source))) problems.push(`${name} mounts ${source}, which does not exist`);
      } else if (source && !(source in (compose.volumes ?? {}))) {
        problems.push(`${name} uses the volume ${source}, which is not declared`);
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------

test('the worker and gateway services build the Dockerfile and run entry points that exist', () => {
  assert.deepEqual(checkEntryPoints(loadCompose()), []);
});

test('every FINOPS_/TEMPORAL_ variable in docker-compose.yml is one src/config.ts reads', () => {
  assert.deepEqual(checkEnvNames(loadCompose()), []);
});

test('the gateway publishes the port it listens on (FINOPS_GATEWAY_PORT), on all interfaces', () => {
  assert.deepEqual(checkGatewayPort(loadCompose()), []);
});

test('TEMPORAL_ADDRESS points at the Temporal server service and its frontend port', () => {
  assert.deepEqual(checkTemporalAddress(loadCompose()), []);
});

test('exactly the workflows’ search attributes are registered, with their types, before our processes start', () => {
  assert.deepEqual(checkSearchAttributes(loadCompose()), []);
});

test('dependencies, mounts and volumes refer to things that exist', () => {
  assert.deepEqual(checkReferences(loadCompose()), []);
});

test('the AWS SDK settings are passed through to the worker, not written into the file', () => {
  const env = environment(loadCompose().services.worker ?? {});
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
    assert.ok(name in env, `${name} is not passed to the worker`);
    assert.equal(env[name], null, `${name} must come from the environment (a bare key), not a value in the file`);
  }
  assert.ok(env.AWS_REGION, 'the worker has no AWS_REGION');
});

test('the Dockerfile builds with npm ci and npm run build and runs as a non-root user', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  assert.ok(
    instructions.some((line) => /^RUN npm ci\b/.test(line)),
    'no RUN npm ci',
  );
  assert.ok(
    instructions.some((line) => /^RUN npm run build\b/.test(line)),
    'no RUN npm run build',
  );
  const stageStarts = instructions.flatMap((line, index) => (line.startsWith('FROM ') ? [index] : []));
  const lastStage = instructions.slice(stageStarts.at(-1) ?? 0);
  const user = lastStage
    .filter((line) => line.startsWith('USER '))
    .at(-1)
    ?.slice(5)
    .trim();
  assert.ok(user && user !== 'root' && user !== '0', `the final stage runs as ${user ?? 'root'}`);
  const cmd = lastStage.find((line) => line.startsWith('CMD '));
  assert.ok(cmd, 'the final stage has no CMD');
  const [, script] = JSON.parse(cmd.slice(4)) as string[];
  assert.ok(script && Object.values(OUR_SERVICES).includes(sourceOfBuiltFile(script) as never), `the default CMD runs ${script}`);
  assert.ok(!/(AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|PASSWORD)\s*=/.test(dockerfile), 'the Dockerfile sets a secret');
});

// The checks above can fail: broken copies of the file must be caught.

test('the checks catch a misspelled variable, a wrong port, a missing attribute and a dangling dependency', () => {
  const misspelled = cloneCompose();
  const { [ENV.gatewayPort]: port, ...rest } = environment(misspelled.services.gateway!);
  misspelled.services.gateway!.environment = { ...rest, FINOPS_GATEWAY_PROT: port ?? null };
  assert.match(checkEnvNames(misspelled).join('\n'), /FINOPS_GATEWAY_PROT/);

  const wrongPort = cloneCompose();
  wrongPort.services.gateway!.environment = { ...environment(wrongPort.services.gateway!), [ENV.gatewayPort]: '9090' };
  assert.notDeepEqual(checkGatewayPort(wrongPort), []);

  const wrongAddress = cloneCompose();
  wrongAddress.services.worker!.environment = {
    ...environment(wrongAddress.services.worker!),
    [ENV.temporalAddress]: 'temporal:7234',
  };
  assert.notDeepEqual(checkTemporalAddress(wrongAddress), []);

  const missingAttribute = cloneCompose();
  for (const service of Object.values(missingAttribute.services)) {
    if (Array.isArray(service.command))
      service.command = service.command.map((part) => part.replace(/^.*--name FinopsAgent.*$/m, ''));
  }
  assert.match(checkSearchAttributes(missingAttribute).join('\n'), /FinopsAgent/);

  const dangling = cloneCompose();
  dangling.services.gateway!.depends_on = { 'temporal-inti': { condition: 'service_completed_successfully' } };
  assert.match(checkReferences(dangling).join('\n'), /temporal-inti/);

  const wrongEntry = cloneCompose();
  wrongEntry.services.worker!.command = ['node', 'dist/worker/mian.js'];
  assert.notDeepEqual(checkEntryPoints(wrongEntry), []);
});

/** `docker compose` (v2) when it is installed; CI has no Docker, so this runs only on a developer's machine. */
const dockerCompose = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0;

test('docker compose accepts the file', { skip: dockerCompose ? false : 'docker compose is not installed' }, () => {
  const result = spawnSync('docker', ['compose', '-f', COMPOSE_FILE, 'config', '--quiet'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
});
