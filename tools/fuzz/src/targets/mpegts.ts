/** Fuzz target of @sluice/mpegts: the demuxer over whole transport streams. */
import { TsDemuxError, TsDemuxer } from '@sluice/mpegts';
import { expectTyped, type FuzzTarget } from '../target.js';
import { fixturePrefixes } from '../seeds.js';

export const tsDemuxer: FuzzTarget = {
  name: 'ts-demuxer',
  description: 'MPEG-TS stream (TsDemuxer: PAT/PMT, PES, H.264/H.265/AAC/MP3/Opus), strict and lenient, split pushes',
  maxLength: 64 * 1024,
  coverage: ['mpegts/src/'],
  seeds: () => fixturePrefixes('ts', 60 * 1024),
  run: (input) =>
    expectTyped(() => {
      const strict = input.length > 0 && ((input[input.length - 1] ?? 0) & 1) === 1;
      const demuxer = new TsDemuxer({
        strict,
        maxPesSize: 256 * 1024,
        onTracks: () => undefined,
        onPacket: () => undefined,
        // lenient mode reports damage here and goes on; strict mode throws TsDemuxError
        onError: strict ? undefined : () => undefined,
      });
      const cut = (input.length * 5) >> 3;
      demuxer.push(input.subarray(0, cut));
      demuxer.push(input.subarray(cut));
      demuxer.end();
    }, [TsDemuxError]),
};
