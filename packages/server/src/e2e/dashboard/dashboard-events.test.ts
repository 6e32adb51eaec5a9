/**
 * The dashboard's live parts over `/v1/events` (issue 13): the event stream read with fetch
 * and the Authorization header, rows and cards moved by push/stream events, the `stats`
 * events' bit rates and chart. Same peers and world as dashboard.test.ts.
 */
import { describeWithPeers } from '@sluice/test-support';
import type { Request } from 'playwright-core';
import { expect, it } from 'vitest';
import { TOKEN } from '../harness.js';
import { stopFfmpeg } from '../peers.js';
import { useDashboardWorld } from './fixture.js';

const APP = '/v1/vhosts/default/apps/app';
const LIVE = 20_000;

describeWithPeers(['ffmpeg', 'nginx-rtmp', 'chromium'], 'e2e: the dashboard live over /v1/events', () => {
  const world = useDashboardWorld();
  const { open, signIn, shot, row } = world;

  it('reads /v1/events with fetch and the Authorization header: the token is in no URL', async () => {
    const { page } = await open();
    const requests: Request[] = [];
    page.on('request', (r) => requests.push(r));
    await signIn(page);
    await expect.poll(() => page.locator('#live-status').textContent(), { timeout: LIVE }).toBe('Live');
    const events = requests.find((r) => new URL(r.url()).pathname === '/v1/events');
    expect(events).toBeDefined();
    expect(events?.url()).toBe(`http://127.0.0.1:${world.t.apiPort}/v1/events`);
    expect((await events?.allHeaders())?.['authorization']).toBe(`Basic ${Buffer.from(TOKEN).toString('base64')}`);
    for (const r of requests) expect(r.url()).not.toContain(TOKEN);
  });

  it('a push started from the form reaches Pushing in the table without a reload, then stops and leaves by itself', async () => {
    const { page, cspViolations } = await open();
    await signIn(page);
    await expect.poll(() => page.locator('#live-status').textContent(), { timeout: LIVE }).toBe('Live');
    await page.getByLabel('Stream', { exact: true }).fill('cam');
    await page.getByLabel('Destination').selectOption({ label: 'RTMP (any server)' });
    await page.getByLabel('URL').fill(world.nginx.url('live'));
    await page.getByLabel('Stream key').fill('live-key');
    await page.getByLabel('Push ID (optional)').fill('live-push');
    await page.getByRole('button', { name: 'Start push' }).click();
    // no Refresh, no reload: push.state events move the row
    await expect.poll(() => row(page, 'live-push').getAttribute('data-state'), { timeout: LIVE }).toBe('pushing');
    expect(await row(page, 'live-push').locator('.state').textContent()).toBe('Pushing');

    // stats events: bit rate and bytes of the push, the stream's input chart
    await expect
      .poll(() => row(page, 'live-push').locator('td.num').nth(1).textContent(), { timeout: LIVE })
      .toMatch(/bit\/s$/);
    const sent = async (): Promise<number> =>
      Number(await row(page, 'live-push').locator('data').getAttribute('value'));
    const first = await sent();
    await expect.poll(sent, { timeout: LIVE }).toBeGreaterThan(first);
    const chart = page.getByRole('img', { name: /^Input bit rate of cam over the last/ });
    await expect.poll(() => chart.count(), { timeout: LIVE }).toBe(1);
    expect(await chart.getAttribute('aria-label')).toMatch(/now \d+(\.\d+)? [kM]bit\/s, peak/);
    await shot(page, '11-live-pushing');

    await page.getByRole('button', { name: 'Stop live-push' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Stop push' }).click();
    // push.removed takes the row away: no Refresh
    await expect.poll(() => row(page, 'live-push').count(), { timeout: LIVE }).toBe(0);
    expect(cspViolations()).toEqual([]);
  });

  it('shows what happens elsewhere: a push started through the API, a stream published and ended after the page loaded', async () => {
    const { page } = await open();
    await signIn(page);
    await expect.poll(() => page.locator('#live-status').textContent(), { timeout: LIVE }).toBe('Live');
    await world.startPushToNginx('api-push', 'api-key');
    await expect.poll(() => row(page, 'api-push').getAttribute('data-state'), { timeout: LIVE }).toBe('pushing');

    const late = await world.publish('late');
    const card = page.locator('li.stream', { has: page.getByRole('heading', { name: 'late', exact: true }) });
    await card.waitFor({ timeout: LIVE });
    expect(await card.textContent()).toContain('H.264');
    await stopFfmpeg(late);
    await expect.poll(() => card.count(), { timeout: LIVE }).toBe(0);

    await world.t.api('POST', `${APP}:stopPush`, { id: 'api-push' });
    await expect.poll(() => row(page, 'api-push').count(), { timeout: LIVE }).toBe(0);
  });
});
