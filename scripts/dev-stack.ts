/**
 * The dev stack: `npm run dev`, or `npm run demo` (which adds --demo).
 *
 * Starts on this machine only (127.0.0.1), in this order:
 *   temporal  the Temporal dev server (`temporal server start-dev`) with its Web UI; state in .data/temporal.db
 *   sim       the sample AWS account (src/sim/main.ts)
 *   worker    the Temporal worker (src/worker/main.ts), its AWS SDK clients pointed at the simulator
 *   gateway   REST + WebSocket + dashboard (src/gateway/main.ts)
 * waits until each one answers, prints where everything is, and with --demo runs one analysis of the sample
 * account with live progress (scripts/analyze.ts). It serves until Ctrl-C, then stops everything in order.
 * Each child's output is shown with a coloured tag and also kept in .data/logs/<name>.log.
 *
 * Problems a user can fix (a taken port, a missing Temporal CLI, a child that dies) are reported as plain
 * messages with what to do, never as stack traces.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { constants as osConstants } from 'node:os';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Connection } from '@temporalio/client';
import { ConfigError, ENV, readPort, temporalConfig } from '../src/config';
import { ALL_SEARCH_ATTRIBUTES, searchAttributeCliArgs } from '../src/workflows/search-attributes';
import { ensureTemporalCli, PROJECT_ROOT, TemporalCliError } from './temporal-cli';

const SAMPLE_ACCOUNT = '123456789012';
const DEMO_TENANT = 'demo';
const HOST = '127.0.0.1';
const DATA_DIR = join(PROJECT_ROOT, '.data');
const LOG_DIR = join(DATA_DIR, 'logs');
const TSX = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
/** Credentials for the simulator, which does not check them; real ones must never be sent to it. */
const SIM_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'sample', AWS_SECRET_ACCESS_KEY: 'sample' };

const ENTRY_POINTS = {
  sim: 'src/sim/main.ts',
  worker: 'src/worker/main.ts',
  gateway: 'src/gateway/main.ts',
  analyze: 'scripts/analyze.ts',
} as const;

/** How long each part may take to become ready. The worker bundles the workflow code first (webpack). */
const READY_TIMEOUT_MS = { temporal: 30_000, sim: 30_000, gateway: 60_000, worker: 120_000 };
/** A dead worker is restarted after this pause; dying this many times within the window stops the stack. */
const RESTART_DELAY_MS = 1_000;
const RESTART_LIMIT = 5;
const RESTART_WINDOW_MS = 60_000;
/** How long a child gets after SIGTERM before SIGKILL. The worker drains in-flight tasks. */
const STOP_GRACE_MS = 10_000;

const USAGE = `Usage: tsx scripts/dev-stack.ts [--demo] [--real-aws] [--temporal-port N] [--ui-port N] [--sim-port N] [--gateway-port N]

Starts the Temporal dev server (with its Web UI), the sample AWS account, a worker and the gateway on
127.0.0.1, and serves until Ctrl-C.

  --demo              then run one analysis of the sample account ${SAMPLE_ACCOUNT} with live progress
  --real-aws          let the worker call real AWS with your own credentials (AWS_PROFILE, AWS_REGION, ...)
                      instead of starting the sample account
  --temporal-port N   Temporal gRPC port       (env ${ENV.temporalPort}, default 7233)
  --ui-port N         Temporal Web UI port     (env ${ENV.temporalUiPort}, default gRPC port + 1000)
  --sim-port N        sample AWS account port  (env ${ENV.simPort}, default 4599)
  --gateway-port N    gateway port             (env ${ENV.gatewayPort}, default 8080)

Also read: ${ENV.temporalNamespace}, ${ENV.taskQueue}, ${ENV.simSeed}, ${ENV.logLevel}, ${ENV.temporalCliPath}.`;

/** A problem the user can fix: printed as a message, never as a stack trace. */
class StackError extends Error {
  override name = 'StackError';
}

/** Thrown out of a wait when the stack is already shutting down; nothing more to report. */
class StackStopping extends Error {
  override name = 'StackStopping';
}

// ---------------------------------------------------------------------------------------------------
// Options

interface PortSetting {
  /** Who needs the port, for messages. */
  component: string;
  variable: string;
  flag: string;
  port: number;
}

