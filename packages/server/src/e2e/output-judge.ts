/**
 * Judges a push's output file with the real tools: ffmpeg decodes it fully (`-v error`
 * must print nothing) and ffprobe's packets give frame counts and the DTS order per stream.
 */
import { ffmpegDecodeErrors, ffprobe } from '@sluice/test-support';

/** What a recording or capture holds. */
export interface OutputVerdict {
  videoFrames: number;
  audioFrames: number;
  /** What `ffmpeg -v error -i FILE -f null -` printed (empty = clean). */
  decodeErrors: string;
  /** Places where a stream's DTS did not increase: `video #12: 4000 -> 3967`. */
  nonMonotonic: string[];
  /** First and last video DTS in the stream's time base (MPEG-TS: 90 kHz, unwrapped past 2^33). */
  videoDts: { first: number; last: number } | undefined;
}

const TS_WRAP = 2 ** 33;

/** Decodes and probes `file`. MPEG-TS DTS are followed across the 33-bit wrap. */
export async function judgeOutput(file: string): Promise<OutputVerdict> {
  const [decodeErrors, probe] = await Promise.all([ffmpegDecodeErrors(file), ffprobe(file)]);
  const isTs = probe.format?.format_name === 'mpegts';
  const last = new Map<number, number>();
  const counts = new Map<number, number>();
  const nonMonotonic: string[] = [];
  let videoDts: OutputVerdict['videoDts'];
  for (const p of probe.packets) {
    if (p.dts === undefined) continue;
    const n = counts.get(p.stream_index) ?? 0;
    counts.set(p.stream_index, n + 1);
    let dts = Number(p.dts);
    const before = last.get(p.stream_index);
    if (before !== undefined && isTs) while (before - dts > TS_WRAP / 2) dts += TS_WRAP;
    if (before !== undefined && !(dts > before)) nonMonotonic.push(`${p.codec_type} #${n}: ${before} -> ${dts}`);
    last.set(p.stream_index, dts);
    if (p.codec_type === 'video') videoDts = { first: videoDts?.first ?? dts, last: dts };
  }
  const framesOf = (kind: string): number =>
    probe.packets.filter((p) => p.codec_type === kind && p.dts !== undefined).length;
  return { videoFrames: framesOf('video'), audioFrames: framesOf('audio'), decodeErrors, nonMonotonic, videoDts };
}
