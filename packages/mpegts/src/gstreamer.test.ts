/** A second, independent demuxer/decoder: GStreamer's tsdemux + libav decoders read our output. */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { describeWithPeers, readFixture, runCommand } from '@sluice/test-support';
import { muxToBytes, readFlv } from './test-support/media-source.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-mpegts-gst-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeWithPeers(['gstreamer'], 'TsMuxer output in GStreamer', () => {
  it('tsdemux ! h264parse ! avdec_h264 and aacparse ! avdec_aac decode every frame without a warning', async () => {
    const source = readFlv(readFixture('h264-high-aac.flv'));
    const file = join(dir, 'out.ts');
    writeFileSync(file, muxToBytes(source).bytes);
    const video = join(dir, 'v.yuv');
    const audio = join(dir, 'a.raw');
    const r = await runCommand(
      'gst-launch-1.0',
      [
        'filesrc',
        `location=${file}`,
        '!',
        'tsdemux',
        'name=d',
        'd.',
        '!',
        'queue',
        '!',
        'h264parse',
        '!',
        'avdec_h264',
        '!',
        'video/x-raw,format=I420',
        '!',
        'filesink',
        `location=${video}`,
        'd.',
        '!',
        'queue',
        '!',
        'aacparse',
        '!',
        'avdec_aac',
        '!',
        'audioconvert',
        '!',
        'audio/x-raw,format=S16LE,channels=2',
        '!',
        'filesink',
        `location=${audio}`,
      ],
      60_000,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/WARNING|ERROR/);
    // 320x240 I420 frames; 1024-sample stereo S16 AAC frames
    expect(statSync(video).size / (320 * 240 * 1.5)).toBe(source.packets.filter((p) => p.trackId === 0).length);
    expect(statSync(audio).size / (1024 * 4)).toBeGreaterThanOrEqual(
      source.packets.filter((p) => p.trackId === 1).length - 1,
    );
  });
});