interface Options {
  demo: boolean;
  /** Real AWS instead of the sample account (--real-aws). */
  realAws: boolean;
  namespace: string;
  taskQueue: string;
  ports: { temporal: PortSetting; ui: PortSetting; sim: PortSetting; gateway: PortSetting };
}

function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        demo: { type: 'boolean' },
        'real-aws': { type: 'boolean' },
        'temporal-port': { type: 'string' },
        'ui-port': { type: 'string' },
        'sim-port': { type: 'string' },
        'gateway-port': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new StackError(`${(err as Error).message}\n\n${USAGE}`);
  }
  if (values.help) return 'help';
  if (values.demo && values['real-aws']) {
    throw new StackError(`--demo analyses the sample account ${SAMPLE_ACCOUNT}, which only the simulator has: drop --real-aws.`);
  }

  // A flag wins over its variable. Port 0 ("any free port") is refused: the children must know the ports.
  const port = (component: string, variable: string, flag: string, raw: string | undefined, fallback: number): PortSetting => {
    const value = raw !== undefined ? readPort(flag, fallback, { [flag]: raw }) : readPort(variable, fallback, env);
    if (value === 0) throw new StackError(`${raw !== undefined ? flag : variable} must be a port between 1 and 65535 (got 0).`);
    return { component, variable, flag, port: value };
  };
  const temporal = port('Temporal dev server (gRPC)', ENV.temporalPort, '--temporal-port', values['temporal-port'], 7233);
  // Like the CLI itself: the Web UI defaults to the gRPC port + 1000.
  const uiFallback = temporal.port + 1000 <= 65535 ? temporal.port + 1000 : 8233;
  const { namespace, taskQueue } = temporalConfig(env);
  return {
    demo: values.demo === true,
    realAws: values['real-aws'] === true,
    namespace,
    taskQueue,
    ports: {
      temporal,
      ui: port('Temporal Web UI', ENV.temporalUiPort, '--ui-port', values['ui-port'], uiFallback),
      sim: port('sample AWS account', ENV.simPort, '--sim-port', values['sim-port'], 4599),
      gateway: port('gateway', ENV.gatewayPort, '--gateway-port', values['gateway-port'], 8080),
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Terminal output

const COLOURS: Record<string, number> = { temporal: 35, sim: 33, worker: 36, gateway: 32, analyze: 34, 'dev-stack': 1 };
const TAG_WIDTH = Math.max(...Object.keys(COLOURS).map((name) => name.length)) + 3;
const useColour = process.stdout.isTTY === true && !process.env.NO_COLOR;

function paint(code: number, text: string): string {
  return useColour ? `\x1b[${code}m${text}\x1b[0m` : text;
}

function tag(name: string): string {
  return paint(COLOURS[name] ?? 0, `[${name}]`.padEnd(TAG_WIDTH));
}

/** Messages of the dev stack itself. */
function say(message: string): void {
  for (const line of message.split('\n')) process.stdout.write(`${tag('dev-stack')}${line}\n`);
}

/**
 * Where children's lines go. While the demo analysis draws its live progress on the terminal, the other
 * children's lines only go to their log files, so they do not tear the display apart.
 */
const childOutput = {
  held: 0,
  holding: false,
  write(name: string, line: string): void {
    if (this.holding) this.held++;
    else process.stdout.write(`${tag(name)}${line}\n`);
  },
};

// ---------------------------------------------------------------------------------------------------
// Port checks

/** Undefined when the port can be bound on 127.0.0.1, else the error code (EADDRINUSE, EACCES, ...). */
function bindProblem(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    server.listen({ host: HOST, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/** Checks every port before anything starts, and reports all problems at once. */
async function checkPorts(settings: PortSetting[]): Promise<void> {
  const problems: string[] = [];
  const byPort = new Map<number, PortSetting>();
  for (const setting of settings) {
    const other = byPort.get(setting.port);
    if (other) {
      problems.push(
        `Port ${setting.port} is set for both the ${other.component} (${other.variable}) and the ${setting.component} ` +
          `(${setting.variable}). Give one of them another port.`,
      );
    } else {
      byPort.set(setting.port, setting);
    }
  }
  for (const { port, component, variable, flag } of byPort.values()) {
    const problem = await bindProblem(port);
    const change = `set ${variable}=<port> (or ${flag} <port>) to use another port`;
    if (problem === 'EADDRINUSE') {
      problems.push(
        `Port ${port} is already in use on ${HOST}; the ${component} needs it. Stop the program holding it ` +
          `(\`ss -ltnp 'sport = :${port}'\` or \`lsof -i :${port}\` shows which; perhaps a dev stack that is still running), or ${change}.`,
      );
    } else if (problem === 'EACCES') {
      problems.push(
        `Port ${port} needs privileges to listen on; the ${component} wants it. ${change[0]!.toUpperCase()}${change.slice(1)} (above 1023).`,
      );
    } else if (problem) {
      problems.push(`Cannot listen on ${HOST}:${port} for the ${component} (${problem}); ${change}.`);
    }
  }
  if (problems.length > 0) throw new StackError(problems.join('\n'));
}

// ---------------------------------------------------------------------------------------------------
// Child processes

interface ChildSpec {
  /** Short name: the output tag and the log file's name. */
  name: string;
  /** For messages. */
  title: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Stopped after the others (the Temporal server, so the worker and gateway can shut down cleanly). */
  stopLast?: boolean;
  /** Hide its output once it is being stopped (the dev server logs connection noise while it goes down). */
  quietWhenStopping?: boolean;
  /** Give it the terminal itself (for live progress displays); its output is then not tagged or logged. */
  interactive?: boolean;
}

interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

function describeExit(info: ExitInfo): string {
  if (info.error) return `could not be started: ${info.error.message}`;
  if (info.signal) return `killed by ${info.signal}`;
  // tsx passes on its child's death by a signal as 128 + the signal's number.
  const signal = info.code !== null && info.code > 128 ? signalName(info.code - 128) : undefined;
  return signal ? `exit code ${info.code}: killed by ${signal}` : `exit code ${info.code}`;
}

function signalName(number: number): string | undefined {
  return Object.entries(osConstants.signals).find(([, value]) => value === number)?.[0];
}

class Child {
  readonly exited: Promise<ExitInfo>;
  exitInfo: ExitInfo | undefined;
  stopping = false;
  /** The last lines it printed, to explain an unexpected exit. */
  private readonly recent: string[] = [];
  private readonly proc: ChildProcess;

  /** `append`: a restarted child adds to its log file instead of replacing it. */
  constructor(
    readonly spec: ChildSpec,
    append = false,
  ) {
    // Each child leads its own process group: a terminal Ctrl-C then reaches only this script, which stops
    // the children in order, and a signal to the group also reaches what tsx runs underneath.
    this.proc = spawn(spec.command, spec.args, {
      cwd: PROJECT_ROOT,
      env: spec.env,
      detached: true,
      stdio: spec.interactive ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
    });
    const log = spec.interactive ? undefined : createWriteStream(join(LOG_DIR, `${spec.name}.log`), { flags: append ? 'a' : 'w' });
    const streamsDone = [this.proc.stdout, this.proc.stderr].map((stream) =>
      stream ? this.relay(stream, log) : Promise.resolve(),
    );
    this.exited = new Promise((resolve) => {
      const finish = (info: ExitInfo): void => {
        if (this.exitInfo) return;
        this.exitInfo = info;
        // Report the exit only after its last lines are out, so an explanation can quote them.
        void Promise.all(streamsDone).then(() => {
          log?.end();
          resolve(info);
        });
      };
      this.proc.once('error', (error) => finish({ code: null, signal: null, error }));
      this.proc.once('exit', (code, signal) => finish({ code, signal }));
    });
  }

  private relay(stream: NodeJS.ReadableStream, log: WriteStream | undefined): Promise<void> {
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', (line) => {
      log?.write(`${line}\n`);
      this.recent.push(line);
      if (this.recent.length > 15) this.recent.shift();
      if (!(this.stopping && this.spec.quietWhenStopping)) childOutput.write(this.spec.name, line);
    });
    return new Promise((resolve) => lines.once('close', resolve));
  }

  lastLines(): string[] {
    return [...this.recent];
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.proc.pid;
    if (pid === undefined) return;
    try {
      process.kill(process.platform === 'win32' ? pid : -pid, signal);
    } catch {
      // Already gone.
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within the grace period. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.exitInfo) return;
    this.signal('SIGTERM');
    const timer = setTimeout(() => {
      say(`The ${this.spec.title} did not stop within ${graceMs / 1000} s; killing it.`);
      this.signal('SIGKILL');
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Whatever is left of its process group (a grandchild that outlived tsx). */
  kill(): void {
    this.signal('SIGKILL');
  }
}

/** The running children, and the one way to stop them all. */
class Stack {
  private readonly children: Child[] = [];
  private readonly abort = new AbortController();
  stopping = false;

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /**
   * `expectExit`: the child is a one-off (the demo analysis); its exit is not a failure of the stack.
   * `restart`: a child that dies is started again (the worker: Temporal retries what it was running, so
   * analyses resume); only a crash loop, RESTART_LIMIT deaths within RESTART_WINDOW_MS, stops the stack.
   */
  start(spec: ChildSpec, { expectExit = false, restart = false } = {}, deaths: number[] = []): Child {
    const child = new Child(spec, deaths.length > 0);
    this.children.push(child);
    void child.exited.then((info) => {
      if (this.stopping || expectExit) return;
      const last = child.lastLines();
      const tail = last.length > 0 ? `\nIts last lines:\n${last.map((line) => `  ${line}`).join('\n')}` : '';
      const now = Date.now();
      const recent = [...deaths.filter((at) => now - at < RESTART_WINDOW_MS), now];
      if (restart && recent.length < RESTART_LIMIT) {
        this.children.splice(this.children.indexOf(child), 1);
        say(
          `The ${spec.title} stopped unexpectedly (${describeExit(info)}).${tail}\n` +
            `Restarting it (${recent.length} restart${recent.length === 1 ? '' : 's'} in the last ${RESTART_WINDOW_MS / 1000} s); ` +
            'the analyses it was running resume where they stopped. The rest of the stack keeps running.',
        );
        setTimeout(() => {
          if (!this.stopping) this.start(spec, { restart }, recent);
        }, RESTART_DELAY_MS);
        return;
      }
      const loop = restart ? ` It died ${recent.length} times within ${RESTART_WINDOW_MS / 1000} s, so it is not restarted again.` : '';
      void this.shutdown(1, `The ${spec.title} stopped unexpectedly (${describeExit(info)}).${tail}${loop}\nStopping the rest.`);
    });
    return child;
  }

  /** Stops everything (once), in order, then exits the process with `code`. */
  async shutdown(code: number, reason?: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.abort.abort();
    childOutput.holding = false;
    if (reason) say(reason);
    const first = this.children.filter((child) => !child.spec.stopLast);
    const last = this.children.filter((child) => child.spec.stopLast);
    await Promise.all(first.map((child) => child.stop(STOP_GRACE_MS)));
    await Promise.all(last.map((child) => child.stop(STOP_GRACE_MS)));
    this.killAll();
    say(code === 0 ? 'Stopped.' : 'Stopped after an error.');
    process.exit(code);
  }

  killAll(): void {
    for (const child of this.children) child.kill();
  }
}

// ---------------------------------------------------------------------------------------------------
// Readiness

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** Calls `probe` until it returns a value, the time is up (a StackError) or the stack stops. */
async function waitFor<T>(what: string, timeoutMs: number, signal: AbortSignal, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer';
  for (;;) {
    if (signal.aborted) throw new StackStopping();
    try {
      const result = await probe();
      if (result !== undefined) return result;
    } catch (err) {
      lastProblem = err instanceof Error ? err.message : String(err);
    }
    if (signal.aborted) throw new StackStopping();
    if (Date.now() >= deadline)
      throw new StackError(`The ${what} was not ready after ${timeoutMs / 1000} s (last: ${lastProblem}).`);
    await sleep(250, signal);
  }
}

/** A gRPC connection once the server answers a real request (the port opens before the server is ready). */
async function connectTemporal(address: string): Promise<Connection> {
  const connection = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    await connection.workflowService.getSystemInfo({});
    return connection;
  } catch (err) {
    await connection.close();
    throw err;
  }
}

async function httpOk(url: string): Promise<true> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  return true;
}

/** True once a worker polls the task queue for workflow tasks. This server is new, so no poller is stale. */
async function workerPolling(connection: Connection, namespace: string, taskQueue: string): Promise<true | undefined> {
  const response = await connection.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue },
    taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
  });
  return (response.pollers?.length ?? 0) > 0 ? true : undefined;
}

/** The server's IndexedValueType numbers (temporal.api.enums.v1), by the SDK's type names. */
const INDEXED_VALUE_TYPE: Record<string, number> = {
  TEXT: 1,
  KEYWORD: 2,
  INT: 3,
  DOUBLE: 4,
  BOOL: 5,
  DATETIME: 6,
  KEYWORD_LIST: 7,
};

/**
 * `start-dev --search-attribute` registers attributes only when it creates the database: with an existing
 * .data/temporal.db it silently ignores new ones. So check them once the server is up and add what is missing
 * (asking for existing ones again would only log warnings).
 */
async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing: Record<string, number> = {};
  for (const { name, type } of ALL_SEARCH_ATTRIBUTES) {
    const existing = customAttributes?.[name];
    if (existing === undefined || existing === null) {
      missing[name] = INDEXED_VALUE_TYPE[type]!;
    } else if (existing !== INDEXED_VALUE_TYPE[type]) {
      const db = displayPath(join(DATA_DIR, 'temporal.db'));
      throw new StackError(
        `The search attribute ${name} is registered with another type than ${type} in ${db}, which an older version ` +
          `of this project made. Delete ${db} (the dev server forgets its workflow history) and start again.`,
      );
    }
  }
  if (Object.keys(missing).length === 0) return;
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  say(`Registered the search attributes ${Object.keys(missing).join(', ')}.`);
}

