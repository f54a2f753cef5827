/**
 * Finds or builds the Temporal CLI (which embeds the dev server). Order:
 *   1. TEMPORAL_CLI_PATH (an explicit path; an error if it does not exist)
 *   2. .tools/bin/temporal in this checkout (git-ignored; where step 4 installs)
 *   3. `temporal` on PATH
 *   4. `go install github.com/temporalio/cli/cmd/temporal@v1.5.1` with GOBIN=.tools/bin, when Go is available
 * Idempotent, and instant once the binary exists.
 *
 * v1.5.1 is pinned: later CLI tags carry a `replace` directive in go.mod, which `go install pkg@version` refuses.
 *
 * Run directly (`npm run temporal:ensure`) it prints the path, or a clear message and exit code 1.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const PROJECT_ROOT = resolve(__dirname, '..');
export const TOOLS_BIN = join(PROJECT_ROOT, '.tools', 'bin');

const exe = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

export class TemporalCliError extends Error {
  override name = 'TemporalCliError';
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Where the binary is, without building anything. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!isExecutable(explicit)) {
      throw new TemporalCliError(
        `TEMPORAL_CLI_PATH is set to ${explicit}, but no executable is there. Fix the path or unset it.`,
      );
    }
    return explicit;
  }
  const local = join(TOOLS_BIN, exe);
  if (isExecutable(local)) return local;
  return onPath(exe);
}

/** Find the CLI, building it from Go modules if needed. `log` receives progress lines. */
export function ensureTemporalCli(log: (line: string) => void = () => {}): string {
  const found = findTemporalCli();
  if (found) return found;

  const go = onPath('go') ?? (isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (!go) {
    throw new TemporalCliError(
      [
        'The Temporal CLI was not found, and Go is not installed to build it.',
        'Do one of these, then run the command again:',
        `  - install Go (https://go.dev/dl/) and let this project build it: go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`,
        '  - install the CLI (https://docs.temporal.io/cli#install) so that `temporal` is on PATH',
        '  - set TEMPORAL_CLI_PATH to an existing temporal binary',
      ].join('\n'),
    );
  }
  mkdirSync(TOOLS_BIN, { recursive: true });
  log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} from Go modules into ${TOOLS_BIN} (a few minutes, once)...`);
  const result = spawnSync(go, ['install', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
    env: { ...process.env, GOBIN: TOOLS_BIN, CGO_ENABLED: process.env.CGO_ENABLED ?? '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const built = join(TOOLS_BIN, exe);
  if (result.status !== 0 || !existsSync(built)) {
    throw new TemporalCliError(
      `go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} failed (exit ${result.status ?? result.signal}). ` +
        'Check that the Go module proxy is reachable (go env GOPROXY), or set TEMPORAL_CLI_PATH to an existing binary.',
    );
  }
  log(`Built ${built}`);
  return built;
}

export function temporalCliVersion(path: string): string {
  return execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
}

if (require.main === module) {
  try {
    const path = ensureTemporalCli((line) => console.error(line));
    console.log(path);
  } catch (err) {
    console.error(err instanceof TemporalCliError ? err.message : err);
    process.exit(1);
  }
}
