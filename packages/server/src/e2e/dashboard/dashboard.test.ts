/**
 * The dashboard in a real browser (Debian's chromium through playwright-core) against
 * a real server: ffmpeg publishes to our RTMP ingest, pushes go to nginx-rtmp. What
 * needs /v1/events (a push reaching `pushing` without a reload, live stats, rows
 * leaving by themselves) is in dashboard-events.test.ts. Screenshots go to the folder
 * printed at the start.
 */
import { describeWithPeers, waitFor } from '@sluice/test-support';
import { expect, it } from 'vitest';
import { TOKEN } from '../harness.js';
import { seriousAxeViolations, tabTo } from './browser.js';
import { useDashboardWorld } from './fixture.js';

const APP = '/v1/vhosts/default/apps/app';
/** A stream name that is HTML: it must show as these characters. */
const XSS_NAME = '<img src=x onerror=window.__xss=1>';

describeWithPeers(['ffmpeg', 'nginx-rtmp', 'chromium'], 'e2e: the dashboard in chromium', () => {
  const world = useDashboardWorld();
  const { open, signIn, shot, row } = world;

  it('a wrong token is refused in words, and nothing is shown', async () => {
    const { page, cspViolations } = await open();
    await signIn(page, 'not-the-token');
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('Wrong access token');
    expect(await alert.textContent()).toContain('Invalid access token (401)');
    expect(await page.getByRole('heading', { name: 'Streams' }).count()).toBe(0);
    await shot(page, '01-wrong-token');
    expect(cspViolations()).toEqual([]);
  });

  it('signs in, keeps the token in sessionStorage only, lists the live stream with its tracks', async () => {
    const { page, problems, cspViolations } = await open();
    await signIn(page);
    await page.getByRole('heading', { name: 'Streams' }).waitFor();
    const card = page.locator('li.stream', { has: page.getByRole('heading', { name: 'cam', exact: true }) });
    await card.waitFor();
    const text = (await card.textContent()) ?? '';
    expect(text).toContain('H.264');
    expect(text).toContain('AAC');
    expect(text).toMatch(/\d+×\d+/); // resolution
    expect(text).toMatch(/\d+(\.\d+)? kHz/); // sample rate
    expect(await card.locator('dd').first().textContent()).toBe('rtmp');
    expect(await page.evaluate('sessionStorage.getItem("sluice.accessToken")')).toBe(TOKEN);
    expect(await page.evaluate('localStorage.length + document.cookie.length')).toBe(0);
    expect(page.url()).not.toContain(TOKEN);
    // a reload keeps the session (same tab)
    await page.reload();
    await card.waitFor();
    await shot(page, '02-streams');
    expect(cspViolations()).toEqual([]);
    expect(problems.filter((p) => p.startsWith('uncaught'))).toEqual([]);
  });

  it('shows a stream named like HTML as its characters, never as markup', async () => {
    await world.publish(XSS_NAME);
    const { page } = await open();
    await signIn(page);
    const heading = page.getByRole('heading', { name: XSS_NAME, exact: true });
    await heading.waitFor();
    expect(await heading.textContent()).toBe(XSS_NAME);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
  });

  it('starts a push to nginx-rtmp from the form, masks its key, stops it after confirmation, and it leaves', async () => {
    const { page, cspViolations } = await open();
    await signIn(page);
    await page.getByRole('heading', { name: 'Start a push' }).waitFor();
    await page.getByLabel('Stream', { exact: true }).fill('cam');
    await page.getByLabel('Destination').selectOption({ label: 'RTMP (any server)' });
    expect(await page.locator('#push-needs').textContent()).toContain('rtmp://host[:port]/app');
    await page.getByLabel('URL').fill(world.nginx.url('live'));
    await page.getByLabel('Stream key').fill('dashkey');
    await page.getByLabel('Push ID (optional)').fill('dash-push');
    await page.getByRole('button', { name: 'Start push' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Push dash-push started' }).count()).toBe(1);
    await row(page, 'dash-push').waitFor();

    // the server pushes for real: nginx records it
    const pushing = await world.t.waitForState('dash-push', 'pushing', 15_000);
    expect(pushing.url).toBe(world.nginx.url('live'));
    await waitFor(
      () => world.nginx.recordings().some((f) => f.includes('dashkey')),
      15_000,
      'nginx recording of dashkey',
    );

    // a Refresh (one REST reload, not a poll) shows the state the server has
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => row(page, 'dash-push').getAttribute('data-state')).toBe('pushing');
    const r = row(page, 'dash-push');
    expect(await r.locator('.state').textContent()).toBe('Pushing');
    expect(await r.textContent()).toContain('cam');
    expect(await r.locator('.destination code').textContent()).toBe(`${world.nginx.url('live')}/••••••••`);
    await page.getByRole('button', { name: 'Show key of dash-push' }).click();
    expect(await r.locator('.destination code').textContent()).toBe(`${world.nginx.url('live')}/dashkey`);
    await page.getByRole('button', { name: 'Show key of dash-push' }).click();
    await shot(page, '03-pushes');

    // Stop asks first; Cancel keeps it
    await page.getByRole('button', { name: 'Stop dash-push' }).click();
    const dialog = page.getByRole('dialog', { name: 'Stop push dash-push?' });
    await dialog.waitFor();
    await shot(page, '04-stop-confirmation');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await dialog.count()).toBe(0);
    expect((await world.t.push('dash-push'))?.state).toBe('pushing');

    await page.getByRole('button', { name: 'Stop dash-push' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Stop push' }).click();
    // live events may remove the row before a poll sees it stopping: either is the push leaving
    await expect
      .poll(async () =>
        (await row(page, 'dash-push').count()) === 0 ? 'gone' : await row(page, 'dash-push').getAttribute('data-state'),
      )
      .toMatch(/^(stopping|stopped|gone)$/);
    await world.t.waitForGone('dash-push');
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => row(page, 'dash-push').count()).toBe(0);
    expect(cspViolations()).toEqual([]);
  });

  it("shows the API's error as the API words it", async () => {
    const body = { id: 'dash-bad', stream: { name: 'cam' }, protocol: 'rtmp', url: 'rtmp://', streamKey: 'k' };
    const answer = await world.t.api('POST', `${APP}:startPush`, body);
    expect(answer.status).toBe(400);
    const message = answer.body?.message ?? '';
    expect(message).toMatch(/\(400\)$/);

    const { page } = await open();
    await signIn(page);
    await page.getByLabel('Stream', { exact: true }).fill('cam');
    await page.getByLabel('Destination').selectOption({ label: 'RTMP (any server)' });
    await page.getByLabel('URL').fill('rtmp://');
    await page.getByLabel('Stream key').fill('k');
    await page.getByLabel('Push ID (optional)').fill('dash-bad');
    await page.getByRole('button', { name: 'Start push' }).click();
    const error = page.locator('#start-error');
    await expect.poll(() => error.textContent()).toBe(message);
    await shot(page, '05-api-error');
  });

  it('passes axe-core with no serious or critical violation (sign-in page, dashboard with a push, stop dialog)', async () => {
    await world.startPushToNginx('axe-push', 'axe');
    const { page } = await open();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await signIn(page);
    await row(page, 'axe-push').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Stop axe-push' }).click();
    await page.getByRole('dialog').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('dialog').getByRole('button', { name: 'Stop push' }).click();
    await world.t.waitForGone('axe-push');
  });

  it('fits a phone-sized screen: nothing wider than the viewport but the scrollable table', async () => {
    const { page } = await open({ width: 390, height: 844 });
    await signIn(page);
    await page.getByRole('heading', { name: 'cam', exact: true }).waitFor();
    await world.startPushToNginx('phone-push', 'phone');
    await page.getByRole('button', { name: 'Refresh' }).click();
    await row(page, 'phone-push').waitFor();
    const widths = await page.evaluate<{ page: number; viewport: number; scroller: number }>(
      `({ page: document.documentElement.scrollWidth, viewport: window.innerWidth, scroller: document.querySelector('.table-scroll').clientWidth })`,
    );
    const wide = await page.evaluate(
      `[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-scroll')).map((e) => e.tagName + '.' + e.className + '#' + e.id).slice(0, 10)`,
    );
    expect(wide).toEqual([]);
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    expect(widths.scroller).toBeLessThanOrEqual(widths.viewport);
    // the Stop button can be reached and used (the table scrolls inside its region)
    await page.getByRole('button', { name: 'Stop phone-push' }).scrollIntoViewIfNeeded();
    expect(await page.getByRole('button', { name: 'Stop phone-push' }).isVisible()).toBe(true);
    await shot(page, '06-phone');
    await world.t.api('POST', `${APP}:stopPush`, { id: 'phone-push' });
    await world.t.waitForGone('phone-push');
  });

  it('works with the keyboard alone: sign in, start a push, stop it', async () => {
    const { page } = await open();
    await tabTo(page, 'token');
    await page.keyboard.type(TOKEN);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Start a push' }).waitFor();

    await tabTo(page, 'push-stream');
    await page.keyboard.type('cam');
    await tabTo(page, 'push-preset');
    // choose "MPEG-TS over TCP"? no: RTMP (any server), by typing its first letters on the focused select
    await page.keyboard.type('RTMP (any');
    expect(await page.locator('#push-preset').inputValue()).toBe('rtmp');
    await tabTo(page, 'push-url');
    await page.keyboard.type(world.nginx.url('live'));
    await tabTo(page, 'push-key');
    await page.keyboard.type('keyboard');
    await tabTo(page, 'push-id');
    await page.keyboard.type('kbd-push');
    await page.keyboard.press('Enter');
    await row(page, 'kbd-push').waitFor();
    await world.t.waitForState('kbd-push', 'pushing', 15_000);

    await page.evaluate('document.activeElement && document.activeElement.blur()');
    await tabTo(page, 'Stop kbd-push', 120);
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    // focus starts on Cancel; Shift+Tab goes to "Stop push"
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Stop push');
    await page.keyboard.press('Enter');
    await world.t.waitForGone('kbd-push');
    await shot(page, '07-keyboard');
  });
});
