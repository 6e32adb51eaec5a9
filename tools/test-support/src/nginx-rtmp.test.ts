import { expect, it } from 'vitest';
import { describeWithPeers } from './vitest-peers.js';
import { nginxRtmpForSuite } from './nginx-rtmp-suite.js';
import { runCommand } from './process.js';
import { ffprobe } from './ffprobe.js';

describeWithPeers(['nginx-rtmp', 'ffmpeg', 'ffprobe'], 'nginx-rtmp launcher (the peer our push tests rely on)', () => {
  const nginxOf = nginxRtmpForSuite({ tls: true });
  /** ffmpeg publishing 1 s of testsrc2 in H.264 as FLV to `url`, these output options added. */
  const publish = (url: string, outputOptions: string[] = []) =>
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
        '-f',
        'flv',
        ...outputOptions,
        url,
      ],
      30_000,
    );

  it('records what ffmpeg publishes over RTMP and survives a restart on the same port', async () => {
    const nginx = nginxOf();
    const first = await publish(`${nginx.url()}/one`, ['-g', '25']);
    expect(first.code, first.stderr).toBe(0);
    await nginx.stop();
    await nginx.restart();
    const second = await publish(`${nginx.url()}/two`, ['-g', '25']);
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
    const nginx = nginxOf();
    expect(nginx.tlsPort).toBeTypeOf('number');
    const r = await publish(`rtmps://127.0.0.1:${nginx.tlsPort}/live/tls`, ['-tls_verify', '0']);
    expect(r.code, r.stderr).toBe(0);
    await nginx.stop();
    expect(nginx.recordings().some((f) => f.includes('tls'))).toBe(true);
    await nginx.restart();
  });
});
