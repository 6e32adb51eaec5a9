/** Test helpers: whole-file FLV read/write through the public reader, demuxer, muxer and writer. */
import type { MediaPacket, TrackInfo } from '../../packet.js';
import { FlvReader, type FlvTag } from '../reader.js';
import { FlvTagDemuxer } from '../tag-demuxer.js';
import { FlvTagMuxer } from '../tag-muxer.js';
import { FlvWriter } from '../writer.js';

/** Reads every tag of a whole FLV file (optionally fed in pieces of the given sizes, cycled). */
export function readFlvTags(bytes: Uint8Array, pieceSizes: readonly number[] = []): FlvTag[] {
  const reader = new FlvReader();
  const tags: FlvTag[] = [];
  if (pieceSizes.length === 0) {
    tags.push(...reader.push(bytes));
  } else {
    let at = 0;
    for (let i = 0; at < bytes.length; i++) {
      const n = Math.max(1, pieceSizes[i % pieceSizes.length] as number);
      tags.push(...reader.push(bytes.subarray(at, at + n)));
      at += n;
    }
  }
  reader.end();
  return tags;
}

/** Demuxes a whole FLV file into tracks (final state) and packets. */
export function demuxFlvFile(bytes: Uint8Array): {
  tracks: TrackInfo[];
  packets: MediaPacket[];
  demuxer: FlvTagDemuxer;
} {
  const demuxer = new FlvTagDemuxer();
  const packets: MediaPacket[] = [];
  for (const tag of readFlvTags(bytes)) {
    const ev = demuxer.demux(tag.type, tag.timestamp, tag.data);
    if (ev.kind === 'packet') packets.push(ev.packet);
  }
  return { tracks: demuxer.tracks, packets, demuxer };
}

/** Concatenates chunks. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Writes tracks and packets as an FLV file: header, onMetaData, sequence headers, packets, end of sequence. */
export function writeFlvFile(tracks: readonly TrackInfo[], packets: readonly MediaPacket[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const writer = new FlvWriter((c) => chunks.push(c));
  const muxer = new FlvTagMuxer(tracks);
  writer.writeHeader(muxer.flags);
  const tags = [muxer.metadataTag(0, { duration: 0 }), ...muxer.sequenceHeaderTags(0)];
  let last = 0;
  for (const p of packets) {
    const t = muxer.packetTag(p);
    if (t) {
      tags.push(t);
      last = Math.max(last, t.timestamp);
    }
  }
  const end = muxer.endOfSequenceTag(last);
  if (end) tags.push(end);
  for (const t of tags) writer.writeTag(t.type, t.timestamp, [t.header, t.data]);
  return concatBytes(chunks);
}