// ---------------------------------------------------------------------------------------------------
// What each child gets

interface Urls {
  temporalAddress: string;
  webUi: string;
  sim: string;
  gateway: string;
}

function urlsFor(options: Options): Urls {
  const { ports } = options;
  return {
    temporalAddress: `${HOST}:${ports.temporal.port}`,
    webUi: `http://${HOST}:${ports.ui.port}`,
    sim: `http://${HOST}:${ports.sim.port}`,
    gateway: `http://${HOST}:${ports.gateway.port}`,
  };
}

/** Every child sees the same Temporal and port settings, whatever the user's shell had. */
function commonEnv(options: Options, urls: Urls): NodeJS.ProcessEnv {
  const { ports } = options;
  return {
    ...process.env,
    [ENV.temporalAddress]: urls.temporalAddress,
    [ENV.temporalNamespace]: options.namespace,
    [ENV.taskQueue]: options.taskQueue,
    [ENV.temporalPort]: String(ports.temporal.port),
    [ENV.temporalUiPort]: String(ports.ui.port),
    [ENV.simHost]: HOST,
    [ENV.simPort]: String(ports.sim.port),
    [ENV.gatewayHost]: HOST,
    [ENV.gatewayPort]: String(ports.gateway.port),
  };
}

/**
 * The worker's AWS settings. Against the simulator: its endpoint, a region and dummy keys, and none of the
 * user's real credentials, profile or per-service endpoints, which would otherwise take precedence or leak.
 * Against real AWS (--real-aws): the user's own configuration, with a default region.
 */
