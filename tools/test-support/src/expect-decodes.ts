/** The verdict most interop tests end with: the output carries the expected codecs and decodes cleanly. */
import { expect } from 'vitest';
import { ffmpegDecodeErrors, ffprobe } from './ffprobe.js';

/**
 * `file` (a path or URL) carries exactly these codecs, sorted (default AAC + H.264), and
 * ffmpeg decodes it without an error; `context` is shown with a decode failure.
 */
export async function expectDecodes(file: string, codecs: string[] = ['aac', 'h264'], context?: string): Promise<void> {
  expect((await ffprobe(file)).streams.map((s) => s.codec_name).sort()).toEqual(codecs);
  expect(await ffmpegDecodeErrors(file), context).toBe('');
}
