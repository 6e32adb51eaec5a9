/** ffprobe as a judge: packets and streams of a file, as JSON. */
import { runCommand } from './process.js';

/** One packet as `ffprobe -show_packets -of json` lists it (the fields tests compare). */
export interface ProbedPacket {
  codec_type: string;
  stream_index: number;
  pts?: number;
  dts?: number;
  pts_time?: string;
  dts_time?: string;
  size: string | number;
  flags: string;
}

/** One stream as `ffprobe -show_streams -of json` lists it. */
export interface ProbedStream {
  index: number;
  codec_name: string;
  codec_type: string;
  profile?: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  channels?: number;
  time_base: string;
  nb_read_frames?: string;
  [key: string]: unknown;
}

export interface ProbeResult {
  packets: ProbedPacket[];
  streams: ProbedStream[];
  format?: { duration?: string; format_name?: string; [key: string]: unknown };
}

/** Runs ffprobe on a file (or URL) and returns its streams, packets and format. Throws with ffprobe's stderr on failure. */
export async function ffprobe(input: string, extraArgs: string[] = []): Promise<ProbeResult> {
  const r = await runCommand(
    'ffprobe',
    ['-v', 'error', '-show_packets', '-show_streams', '-show_format', '-of', 'json', ...extraArgs, input],
    120_000,
  );
  if (r.code !== 0) throw new Error(`ffprobe ${input} failed (${r.code}): ${r.stderr}`);
  const parsed = JSON.parse(r.stdout) as Partial<ProbeResult>;
  return { packets: parsed.packets ?? [], streams: parsed.streams ?? [], format: parsed.format };
}

/** Decodes a file fully with ffmpeg and returns what it printed at `-v error` (empty = clean). */
export async function ffmpegDecodeErrors(input: string, extraArgs: string[] = []): Promise<string> {
  const r = await runCommand(
    'ffmpeg',
    ['-nostdin', '-v', 'error', ...extraArgs, '-i', input, '-f', 'null', '-'],
    120_000,
  );
  return (r.code === 0 ? '' : `exit ${r.code}\n`) + r.stderr;
}
