/** Seed inputs built from the repository's real media fixtures. */
import { FlvReader, FlvTagDemuxer, type MediaPacket, type TrackInfo } from '@sluice/media';
import { listFixtures, readFixture } from '@sluice/test-support';

/** The first `limit` bytes of every fixture with the extension. */
export function fixturePrefixes(ext: 'flv' | 'ts', limit: number): Uint8Array[] {
  return listFixtures(ext).map((name) => readFixture(name).slice(0, limit));
}

/** FLV tags (type, timestamp, body) of a fixture, in order. */
export function flvTags(name: string, limit = 200): Array<{ type: number; timestamp: number; data: Uint8Array }> {
  const reader = new FlvReader();
  const tags = reader.push(readFixture(name)).slice(0, limit);
  return tags.map((t) => ({ type: t.type, timestamp: t.timestamp, data: t.data.slice() }));
}

/** Packets of an FLV fixture, with the codec configurations seen. */
export function flvPackets(name: string, limit = 60): { packets: MediaPacket[]; configs: Uint8Array[] } {
  const demuxer = new FlvTagDemuxer();
  const packets: MediaPacket[] = [];
  const configs: Uint8Array[] = [];
  for (const tag of flvTags(name, limit)) {
    const event = demuxer.demux(tag.type, tag.timestamp, tag.data);
    if (event.kind === 'packet') packets.push(event.packet);
  }
  for (const track of demuxer.tracks) if (track.config !== undefined) configs.push(track.config.slice());
  return { packets, configs };
}

/** The tracks of an FLV fixture (from its first tags). */
export function flvTracks(name: string): TrackInfo[] {
  const demuxer = new FlvTagDemuxer();
  for (const tag of flvTags(name, 40)) demuxer.demux(tag.type, tag.timestamp, tag.data);
  return demuxer.tracks;
}
