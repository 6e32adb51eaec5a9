/**
 * End-to-end, one server shared by several scenarios (issue 7): ffmpeg publishes a
 * looped fixture to our RTMP ingest; pushes go to nginx-rtmp (recording) and to an
 * ffmpeg UDP receiver; the outputs are judged by ffprobe/ffmpeg.
 *   1. rtmp push → nginx recording passes ffprobe; :pushes connecting → pushing, growing sentBytes
 *   2. mpegts push → udp://, received by ffmpeg, decodes cleanly; datagrams are 1316 bytes
 *   3. track selection: video-only and audio-only pushes give single-track outputs
 *   7. a push reserved before its stream exists starts when it is published; a StreamMap entry pushes automatically
 *   8. garbage on the RTMP port and 1,000 malformed API calls while a push runs: it keeps going, its output decodes
 */
import { basename, join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { PushRecord } from '@sluice/push';
import {
  describeWithPeers,
  expectDecodes,
  ffmpegDecodeErrors,
  ffprobe,
  freeUdpPort,
  startNginxRtmp,
  waitFor,
} from '@sluice/test-support';
import type { NginxRtmp, PeerProcess } from '@sluice/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { attackRtmpPort, malformedApiCall } from './garbage.js';
import { sleep, startTestServer, TOKEN } from './harness.js';
import type { TestServer } from './harness.js';
import {
  startFfmpegPublisher,
  startFfmpegUdpReceiver,
  startUdpRelay,
  stopFfmpeg,
  waitForUdpListener,
} from './peers.js';
import type { UdpRelay } from './peers.js';

const PUSH_MS = 5000;
const APP = '/v1/vhosts/default/apps/app';

describeWithPeers(
  ['ffmpeg', 'ffprobe', 'nginx-rtmp'],
  'e2e: pushes from the RTMP ingest (scenarios 1, 2, 3, 7, 8)',
  () => {
    let nginx: NginxRtmp;
    let t: TestServer;
    const publishers: PeerProcess[] = [];
    const receivers: PeerProcess[] = [];
    const work = mkdtempSync(join(tmpdir(), 'sluice-e2e-out-'));

    const recordingsOf = (key: string): string[] => nginx.recordings().filter((f) => basename(f).startsWith(`${key}-`));
    const start = async (body: unknown): Promise<PushRecord> => {
      const answer = await t.api<PushRecord[]>('POST', `${APP}:startPush`, body);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return answer.body?.response?.[0] as PushRecord;
    };
    /** Push `id` of `stream` to nginx's `live` app; the stream key (its recordings' name) is `id` unless given. */
    const startToNginx = (
      id: string,
      stream: { name: string; tracks?: unknown[] },
      streamKey = id,
    ): Promise<PushRecord> => start({ id, stream, protocol: 'rtmp', url: nginx.url('live'), streamKey });
    const stop = async (id: string): Promise<void> => {
      const answer = await t.api('POST', `${APP}:stopPush`, { id });
      expect(answer.status).toBe(200);
      await t.waitForGone(id);
    };

    beforeAll(async () => {
      nginx = await startNginxRtmp({ apps: ['live'] });
      t = await startTestServer({
        streamMapXml: `<PushInfo><Push><Enable>true</Enable><StreamName>auto*</StreamName><Protocol>rtmp</Protocol><Url>${nginx.url('live')}</Url><StreamKey>\${Stream}-map</StreamKey></Push></PushInfo>`,
      });
      publishers.push(startFfmpegPublisher(t.ingestUrl('cam')));
      await t.waitForLive('cam');
    });

    afterAll(async () => {
      await Promise.all([...publishers, ...receivers].map((p) => stopFfmpeg(p)));
      await t?.close();
      await nginx?.stop();
    });

    it('the ingest refuses a second publisher of a live name and an unknown application; the live stream goes on', async () => {
      const duplicate = startFfmpegPublisher(t.ingestUrl('cam'));
      const unknownApp = startFfmpegPublisher(`rtmp://127.0.0.1:${t.rtmpPort}/nope/cam`);
      const codes = await Promise.all(
        [duplicate.exited, unknownApp.exited].map((p) => Promise.race([p, sleep(15_000).then(() => 'still running')])),
      );
      expect(
        codes.every((c) => c !== 0 && c !== 'still running'),
        `ffmpeg exits: ${codes.join(', ')}`,
      ).toBe(true);
      expect(t.server.hub.stream({ vhost: 'default', app: 'app', name: 'cam' })).toBeDefined();
      expect(t.server.hub.liveStreams().map((s) => s.ref.app)).not.toContain('nope');
    });

    // Scenarios 1-3 run at the same time on the same source stream.
    let full: { samples: PushRecord[]; last: PushRecord };
    let udp: { relay: UdpRelay; file: string; last: PushRecord };
    const single: Record<'video' | 'audio', { key: string; last?: PushRecord }> = {
      video: { key: 'vonly' },
      audio: { key: 'aonly' },
    };

    it('discovery lists the published stream with its tracks', async () => {
      const answer = await t.api<{ tracks: Array<{ id: number; type: string; codec: string; width?: number }> }>(
        'GET',
        `${APP}/streams/cam`,
      );
      expect(answer.status).toBe(200);
      const tracks = answer.body?.response?.tracks ?? [];
      expect(tracks.map((x) => [x.type, x.codec])).toEqual([
        ['video', 'h264'],
        ['audio', 'aac'],
      ]);
      expect(tracks[0]?.width).toBe(320);
    });

    it('1-3. rtmp (all tracks, video only, audio only) and mpegts pushes of one stream run together', async () => {
      const tracks =
        (await t.api<{ tracks: Array<{ id: number; type: string }> }>('GET', `${APP}/streams/cam`)).body?.response
          ?.tracks ?? [];
      const videoId = tracks.find((x) => x.type === 'video')?.id;
      const audioId = tracks.find((x) => x.type === 'audio')?.id;
      const udpPort = await freeUdpPort();
      const file = join(work, 'udp.ts');
      receivers.push(startFfmpegUdpReceiver(udpPort, file));
      await waitForUdpListener(udpPort);
      const relay = await startUdpRelay(udpPort);

      // reserved before 'cam2' is published: every push starts at its first keyframe, so the
      // recording's duration can be compared with the time pushed (no GOP backlog at the start).
      // Track ids are stable per ingest: those of 'cam' are those of 'cam2'.
      await startToNginx('full', { name: 'cam2' });
      await start({ id: 'udp', stream: { name: 'cam2' }, protocol: 'mpegts', url: `udp://127.0.0.1:${relay.port}` });
      await startToNginx('vonly', { name: 'cam2', tracks: [videoId] });
      await startToNginx('aonly', { name: 'cam2', tracks: [audioId] });
      publishers.push(startFfmpegPublisher(t.ingestUrl('cam2')));
      for (const id of ['full', 'udp', 'vonly', 'aonly']) await t.waitForState(id, 'pushing', 15_000);

      const samples: PushRecord[] = [];
      const until = Date.now() + PUSH_MS;
      while (Date.now() < until) {
        const record = await t.push('full');
        if (record !== undefined) samples.push(record);
        await sleep(250);
      }
      const last = async (id: string): Promise<PushRecord> => (await t.push(id)) as PushRecord;
      full = { samples, last: await last('full') };
      udp = { relay, file, last: await last('udp') };
      single.video.last = await last('vonly');
      single.audio.last = await last('aonly');
      await Promise.all(['full', 'udp', 'vonly', 'aonly'].map((id) => stop(id)));
      await sleep(500); // last datagrams reach ffmpeg
      const receiver = receivers.pop() as PeerProcess;
      await Promise.race([receiver.exited, sleep(8000)]); // ends 3 s after the last datagram
      await stopFfmpeg(receiver);
      await relay.close();
      for (const id of ['full', 'udp', 'vonly', 'aonly']) expect(t.statesOf(id), id).toContain('pushing');
    });

    it('1. rtmp push: :pushes shows connecting → pushing with growing sentBytes; the nginx recording passes ffprobe', async () => {
      const states = t.statesOf('full');
      expect(states.indexOf('connecting')).toBeGreaterThanOrEqual(0);
      expect(states.indexOf('pushing')).toBeGreaterThan(states.indexOf('connecting'));
      const pushing = full.samples.filter((s) => s.state === 'pushing');
      expect(pushing.length).toBeGreaterThan(5);
      for (let i = 1; i < pushing.length; i++) expect(pushing[i]!.sentBytes).toBeGreaterThan(pushing[i - 1]!.sentBytes);
      expect(full.last.stream.tracks).toHaveLength(2);
      const files = recordingsOf('full');
      expect(files).toHaveLength(1);
      const probe = await ffprobe(files[0]!);
      const video = probe.streams.find((s) => s.codec_type === 'video');
      const audio = probe.streams.find((s) => s.codec_type === 'audio');
      expect([video?.codec_name, video?.width, video?.height, audio?.codec_name]).toEqual(['h264', 320, 240, 'aac']);
      const duration = Number(probe.format?.duration);
      const expected = full.last.sentTime / 1000;
      expect(Math.abs(duration - expected) / expected, `recorded ${duration} s, pushed ${expected} s`).toBeLessThan(
        0.1,
      );
      expect(probe.packets.find((p) => p.codec_type === 'video')?.flags).toMatch(/^K/);
      expect(await ffmpegDecodeErrors(files[0]!)).toBe('');
    });

    it('2. mpegts push: ffmpeg receives udp:// into a file that decodes cleanly; datagrams are 1316 bytes', async () => {
      expect(udp.relay.datagrams()).toBeGreaterThan(50);
      const odd = [...udp.relay.sizes].filter(([size]) => size !== 1316);
      expect(
        odd.reduce((n, [, count]) => n + count, 0),
        `datagram sizes ${JSON.stringify([...udp.relay.sizes])}`,
      ).toBeLessThanOrEqual(1);
      expect(udp.last.sentBytes).toBeGreaterThan(0);
      await expectDecodes(udp.file);
    });

    it('3. track selection: video-only and audio-only pushes produce single-track outputs', async () => {
      expect(single.video.last?.stream.tracks).toHaveLength(1);
      expect(single.audio.last?.stream.tracks).toHaveLength(1);
      const v = await ffprobe(recordingsOf('vonly')[0]!);
      expect(v.streams.map((s) => s.codec_type)).toEqual(['video']);
      const a = await ffprobe(recordingsOf('aonly')[0]!);
      expect(a.streams.map((s) => s.codec_type)).toEqual(['audio']);
      expect(await ffmpegDecodeErrors(recordingsOf('vonly')[0]!)).toBe('');
      expect(await ffmpegDecodeErrors(recordingsOf('aonly')[0]!)).toBe('');
    });

    it('7. a push reserved before its stream exists starts when it is published; a StreamMap entry pushes automatically', async () => {
      const reserved = await startToNginx('reserved', { name: 'late' }, 'late');
      expect(reserved.state).toBe('ready');
      await sleep(300);
      expect((await t.push('reserved'))?.state).toBe('ready');
      publishers.push(startFfmpegPublisher(t.ingestUrl('late')));
      publishers.push(startFfmpegPublisher(t.ingestUrl('auto1')));
      await t.waitForState('reserved', 'pushing', 15_000);
      const mapId = 'streammap0:default/app/auto1';
      const auto = await t.waitForState(mapId, 'pushing', 15_000);
      expect(auto.isConfig).toBe(true);
      expect(auto.streamKey).toBe('auto1-map');
      await waitFor(async () => ((await t.push('reserved'))?.sentBytes ?? 0) > 50_000, 10_000, 'reserved push sends');
      await waitFor(async () => ((await t.push(mapId))?.sentBytes ?? 0) > 50_000, 10_000, 'StreamMap push sends');
      await stop('reserved');
      await stop(mapId);
      for (const key of ['late', 'auto1-map']) {
        const files = recordingsOf(key);
        expect(files, key).toHaveLength(1);
        await expectDecodes(files[0]!);
      }
    });

    it('8. garbage on the RTMP port and 1,000 malformed API calls while a push runs: the push keeps going, its output decodes', async () => {
      await startToNginx('sturdy', { name: 'cam' });
      await t.waitForState('sturdy', 'pushing');
      const before = (await t.push('sturdy')) as PushRecord;
      const statuses = new Map<number, number>();
      const api = (async () => {
        let next = 0;
        const worker = async (): Promise<void> => {
          while (next < 1000) {
            const status = await malformedApiCall(t.apiPort, TOKEN, next++);
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
          }
        };
        await Promise.all(Array.from({ length: 16 }, worker));
      })();
      await Promise.all([attackRtmpPort(t.rtmpPort), api]);
      expect(
        [...statuses.keys()].every((s) => s >= 400 && s < 500),
        `statuses ${JSON.stringify([...statuses])}`,
      ).toBe(true);
      expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(1000);
      await sleep(1000);
      const after = (await t.push('sturdy')) as PushRecord;
      expect(after.state).toBe('pushing');
      expect(after.sequence).toBe(before.sequence);
      expect(after.sentBytes).toBeGreaterThan(before.sentBytes);
      expect(t.server.hub.stream({ vhost: 'default', app: 'app', name: 'cam' })).toBeDefined();
      await stop('sturdy');
      const files = recordingsOf('sturdy');
      expect(files).toHaveLength(1);
      await expectDecodes(files[0]!);
    });
  },
);
