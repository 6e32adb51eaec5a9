/**
 * End-to-end fault injection, issue 16: a source whose codec configuration changes
 * mid-stream. ffmpeg publishes (with `-c copy`) an FLV made of a 320x240 clip followed by
 * a 640x360 one: a new AVC sequence header (new SPS/PPS, new resolution) and a new AAC one
 * arrive in-band 4 s in. Every push (rtmp to nginx-rtmp, mpegts over UDP) must carry the
 * change: its output decodes without error and holds frames of both sizes.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describeWithPeers,
  ffmpegGenerate,
  runCommand,
  startNginxRtmp,
  startProcess,
  type NginxRtmp,
} from '@sluice/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sleep, startTestServer, type TestServer } from './harness.js';
import { judgeOutput } from './output-judge.js';
import { startUdpCapture } from './ts-captures.js';

const APP = '/v1/vhosts/default/apps/app';

/** FLV tags of a file: [type, timestamp, whole tag bytes without PreviousTagSize]. */
function flvTags(file: Uint8Array): Array<{ type: number; timestamp: number; bytes: Buffer }> {
  const data = Buffer.from(file);
  const tags: Array<{ type: number; timestamp: number; bytes: Buffer }> = [];
  let offset = data.readUInt32BE(5) + 4; // header, then PreviousTagSize0
  while (offset + 11 <= data.length) {
    const size = data.readUIntBE(offset + 1, 3);
    const timestamp = data.readUIntBE(offset + 4, 3) | (data[offset + 7]! << 24);
    tags.push({ type: data[offset]!, timestamp, bytes: data.subarray(offset, offset + 11 + size) });
    offset += 11 + size + 4;
  }
  return tags;
}

/** An FLV of `first` then `second` (its timestamps moved after the first), script tags of the second dropped. */
function spliceFlv(first: Uint8Array, second: Uint8Array): Buffer {
  const a = flvTags(first);
  const b = flvTags(second).filter((t) => t.type !== 18);
  const offset = Math.max(...a.map((t) => t.timestamp)) + 40;
  const parts: Buffer[] = [Buffer.from(first.subarray(0, Buffer.from(first).readUInt32BE(5) + 4))];
  const add = (bytes: Buffer, timestamp: number): void => {
    const tag = Buffer.from(bytes);
    tag.writeUIntBE(timestamp & 0xffffff, 4, 3);
    tag[7] = (timestamp >>> 24) & 0xff;
    const previous = Buffer.alloc(4);
    previous.writeUInt32BE(tag.length);
    parts.push(tag, previous);
  };
  for (const t of a) add(t.bytes, t.timestamp);
  for (const t of b) add(t.bytes, t.timestamp + offset);
  return Buffer.concat(parts);
}

/** Frame sizes (WxH) ffprobe decodes from a file's video. */
async function frameSizes(file: string): Promise<Set<string>> {
  const r = await runCommand('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v',
    '-show_entries',
    'frame=width,height',
    '-of',
    'csv=p=0',
    file,
  ]);
  return new Set(
    r.stdout
      .split('\n')
      .map((l) => /^(\d+),(\d+)/.exec(l.trim()))
      .filter((m) => m !== null)
      .map((m) => `${m[1]}x${m[2]}`),
  );
}

describeWithPeers(
  ['ffmpeg', 'ffprobe', 'nginx-rtmp'],
  'e2e: codec configuration changing mid-stream (issue 16)',
  () => {
    let nginx: NginxRtmp;
    let t: TestServer;
    const sources: Record<string, string> = {};

    beforeAll(async () => {
      nginx = await startNginxRtmp({ apps: ['live'] });
      t = await startTestServer();
      const clip = (size: string, name: string) =>
        ffmpegGenerate(name, [
          ...[
            '-f',
            'lavfi',
            '-i',
            `testsrc=size=${size}:rate=30`,
            '-f',
            'lavfi',
            '-i',
            'sine=frequency=440:sample_rate=48000',
          ],
          ...[
            '-t',
            '4',
            '-c:v',
            'libx264',
            '-g',
            '30',
            '-pix_fmt',
            'yuv420p',
            '-c:a',
            'aac',
            '-b:a',
            '96k',
            '-f',
            'flv',
          ],
        ]);
      const [small, large] = await Promise.all([clip('320x240', 'small.flv'), clip('640x360', 'large.flv')]);
      for (const [name, second] of [
        ['change', large],
        ['same', small],
      ] as const) {
        sources[name] = join(tmpdir(), `sluice-codec-${name}-${process.pid}.flv`);
        writeFileSync(sources[name], spliceFlv(small.data, second.data));
      }
    }, 60_000);

    afterAll(async () => {
      await t?.close();
      await nginx?.stop();
    });

    /** What each spliced source must give: sessions per push (at stream end) and frame sizes. */
    const CASES = [
      ['change', 'a new SPS and resolution 4 s in', 1, 2, ['320x240', '640x360']],
      ['same', 'the identical sequence headers resent 4 s in', 1, 1, ['320x240']],
    ] as const;

    it.each(CASES)(
      '%s: %s: rtmp and mpegts pushes carry it, the outputs decode',
      { timeout: 90_000 },
      async (name, _what, rtmpSessions, tsSessions, sizes) => {
        const capture = await startUdpCapture();
        const ids = [`${name}-rtmp`, `${name}-ts`];
        for (const body of [
          { id: ids[0], stream: { name }, protocol: 'rtmp', url: nginx.url('live'), streamKey: name },
          { id: ids[1], stream: { name }, protocol: 'mpegts', url: `udp://127.0.0.1:${capture.port}` },
        ]) {
          const answer = await t.api('POST', `${APP}:startPush`, body);
          expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        }
        const args = ['-nostdin', '-v', 'error', '-re', '-i', sources[name]!, '-c', 'copy', '-f', 'flv'];
        const ffmpeg = startProcess('ffmpeg', [...args, t.ingestUrl(name)]);
        expect(await ffmpeg.exited, ffmpeg.stderr()).toBe(0);
        for (const id of ids) await t.waitForState(id, 'ready', 15_000);
        const records = await Promise.all(ids.map((id) => t.push(id)));
        console.log(`${name}: ${records.map((r) => `${r?.id} sequence ${r?.sequence}`).join('; ')}`);
        for (const r of records) expect(r?.lastError, r?.id).toBeUndefined();
        // rtmp carries a change in-band (one session, one publish at nginx); mpegts starts a
        // new session at a change (new PMT); an identical resend changes nothing
        expect(records[0]?.sequence, 'rtmp sessions').toBe(rtmpSessions);
        expect(records[1]?.sequence, 'mpegts sessions').toBe(tsSessions);
        for (const id of ids) {
          expect((await t.api('POST', `${APP}:stopPush`, { id })).status).toBe(200);
          await t.waitForGone(id);
        }
        const file = join(tmpdir(), `sluice-codec-${name}-${process.pid}.ts`);
        await capture.close(file);
        await sleep(500);
        const recordings = nginx.recordings().filter((f) => f.includes(`/${name}-`));
        expect(recordings.length, 'one publish at nginx, one recording').toBe(1);
        for (const output of [file, ...recordings]) {
          const verdict = await judgeOutput(output);
          expect(verdict.decodeErrors, output).toBe('');
          expect(verdict.videoFrames, output).toBeGreaterThan(200);
        }
        expect([...(await frameSizes(recordings[0]!))].sort(), 'rtmp output sizes').toEqual(sizes);
        expect([...(await frameSizes(file))].sort(), 'mpegts output sizes').toEqual(sizes);
      },
    );
  },
);
