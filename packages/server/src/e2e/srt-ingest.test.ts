/**
 * End-to-end, the srt ingest with libsrt publishers: ffmpeg (`-f mpegts srt://…?streamid=…`),
 * srt-live-transmit (udp:// → srt://) and GStreamer's srtsink call our listener, each with
 * another stream ID form; the stream is live with `sourceType: "srt"`, and pushes carry it on
 * to nginx-rtmp (RTMP), to a UDP receiver (MPEG-TS) and to an srt-live-transmit listener
 * (SRT in → SRT out): every capture decodes. H.265 and Opus come through; PTS wrapping at
 * 2^33 is unwrapped (no discontinuity, the output decodes).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describeWithPeers, expectDecodes, freeUdpPort, startNginxRtmp, waitFor } from '@sluice/test-support';
import type { NginxRtmp, PeerProcess } from '@sluice/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sleep, startTestServer } from './harness.js';
import type { TestServer } from './harness.js';
import {
  ffmpegSrtUrl,
  generateLiveTs,
  rtmpPushToNginx,
  startFfmpegTsPublisher,
  startFfmpegUdpReceiver,
  stopFfmpeg,
} from './peers.js';
import { startGstSrtPublisher, startSltPublisher } from './srt-publishers.js';
import { startSrtReceiver } from './srt-receivers.js';

const APP = '/v1/vhosts/default/apps/app';

interface StreamView {
  sourceType?: string;
  discontinuities?: number;
  tracks: { codec: string; type: string }[];
}

describeWithPeers(
  ['ffmpeg', 'ffprobe', 'nginx-rtmp', 'srt-live-transmit', 'gstreamer'],
  'e2e: srt ingest from libsrt publishers',
  () => {
    let t: TestServer;
    let nginx: NginxRtmp;
    let source: string;
    const peers: PeerProcess[] = [];

    const stream = async (name: string): Promise<StreamView | undefined> =>
      (await t.api<StreamView>('GET', `${APP}/streams/${name}`)).body?.response;
    const codecs = async (name: string): Promise<string[]> =>
      ((await stream(name))?.tracks ?? []).map((track) => track.codec.toLowerCase()).sort();
    const start = async (body: Record<string, unknown>): Promise<void> => {
      const started = await t.api('POST', `${APP}:startPush`, body);
      expect(started.status, JSON.stringify(started.body)).toBe(200);
    };
    /** Waits for `bytes` sent by push `id`, then stops it and waits until it is gone. */
    const pushSome = async (id: string, bytes = 200_000): Promise<void> => {
      await t.waitForState(id, 'pushing', 20_000);
      await waitFor(async () => ((await t.push(id))?.sentBytes ?? 0) > bytes, 30_000, `media of ${id}`);
      expect((await t.api('POST', `${APP}:stopPush`, { id })).status).toBe(200);
      await t.waitForGone(id);
    };

    beforeAll(async () => {
      source = await generateLiveTs();
      nginx = await startNginxRtmp({ apps: ['live'] });
      t = await startTestServer({ srt: {} });
    });

    afterAll(async () => {
      await Promise.all(peers.map((p) => stopFfmpeg(p)));
      await t?.close();
      await nginx?.stop();
    });

    it('ffmpeg, stream ID default/app/cam: live as srt; pushed to nginx-rtmp, udp:// and srt:// (srt-live-transmit), all decode', async () => {
      peers.push(startFfmpegTsPublisher(ffmpegSrtUrl(t.srtPort, 'default/app/cam'), source));
      await t.waitForLive('cam');
      expect((await stream('cam'))?.sourceType).toBe('srt');
      expect(await codecs('cam')).toEqual(['aac', 'h264']);

      const udpPort = await freeUdpPort();
      const udpFile = join(mkdtempSync(join(tmpdir(), 'sluice-srt-in-')), 'udp.ts');
      const udpReceiver = startFfmpegUdpReceiver(udpPort, udpFile);
      const srtPort = await freeUdpPort();
      const srtOut = startSrtReceiver('srt-live-transmit', { port: srtPort, latencyMs: 120 });
      await start(rtmpPushToNginx(nginx, 'to-rtmp', 'cam', 'fromsrt'));
      await start({ id: 'to-udp', stream: { name: 'cam' }, protocol: 'mpegts', url: `udp://127.0.0.1:${udpPort}` });
      await start({
        id: 'to-srt',
        stream: { name: 'cam' },
        protocol: 'srt',
        url: `srt://127.0.0.1:${srtPort}?latency=120000`,
      });
      await Promise.all(['to-rtmp', 'to-udp', 'to-srt'].map((id) => pushSome(id)));
      await Promise.race([udpReceiver.exited, sleep(6000)]); // 3 s without datagrams end it
      await stopFfmpeg(udpReceiver);
      await srtOut.stop();
      const recording = nginx.recordings().find((f) => basename(f).startsWith('fromsrt-'));
      expect(recording).toBeDefined();
      for (const file of [recording!, udpFile, srtOut.file]) await expectDecodes(file);
    });

    it('srt-live-transmit (udp:// → srt://), stream ID #!::r=app/slt,m=publish: live, carried on to udp://, decodes', async () => {
      peers.push(
        ...(await startSltPublisher(
          `srt://127.0.0.1:${t.srtPort}?streamid=#!::r=app/slt,m=publish&latency=120`,
          source,
        )),
      );
      await t.waitForLive('slt');
      expect((await stream('slt'))?.sourceType).toBe('srt');
      const udpPort = await freeUdpPort();
      const file = join(mkdtempSync(join(tmpdir(), 'sluice-srt-in-')), 'slt.ts');
      const receiver = startFfmpegUdpReceiver(udpPort, file);
      await start({ id: 'slt-udp', stream: { name: 'slt' }, protocol: 'mpegts', url: `udp://127.0.0.1:${udpPort}` });
      await pushSome('slt-udp');
      await Promise.race([receiver.exited, sleep(6000)]);
      await stopFfmpeg(receiver);
      await expectDecodes(file);
    });

    it('GStreamer srtsink, stream ID percent-encoded srt://127.0.0.1:PORT/app/gst (the OvenMediaEngine form): live', async () => {
      const streamId = encodeURIComponent(`srt://127.0.0.1:${t.srtPort}/app/gst`);
      peers.push(
        startGstSrtPublisher(source, `srt://127.0.0.1:${t.srtPort}?mode=caller&streamid=${streamId}`, ['latency=120']),
      );
      await t.waitForLive('gst', 20_000);
      expect((await stream('gst'))?.sourceType).toBe('srt');
      expect(await codecs('gst')).toEqual(['aac', 'h264']);
    });

    it('H.265 + AAC and Opus come through the demuxer into the stream tracks', async () => {
      peers.push(startFfmpegTsPublisher(ffmpegSrtUrl(t.srtPort, 'default/app/hevc'), 'h265-aac.ts'));
      peers.push(startFfmpegTsPublisher(ffmpegSrtUrl(t.srtPort, 'default/app/opus'), 'opus.ts'));
      await t.waitForLive('hevc');
      await t.waitForLive('opus');
      expect(await codecs('hevc')).toEqual(['aac', 'h265']);
      expect(await codecs('opus')).toEqual(['opus']);
    });

    it('PTS/DTS wrapping at 2^33 (26.5 h) is unwrapped: no discontinuity, the udp:// capture decodes', async () => {
      // 2^33 / 90 kHz = 95 443.7 s: from 95 436 s on (plus the source's 1.4 s start) the timestamps wrap ~6 s in
      peers.push(
        startFfmpegTsPublisher(ffmpegSrtUrl(t.srtPort, 'default/app/wrap'), source, ['-output_ts_offset', '95436']),
      );
      await t.waitForLive('wrap');
      const udpPort = await freeUdpPort();
      const file = join(mkdtempSync(join(tmpdir(), 'sluice-srt-in-')), 'wrap.ts');
      const receiver = startFfmpegUdpReceiver(udpPort, file);
      await start({ id: 'wrap-udp', stream: { name: 'wrap' }, protocol: 'mpegts', url: `udp://127.0.0.1:${udpPort}` });
      await pushSome('wrap-udp', 450_000); // ~12 s at 300 kbit/s: past the wrap
      await Promise.race([receiver.exited, sleep(6000)]);
      await stopFfmpeg(receiver);
      expect((await stream('wrap'))?.discontinuities ?? 0).toBe(0);
      await expectDecodes(file);
    });
  },
);
