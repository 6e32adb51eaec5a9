import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithPeers } from './vitest-peers.js';
import { startNginxRtmp, removeNginxDir, type NginxRtmp } from './nginx-rtmp.js';
import { runCommand } from './process.js';
import { ffprobe } from './ffprobe.js';

describeWithPeers(['nginx-rtmp', 'ffmpeg', 'ffprobe'], 'nginx-rtmp launcher (the peer our push tests rely on)', () => {
  let nginx: NginxRtmp;
  beforeAll(async () => {
    nginx = await startNginxRtmp({ tls: true });
  });
  afterAll(async () => {
    await nginx.stop();
    removeNginxDir(nginx);
  });

  it('records what ffmpeg publishes over RTMP and survives a restart on the same port', async () => {
    const publish = (url: string) =>
      runCommand(
        'ffmpeg',
        [
          '-nostdin',
          '-v',
          'error',
          '-f',
          'lavfi',
          '-i',
          'testsrc2=size=160x120:rate=25:duration=1',
          '-c:v',
          'libx264',
          '-g',
          '25',
          '-f',
          'flv',
          url,
        ],
        30_000,
      );
    const first = await publish(`${nginx.url()}/one`);
    expect(first.code, first.stderr).toBe(0);
    await nginx.stop();
    await nginx.restart();
    const second = await publish(`${nginx.url()}/two`);
    expect(second.code, second.stderr).toBe(0);
    await nginx.stop();
    const files = nginx.recordings();
    expect(files.length).toBe(2);
    for (const file of files) {
      const probe = await ffprobe(file);
      expect(probe.streams[0]?.codec_name).toBe('h264');
      expect(probe.packets.length).toBeGreaterThanOrEqual(24);
    }
    await nginx.restart();
  });

  it('accepts RTMPS through the TLS stream proxy', async () => {
    expect(nginx.tlsPort).toBeTypeOf('number');
    const r = await runCommand(
      'ffmpeg',
      [
        '-nostdin',
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=160x120:rate=25:duration=1',
        '-c:v',
        'libx264',
        '-f',
        'flv',
        '-tls_verify',
        '0',
        `rtmps://127.0.0.1:${nginx.tlsPort}/live/tls`,
      ],
      30_000,
    );
    expect(r.code, r.stderr).toBe(0);
    await nginx.stop();
    expect(nginx.recordings().some((f) => f.includes('tls'))).toBe(true);
    await nginx.restart();
  });
});