function workerEnv(base: NodeJS.ProcessEnv, simUrl: string | undefined): NodeJS.ProcessEnv {
  // The SDK's INFO lines (webpack bundle statistics) bury the demo's output; FINOPS_LOG_LEVEL=INFO brings them back.
  base = { ...base, [ENV.logLevel]: base[ENV.logLevel] || 'WARN' };
  if (!simUrl) return { ...base, AWS_REGION: base.AWS_REGION || base.AWS_DEFAULT_REGION || 'us-east-1' };
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    const realAws = key === 'AWS_PROFILE' || key === 'AWS_SESSION_TOKEN' || key.startsWith('AWS_ENDPOINT_URL_');
    if (!realAws) env[key] = value;
  }
  return { ...env, ...SIM_CREDENTIALS, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: simUrl };
}

/**
 * The gateway in the dev stack: authentication off unless the user configured it (FINOPS_AUTH=none is the
 * explicit development mode; the gateway warns loudly), and readable log lines instead of JSON.
 */
function gatewayEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const configured = base[ENV.auth] || base[ENV.apiKeysFile] || base[ENV.apiKeys] || base[ENV.oidcIssuer];
  return { ...base, [ENV.auth]: configured ? base[ENV.auth] : 'none', [ENV.logFormat]: base[ENV.logFormat] || 'text' };
}

