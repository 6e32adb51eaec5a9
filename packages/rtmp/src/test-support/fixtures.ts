/** Test helpers: fixtures as tracks/packets, and the comparable form of packet lists. */
import { FlvReader, FlvTagDemuxer } from '@sluice/media';
import type { MediaPacket, TrackInfo } from '@sluice/media';
import { readExpectedPackets, readFixture } from '@sluice/test-support';

/** A packet reduced to what ffprobe reports. */
export interface ComparablePacket {
  kind: string;
  dts: number;
  pts: number;
  size: number;
  key: boolean;
}

/** Reads an FLV fixture into its final tracks and its packets (payload views). */
export function demuxFixture(name: string): { tracks: TrackInfo[]; packets: MediaPacket[]; bytes: Uint8Array } {
  const bytes = readFixture(name);
  const reader = new FlvReader();
  const demuxer = new FlvTagDemuxer();
  const packets: MediaPacket[] = [];
  for (const tag of reader.push(bytes)) {
    const e = demuxer.demux(tag.type, tag.timestamp, tag.data);
    if (e.kind === 'packet') packets.push(e.packet);
  }
  reader.end();
  return { tracks: demuxer.tracks, packets, bytes };
}

/** The fixture's packets as ffprobe listed them (`*.packets.json`). */
export function expectedPackets(name: string): ComparablePacket[] {
  return readExpectedPackets(name).packets.map((p) => ({
    kind: String(p['codec_type']),
    dts: Number(p['dts']),
    pts: Number(p['pts']),
    size: Number(p['size']),
    key: String(p['flags']).startsWith('K'),
  }));
}

/** Our packets in the same form. */
export function comparable(packets: readonly MediaPacket[], tracks: readonly TrackInfo[]): ComparablePacket[] {
  return packets.map((p) => ({
    kind: tracks.find((t) => t.id === p.trackId)?.kind ?? '?',
    dts: p.dts,
    pts: p.pts,
    size: p.data.length,
    key: p.key,
  }));
}

/** Packets of one kind (ffprobe interleaves by file position; compare per track). */
export function ofKind(packets: readonly ComparablePacket[], kind: string): ComparablePacket[] {
  return packets.filter((p) => p.kind === kind);
}
