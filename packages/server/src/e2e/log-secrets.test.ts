/**
 * End-to-end: the access token and stream keys never appear in the server's log. A
 * full run at debug level, text and JSON: start, publish with ffmpeg, API calls with the
 * token (and failed ones), pushes to nginx-rtmp with a stream key and with the key in
 * the URL, a push that fails against a closed port, stops, shutdown; then the log is grepped.
 */
import { describeWithPeers, freeTcpPort, startNginxRtmp, waitFor } from '@sluice/test-support';
import { expect, it } from 'vitest';
import { createLogger } from '../log/logger.js';
import { createSluiceServer } from '../sluice-server.js';
import { callApi, startFfmpegPublisher, stopFfmpeg } from './peers.js';
import { TOKEN, writeTestConfig } from './harness.js';

const APP = '/v1/vhosts/default/apps/app';
const KEY_FIELD = 'sk-field-3f9a2c71';
const KEY_IN_URL = 'sk-in-url-77b1e0d4';
const KEY_FAILING = 'sk-failing-a1b2c3d4';

describeWithPeers(['ffmpeg', 'nginx-rtmp'], 'e2e: secrets stay out of the log', () => {
  it.each([false, true])(
    'json=%s: neither the token nor any stream key is logged',
    async (json) => {
      const lines: string[] = [];
      const nginx = await startNginxRtmp({ apps: ['live'], record: false });
      const server = createSluiceServer({
        configFile: writeTestConfig().file,
        host: '127.0.0.1',
        retry: { initialDelayMs: 200, maxDelayMs: 500 },
        logger: createLogger({ level: 'debug', json, write: (l) => lines.push(l) }),
      });
      const { apiPort, rtmpPort } = await server.listen();
      const publisher = startFfmpegPublisher(`rtmp://127.0.0.1:${rtmpPort}/app/show`);
      try {
        await waitFor(
          () => server.hub.stream({ vhost: 'default', app: 'app', name: 'show' }) !== undefined,
          20_000,
          'live',
        );
        const api = (path: string, body?: unknown) => callApi(apiPort as number, TOKEN, 'POST', path, body);
        const closed = await freeTcpPort();
        for (const [id, url, streamKey] of [
          ['field', nginx.url('live'), KEY_FIELD],
          ['in-url', `${nginx.url('live')}/${KEY_IN_URL}`, ''],
          ['failing', `rtmp://127.0.0.1:${closed}/live`, KEY_FAILING],
        ])
          expect(
            (await api(`${APP}:startPush`, { id, stream: { name: 'show' }, protocol: 'rtmp', url, streamKey })).status,
          ).toBe(200);
        await waitFor(() => server.registry.getPush('field')?.state === 'pushing', 15_000, 'push with a key running');
        await waitFor(
          () => server.registry.getPush('in-url')?.state === 'pushing',
          15_000,
          'push with the key in the url',
        );
        await waitFor(() => (server.registry.getPush('failing')?.sequence ?? 0) >= 2, 15_000, 'failing push retried');
        expect((await callApi(apiPort as number, 'wrong-token', 'GET', '/v1/vhosts')).status).toBe(401);
        expect((await api(`${APP}:pushes`)).status).toBe(200);
        for (const id of ['field', 'in-url', 'failing'])
          expect((await api(`${APP}:stopPush`, { id })).status).toBe(200);
      } finally {
        await stopFfmpeg(publisher);
        await server.close();
        await nginx.stop();
      }
      const log = lines.join('\n');
      expect(lines.length).toBeGreaterThan(20);
      expect(log).toContain('push created');
      expect(log).toContain('[redacted]');
      for (const secret of [TOKEN, Buffer.from(TOKEN).toString('base64'), KEY_FIELD, KEY_IN_URL, KEY_FAILING])
        expect(log, `"${secret}" in the log`).not.toContain(secret);
    },
    90_000,
  );
});
