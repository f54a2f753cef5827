/**
 * The dashboard's files: `index.html` and `styles.css` as written, and `app.js` bundled from the
 * TypeScript in ./dashboard with esbuild. A built copy (`npm run build` writes dist/gateway/dashboard)
 * is served as is; in development the bundle is built in memory on first request (~100 ms) and kept.
 * No CDN, no external requests: the Content-Security-Policy allows only this origin.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Router, type Response } from 'express';
import type { Logger } from './log';

export const DASHBOARD_SOURCE_DIR = join(__dirname, 'dashboard');

/** Scripts, styles, images and connections only from this origin; no inline script, no framing. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const FILES = { 'index.html': 'text/html; charset=utf-8', 'styles.css': 'text/css; charset=utf-8', 'app.js': 'text/javascript; charset=utf-8' } as const;
type AssetName = keyof typeof FILES;

function asset(name: AssetName, body: Buffer): Asset {
  return { body, type: FILES[name], etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

/** Bundle app.ts with esbuild (a development dependency: a production image serves the built copy). */
export async function bundleDashboard(sourceDir = DASHBOARD_SOURCE_DIR): Promise<Buffer> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(sourceDir, 'app.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
    tsconfig: join(sourceDir, 'tsconfig.json'),
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no output for the dashboard');
  return Buffer.from(output.contents);
}

/** `npm run build`: write index.html, styles.css and the bundled app.js to `outDir`. */
export async function buildDashboard(outDir: string, sourceDir = DASHBOARD_SOURCE_DIR): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'app.js'), await bundleDashboard(sourceDir));
  for (const name of ['index.html', 'styles.css']) await writeFile(join(outDir, name), await readFile(join(sourceDir, name)));
}

export class DashboardAssets {
  private readonly cache = new Map<AssetName, Promise<Asset>>();

  constructor(
    private readonly dir: string = DASHBOARD_SOURCE_DIR,
    private readonly log: Logger = () => {},
  ) {}

  get(name: AssetName): Promise<Asset> {
    let pending = this.cache.get(name);
    if (!pending) {
      pending = this.load(name);
      this.cache.set(name, pending);
      // A failed build is retried on the next request rather than cached.
      pending.catch(() => this.cache.delete(name));
    }
    return pending;
  }

  private async load(name: AssetName): Promise<Asset> {
    const built = join(this.dir, name);
    if (name !== 'app.js' || existsSync(built)) return asset(name, await readFile(built));
    const started = Date.now();
    const body = await bundleDashboard(this.dir);
    this.log({ level: 'info', msg: 'dashboard bundled', ms: Date.now() - started, bytes: body.length });
    return asset(name, body);
  }

  /** GET / and /assets/{app.js,styles.css}. */
  router(): Router {
    const router = Router();
    const serve = (name: AssetName) => async (req: { headers: { 'if-none-match'?: string } }, res: Response) => {
      let file: Asset;
      try {
        file = await this.get(name);
      } catch (err) {
        this.log({ level: 'error', msg: 'dashboard asset failed', asset: name, error: err instanceof Error ? err.message : String(err) });
        res.status(500).type('text/plain').send('The dashboard could not be built; see the gateway log.');
        return;
      }
      res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('ETag', file.etag);
      if (req.headers['if-none-match'] === file.etag) {
        res.status(304).end();
        return;
      }
      res.type(file.type).send(file.body);
    };
    router.get('/', serve('index.html'));
    router.get('/index.html', serve('index.html'));
    router.get('/assets/app.js', serve('app.js'));
    router.get('/assets/styles.css', serve('styles.css'));
    return router;
  }
}
