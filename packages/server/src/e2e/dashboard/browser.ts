/**
 * The dashboard's browser tests: Debian's chromium (never a downloaded browser) driven
 * by playwright-core, in a fresh empty profile; the dashboard built into its package's
 * dist/ (what the server serves); axe-core injected through the DevTools protocol (the
 * page's CSP forbids inline scripts, rightly); screenshots into a temp folder.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHROMIUM } from '@sluice/test-support';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const require = createRequire(import.meta.url);

/** Chromium flags: headless, no sandbox (root in CI), nothing that phones home. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A running chromium with its own profile folder. */
export interface TestBrowser {
  context: BrowserContext;
  /** A new tab (its own sessionStorage), console errors and CSP reports collected. */
  newPage: (viewport?: { width: number; height: number }) => Promise<WatchedPage>;
  close: () => Promise<void>;
}

/** A page with what it complained about. */
export interface WatchedPage {
  page: Page;
  /** Console errors and uncaught exceptions, in order. */
  problems: string[];
  /** Only the Content-Security-Policy violations among them. */
  cspViolations: () => string[];
}

/** Launches chromium in a new empty user-data-dir. */
export async function launchChromium(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'sluice-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(10_000);
  return {
    context,
    newPage: async (viewport) => {
      // Chromium keeps at most 6 HTTP/1.1 connections per host and every dashboard holds one
      // open for /v1/events: close the tabs of earlier tests so that the new one can load
      for (const old of context.pages()) await old.close();
      const page = await context.newPage();
      if (viewport !== undefined) await page.setViewportSize(viewport);
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
      return {
        page,
        problems,
        cspViolations: () => problems.filter((p) => /Content Security Policy/i.test(p)),
      };
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Builds the dashboard into @sluice/dashboard's dist/ (the folder the server serves); resolves with the file sizes. */
export async function buildDashboardForTest(): Promise<{ name: string; bytes: number; gzip: number }[]> {
  const root = dirname(require.resolve('@sluice/dashboard/package.json'));
  const { buildDashboard } = (await import(pathToFileURL(join(root, 'build.mjs')).href)) as {
    buildDashboard: () => Promise<{ files: { name: string; bytes: number; gzip: number }[] }>;
  };
  return (await buildDashboard()).files;
}

/** One axe-core finding. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** Runs axe-core on the page as it is; resolves with the serious and critical violations. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // evaluated through the DevTools protocol: not subject to the page's CSP (a <script> tag would be)
  await page.evaluate(source);
  const violations = await page.evaluate<AxeViolation[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))`,
  );
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Where screenshots go: $SLUICE_SCREENSHOTS or a new temp folder (printed once). */
export function screenshotFolder(): string {
  const dir = process.env['SLUICE_SCREENSHOTS'] ?? mkdtempSync(join(tmpdir(), 'sluice-dashboard-screenshots-'));
  mkdirSync(dir, { recursive: true });
  console.log(`[sluice] dashboard screenshots: ${dir}`);
  return dir;
}

/** Presses Tab until the focused element has this accessible name (or id); fails after `max` presses. */
export async function tabTo(page: Page, name: string, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate<string>(
      `(() => { const e = document.activeElement; if (!e) return ''; return [e.getAttribute('aria-label') ?? '', e.id, (e.textContent ?? '').trim(), e.labels?.[0]?.textContent?.trim() ?? ''].join('\\u0000'); })()`,
    );
    if (focused.split('\u0000').includes(name)) return;
  }
  throw new Error(`Tab did not reach [${name}] in ${max} presses`);
}