const TITLES = {
  sim: 'sample AWS account (sim)',
  worker: 'worker',
  gateway: 'gateway',
  analyze: 'demo analysis',
} as const;

function tsxChild(name: keyof typeof ENTRY_POINTS, env: NodeJS.ProcessEnv, args: string[] = []): ChildSpec {
  return { name, title: TITLES[name], command: TSX, args: [ENTRY_POINTS[name], ...args], env };
}

// ---------------------------------------------------------------------------------------------------
// Main

function elapsed(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

function printSummary(options: Options, urls: Urls, cli: string): void {
  const rows: [string, string][] = [
    ['Temporal Web UI', urls.webUi],
    ['Dashboard', `${urls.gateway}/`],
    ['Gateway', `${urls.gateway}  (REST ${urls.gateway}/api/analyses, API description ${urls.gateway}/api/openapi.json, WebSocket ${urls.gateway.replace(/^http/, 'ws')}/ws)`],
    ...(options.realAws ? [] : ([['Sample AWS account', `${urls.sim}  (account ${SAMPLE_ACCOUNT})`]] as [string, string][])),
    ['Temporal gRPC', `${urls.temporalAddress}  (namespace ${options.namespace}, task queue ${options.taskQueue})`],
    ['Logs', `${displayPath(LOG_DIR)}/`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const lines = rows.map(([label, value]) => `  ${label.padEnd(width)}${value}`);
  process.stdout.write(
    `\n${paint(1, 'The dev stack is up.')}\n${lines.join('\n')}\n\n` +
      `  List workflows:   ${displayPath(cli)} workflow list --address ${urls.temporalAddress} --namespace ${options.namespace}\n` +
      `  Run an analysis:  npm run finops -- analyze --gateway ${urls.gateway} --account ${options.realAws ? '<account id>' : SAMPLE_ACCOUNT}\n` +
      `  List analyses:    npm run finops -- list --gateway ${urls.gateway}\n` +
      '  Stop:             Ctrl-C\n\n',
  );
}

/** Runs scripts/analyze.ts against the gateway, then says where to look. The stack keeps serving either way. */
async function runDemo(stack: Stack, options: Options, urls: Urls, cli: string, env: NodeJS.ProcessEnv): Promise<void> {
  if (!existsSync(join(PROJECT_ROOT, ENTRY_POINTS.analyze))) {
    say(`--demo: ${ENTRY_POINTS.analyze} is missing, so no demo analysis is run. The stack keeps serving.`);
    return;
  }
  say(`Demo: analysing the sample account ${SAMPLE_ACCOUNT} as tenant "${DEMO_TENANT}" through the gateway...`);
  // On a terminal the analysis draws live progress, so it gets the terminal and the others' lines wait in logs.
  const interactive = process.stdout.isTTY === true;
  childOutput.holding = interactive;
  const args = ['--gateway', urls.gateway, '--ui', urls.webUi, '--tenant', DEMO_TENANT, '--account', SAMPLE_ACCOUNT];
  const child = stack.start({ ...tsxChild('analyze', env, args), interactive }, { expectExit: true });
  const info = await child.exited;
  childOutput.holding = false;
  if (stack.stopping) return;
  if (childOutput.held > 0) {
    const lines = childOutput.held === 1 ? '1 line' : `${childOutput.held} lines`;
    say(`(${lines} of output from the other processes during the analysis went only to ${displayPath(LOG_DIR)}/)`);
    childOutput.held = 0;
  }

  const query = `FinopsTenant="${DEMO_TENANT}"`;
  const where =
    `  Temporal Web UI    ${urls.webUi}/namespaces/${options.namespace}/workflows?query=${encodeURIComponent(query)}\n` +
    `  From the terminal  ${displayPath(cli)} workflow list --address ${urls.temporalAddress} --namespace ${options.namespace} --query '${query}'`;
  if (info.code === 0) {
    process.stdout.write(
      `\n${paint(1, 'The demo analysis is done.')} Its report is above, with the gateway URL that serves it. ` +
        `Look at the run and its agents here:\n${where}\n\n`,
    );
    say('Still serving; Ctrl-C stops everything.');
  } else {
    const last = interactive ? [] : child.lastLines();
    say(
      `The demo analysis failed (${describeExit(info)}).` +
        (last.length > 0 ? `\nIts last lines:\n${last.map((line) => `  ${line}`).join('\n')}` : '') +
        `\nThe stack keeps serving, so you can look at what happened:\n${where}`,
    );
  }
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const parsed = parseOptions(process.argv.slice(2), process.env);
  if (parsed === 'help') {
    console.log(USAGE);
    return;
  }
  const options = parsed;
  const { ports } = options;
  const urls = urlsFor(options);

  for (const name of ['sim', 'worker', 'gateway'] as const) {
    if (name === 'sim' && options.realAws) continue;
    if (!existsSync(join(PROJECT_ROOT, ENTRY_POINTS[name])))
      throw new StackError(`${ENTRY_POINTS[name]} is missing from this checkout.`);
  }
  await checkPorts([ports.temporal, ports.ui, ...(options.realAws ? [] : [ports.sim]), ports.gateway]);
  const cli = ensureTemporalCli((line) => say(line));
  mkdirSync(LOG_DIR, { recursive: true });

  const stack = new Stack();
  let firstSignalAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (firstSignalAt === undefined) {
      firstSignalAt = Date.now();
      void stack.shutdown(0, `${signal}: stopping the dev stack (press Ctrl-C again to kill everything at once)...`);
    } else if (Date.now() - firstSignalAt > 1_000) {
      // Not within the first second: npm and tsx pass a terminal's Ctrl-C on to their child as well, so
      // one press can arrive here two or three times at once.
      say('Killing everything.');
      stack.killAll();
      process.exit(1);
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

  try {
    await startAndServe(stack, options, urls, cli, startedAt);
  } catch (err) {
    if (err instanceof StackStopping || stack.stopping) return;
    const message = err instanceof StackError || err instanceof ConfigError ? err.message : String((err as Error)?.stack ?? err);
    await stack.shutdown(1, message);
  }
}

async function startAndServe(stack: Stack, options: Options, urls: Urls, cli: string, startedAt: number): Promise<void> {
  const { ports, namespace, taskQueue } = options;
  say(`Starting the Temporal dev server on ${urls.temporalAddress} (Web UI ${urls.webUi})...`);
  stack.start({
    name: 'temporal',
    title: 'Temporal dev server',
    command: cli,
    args: [
      'server',
      'start-dev',
      '--ip',
      HOST,
      '--port',
      String(ports.temporal.port),
      '--ui-port',
      String(ports.ui.port),
      '--db-filename',
      join(DATA_DIR, 'temporal.db'),
      '--log-level',
      'warn',
      // The "default" namespace always exists; another one must be created.
      ...(namespace === 'default' ? [] : ['--namespace', namespace]),
      ...searchAttributeCliArgs(),
    ],
    env: process.env,
    stopLast: true,
    quietWhenStopping: true,
  });
  const connection = await waitFor('Temporal dev server', READY_TIMEOUT_MS.temporal, stack.signal, () =>
    connectTemporal(urls.temporalAddress),
  );
  try {
    await ensureSearchAttributes(connection, namespace);
    say(`Temporal dev server is up (${elapsed(startedAt)}).`);

    const env = commonEnv(options, urls);
    if (!options.realAws) stack.start(tsxChild('sim', env));
    stack.start(tsxChild('worker', workerEnv(env, options.realAws ? undefined : urls.sim)), { restart: true });
    stack.start(tsxChild('gateway', gatewayEnv(env)));

    const ready = (what: string) => () => say(`The ${what} is up (${elapsed(startedAt)}).`);
    await Promise.all([
      options.realAws
        ? undefined
        : waitFor('sample AWS account', READY_TIMEOUT_MS.sim, stack.signal, () => httpOk(`${urls.sim}/__sim/health`)).then(
            ready('sample AWS account'),
          ),
      waitFor('gateway', READY_TIMEOUT_MS.gateway, stack.signal, () => httpOk(`${urls.gateway}/healthz`)).then(ready('gateway')),
      waitFor('worker', READY_TIMEOUT_MS.worker, stack.signal, () => workerPolling(connection, namespace, taskQueue)).then(
        ready('worker'),
      ),
    ]);
  } finally {
    await connection.close();
  }
  printSummary(options, urls, cli);
  if (options.demo) await runDemo(stack, options, urls, cli, commonEnv(options, urls));
}

main().catch((err: unknown) => {
  // Reached only before any child started (options, ports, the Temporal CLI): nothing to stop.
  if (err instanceof StackError || err instanceof ConfigError || err instanceof TemporalCliError) {
    console.error(`dev stack: ${err.message}`);
  } else {
    console.error('dev stack: unexpected error:', err);
  }
  process.exit(1);
});
