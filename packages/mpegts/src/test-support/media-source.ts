/** Test helpers: read fixtures into tracks + packets, mux them, strip what the muxer inserts. */
import type { MediaPacket, TrackInfo } from '@sluice/media';
import { FlvReader, FlvTagDemuxer, forEachNalUnit } from '@sluice/media';
import { TsDemuxer, TsMuxer, type TsMuxerOptions, type TsStreamStats, type TsDemuxError } from '../index.js';

/** Tracks and packets of a stream. */
export interface MediaSource {
  tracks: TrackInfo[];
  packets: MediaPacket[];
}

/** Reads a whole FLV file with @sluice/media's reader and tag demuxer. */
export function readFlv(bytes: Uint8Array): MediaSource {
  const reader = new FlvReader();
  const demuxer = new FlvTagDemuxer();
  const packets: MediaPacket[] = [];
  for (const tag of reader.push(bytes)) {
    const ev = demuxer.demux(tag.type, tag.timestamp, tag.data);
    if (ev.kind === 'packet') packets.push(ev.packet);
  }
  reader.end();
  return { tracks: demuxer.tracks, packets };
}

/** Result of demuxing a TS byte string. */
export interface TsReadResult extends MediaSource {
  stats: TsStreamStats;
  errors: TsDemuxError[];
}

/** Demuxes TS bytes pushed in pieces of `chunkSize` (default: all at once). */
export function readTs(bytes: Uint8Array, options: { chunkSize?: number; strict?: boolean } = {}): TsReadResult {
  let tracks: TrackInfo[] = [];
  const packets: MediaPacket[] = [];
  const errors: TsDemuxError[] = [];
  const d = new TsDemuxer({
    onTracks: (t) => (tracks = [...t]),
    onPacket: (p) => packets.push(p),
    onError: (e) => errors.push(e),
    strict: options.strict ?? false,
  });
  const size = options.chunkSize ?? bytes.length;
  for (let i = 0; i < bytes.length; i += size) d.push(bytes.subarray(i, i + size));
  d.end();
  return { tracks, packets, stats: d.stats, errors };
}

/** Sorts packets by DTS in 90 kHz (stable), as a live source interleaves them. */
export function interleave(source: MediaSource): MediaPacket[] {
  const scale = new Map(source.tracks.map((t) => [t.id, 90000 / t.timescale]));
  return source.packets
    .map((p, i) => ({ p, i, t: p.dts * (scale.get(p.trackId) ?? 1) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map((x) => x.p);
}

/** Muxes a source into one TS byte string; also returns where random-access chunks begin. */
export function muxToBytes(
  source: MediaSource,
  options: Partial<TsMuxerOptions> = {},
): { bytes: Uint8Array; randomAccessOffsets: number[]; muxer: TsMuxer } {
  const chunks: Uint8Array[] = [];
  const randomAccessOffsets: number[] = [];
  let size = 0;
  const muxer = new TsMuxer(source.tracks, {
    ...options,
    onData: (chunk, ra) => {
      if (ra) randomAccessOffsets.push(size);
      chunks.push(options.output === 'transient' ? chunk.slice() : chunk);
      size += chunk.length;
    },
  });
  for (const p of interleave(source)) muxer.write(p);
  muxer.end();
  const bytes = new Uint8Array(size);
  let o = 0;
  for (const c of chunks) {
    bytes.set(c, o);
    o += c.length;
  }
  return { bytes, randomAccessOffsets, muxer };
}

/** H.264/H.265 NAL types the muxer inserts or the demuxer drops: AUD and parameter sets. */
function isFramingNal(codec: string, nal: Uint8Array): boolean {
  if (codec === 'h264') {
    const t = nal[0]! & 0x1f;
    return t === 7 || t === 8 || t === 9;
  }
  const t = (nal[0]! >> 1) & 0x3f;
  return t === 32 || t === 33 || t === 34 || t === 35;
}

/** The NAL units of an AVCC access unit minus AUD/parameter sets, concatenated as hex (for comparisons). */
export function comparableVideoPayload(codec: string, data: Uint8Array): string {
  const parts: string[] = [];
  forEachNalUnit(data, 4, (nal) => {
    if (!isFramingNal(codec, nal)) parts.push(Buffer.from(nal).toString('hex'));
  });
  return parts.join('|');
}
