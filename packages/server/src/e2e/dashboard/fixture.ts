/**
 * The world of the dashboard's browser tests, set up once per file: the dashboard
 * built, nginx-rtmp as the push destination, a Sluice server with ffmpeg publishing
 * `cam` (and more names on demand), chromium; helpers to open a tab, sign in, find a
 * push row and save a screenshot.
 */
import { join } from 'node:path';
import { startNginxRtmp, type NginxRtmp, type PeerProcess } from '@sluice/test-support';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startTestServer, TOKEN, type TestServer } from '../harness.js';
import { startFfmpegPublisher, stopFfmpeg } from '../peers.js';
import {
  buildDashboardForTest,
  launchChromium,
  screenshotFolder,
  type TestBrowser,
  type WatchedPage,
} from './browser.js';

/** What a test file gets. */
export interface DashboardWorld {
  readonly nginx: NginxRtmp;
  readonly t: TestServer;
  /** Opens /dashboard/ in a new tab (its own sessionStorage). */
  open: (viewport?: { width: number; height: number }) => Promise<WatchedPage>;
  signIn: (page: Page, token?: string) => Promise<void>;
  /** Publishes the fixture under `name` (any characters: the name goes as the RTMP publish name). */
  publish: (name: string) => Promise<PeerProcess>;
  /** Starts an rtmp push of `cam` to nginx-rtmp's `live` app through the API (not the page). */
  startPushToNginx: (id: string, streamKey: string) => Promise<void>;
  shot: (page: Page, name: string) => Promise<unknown>;
  row: (page: Page, id: string) => Locator;
}

/** Sets the world up in beforeAll and tears it down in afterAll of the calling file. */
export function useDashboardWorld(): DashboardWorld {
  let nginx: NginxRtmp | undefined;
  let t: TestServer | undefined;
  let browser: TestBrowser | undefined;
  let shots = '';
  const publishers: PeerProcess[] = [];

  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not running (beforeAll failed?)`);
    return value;
  };

  const world: DashboardWorld = {
    get nginx() {
      return need(nginx, 'nginx-rtmp');
    },
    get t() {
      return need(t, 'the server');
    },
    open: async (viewport) => {
      const watched = await need(browser, 'chromium').newPage(viewport);
      await watched.page.goto(`http://127.0.0.1:${world.t.apiPort}/dashboard/`);
      return watched;
    },
    signIn: async (page, token = TOKEN) => {
      await page.getByLabel('Access token').fill(token);
      await page.getByRole('button', { name: 'Sign in' }).click();
    },
    publish: async (name) => {
      // ffmpeg cuts a url's stream name at '/' and ' ': the publish name goes apart
      const p = startFfmpegPublisher(world.t.ingestUrl('publish'), 'h264-baseline-aac.flv', ['-rtmp_playpath', name]);
      publishers.push(p);
      await world.t.waitForLive(name);
      return p;
    },
    startPushToNginx: async (id, streamKey) => {
      const answer = await world.t.api('POST', '/v1/vhosts/default/apps/app:startPush', {
        id,
        stream: { name: 'cam' },
        protocol: 'rtmp',
        url: world.nginx.url('live'),
        streamKey,
      });
      if (answer.status !== 200) throw new Error(`startPush ${id}: ${JSON.stringify(answer.body)}`);
    },
    shot: (page, name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true }),
    row: (page, id) => page.locator(`tr[data-push-id="${id}"]`),
  };

  beforeAll(async () => {
    const files = await buildDashboardForTest();
    console.log(
      `[sluice] dashboard build: ${files.map((f) => `${f.name} ${f.bytes} B (${f.gzip} B gzip)`).join(', ')}`,
    );
    shots = screenshotFolder();
    nginx = await startNginxRtmp({ apps: ['live'] });
    t = await startTestServer();
    await world.publish('cam');
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(publishers.map((p) => stopFfmpeg(p)));
    await t?.close();
    await nginx?.stop();
  });

  return world;
}
