import { expect } from 'vitest';
import { ffmpegGenerate, ffprobe, type ProbedStream } from '@sluice/test-support';

/** An ffmpeg-encoded testsrc2 clip: the MP4, its elementary stream in Annex B and ffprobe's video stream. */
export interface EncodedClip {
  readonly mp4: Uint8Array;
  readonly annexB: Uint8Array;
  readonly stream: ProbedStream | undefined;
}

/**
 * Encodes 0.3 s of testsrc2 at this size and rate with ffmpeg into `<name>.mp4`, copies its video
 * out in Annex B with the bitstream filter (`h264_mp4toannexb` into `<name>.h264`, say) and
 * probes the MP4.
 */
export async function encodeClip(
  name: string,
  clip: { size: string; rate: string },
  encoderArgs: readonly string[],
  annexB: { bsf: string; format: string },
): Promise<EncodedClip> {
  const mp4 = await ffmpegGenerate(`${name}.mp4`, [
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${clip.size}:rate=${clip.rate}:duration=0.3`,
    ...encoderArgs,
  ]);
  const es = await ffmpegGenerate(`${name}.${annexB.format}`, [
    '-i',
    mp4.path,
    '-c',
    'copy',
    '-bsf:v',
    annexB.bsf,
    '-f',
    annexB.format,
  ]);
  return { mp4: mp4.data, annexB: es.data, stream: (await ffprobe(mp4.path)).streams[0] };
}

/**
 * The SPS fields ffprobe reports too (size, level and, with `frameRate`, its `r_frame_rate`)
 * equal its, and the profile ffprobe names is this one.
 */
export function expectSpsMatchesProbe(
  sps: { width: number; height: number; levelIdc: number; frameRate?: number | undefined },
  stream: ProbedStream | undefined,
  expected: { profile: string; frameRate: boolean },
): void {
  expect(sps.width).toBe(stream?.width);
  expect(sps.height).toBe(stream?.height);
  expect(sps.levelIdc).toBe(stream?.level);
  expect(stream?.profile).toBe(expected.profile);
  if (!expected.frameRate) return;
  const [num, den] = String(stream?.r_frame_rate).split('/').map(Number);
  expect(sps.frameRate).toBeCloseTo((num as number) / (den as number), 6);
}

/** Payload of the first MP4 box of this type (found by its fourcc; test-only). */
export function findMp4Box(file: Uint8Array, type: string): Uint8Array {
  const code = [...type].map((ch) => ch.charCodeAt(0));
  for (let i = 4; i + 4 <= file.length; i++) {
    if (file[i] === code[0] && file[i + 1] === code[1] && file[i + 2] === code[2] && file[i + 3] === code[3]) {
      const size =
        ((file[i - 4] as number) << 24) |
        ((file[i - 3] as number) << 16) |
        ((file[i - 2] as number) << 8) |
        (file[i - 1] as number);
      return file.subarray(i + 4, i - 4 + size);
    }
  }
  throw new Error(`no ${type} box`);
}
