/**
 * Headless Chromium for the dashboard tests: Debian's `chromium` driven by playwright-core (no browser
 * download). A missing binary is a clear failure, not a skip: .ci/run installs it.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../scripts/temporal-cli';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(PROJECT_ROOT, 'test-results', 'browser');

export interface Browser {
  context: BrowserContext;
  /** A new page that records console errors, page errors and CSP violations. */
  page(): Promise<{ page: Page; problems: string[] }>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}. The browser tests need Debian's chromium package: ` +
        'apt-get install chromium fonts-liberation (.ci/run installs both), or set CHROMIUM_PATH.',
    );
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'finops-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    page: async () => {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      return { page, problems };
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function screenshotPath(name: string): string {
  return join(SCREENSHOTS, `${name}.png`);
}

/** The given attributes of every element a locator matches, in document order. */
export async function attributes<K extends string>(locator: Locator, names: readonly K[]): Promise<Record<K, string | null>[]> {
  const rows: Record<K, string | null>[] = [];
  const count = await locator.count();
  for (let i = 0; i < count; i++) {
    const element = locator.nth(i);
    const row = {} as Record<K, string | null>;
    for (const name of names) row[name] = await element.getAttribute(name);
    rows.push(row);
  }
  return rows;
}
