import { describe, expect, it } from 'vitest';
import type { MediaPacket, TrackInfo } from '@sluice/media';
import { IngestTracks } from './ingest-tracks.js';
import { demuxFixture } from '../test-support/fixtures.js';
import { readFixture } from '@sluice/test-support';
import { FlvReader } from '@sluice/media';

/** The fixture's FLV tags (type, timestamp, body). */
function tags(name: string): Array<{ type: number; timestamp: number; data: Uint8Array }> {
  return new FlvReader().push(readFixture(name)).map((t) => ({ type: t.type, timestamp: t.timestamp, data: t.data }));
}

function collect(): { ingest: IngestTracks; announcements: TrackInfo[][]; packets: MediaPacket[] } {
  const announcements: TrackInfo[][] = [];
  const packets: MediaPacket[] = [];
  const ingest = new IngestTracks({
    tracks: (t) => announcements.push([...t]),
    packet: (p) => packets.push(p),
    metadata: () => undefined,
  });
  return { ingest, announcements, packets };
}

describe('IngestTracks and repeated sequence headers', () => {
  const all = tags('h264-baseline-aac.flv');
  const headers = all.filter((t) => (t.type === 9 && t.data[1] === 0) || (t.type === 8 && t.data[1] === 0));

  it('an identical sequence header resent mid-stream announces nothing new', () => {
    const { ingest, announcements, packets } = collect();
    const half = all.length >> 1;
    for (const t of all.slice(0, half)) ingest.onMessage(t.type, t.timestamp, t.data);
    expect(announcements).toHaveLength(1);
    for (const h of headers) ingest.onMessage(h.type, all[half]?.timestamp ?? 0, h.data);
    for (const t of all.slice(half)) ingest.onMessage(t.type, t.timestamp, t.data);
    expect(announcements).toHaveLength(1);
    expect(packets.length).toBe(demuxFixture('h264-baseline-aac.flv').packets.length);
  });

  it('a changed configuration is announced again', () => {
    const { ingest, announcements } = collect();
    for (const t of all.slice(0, 40)) ingest.onMessage(t.type, t.timestamp, t.data);
    expect(announcements).toHaveLength(1);
    const video = headers.find((h) => h.type === 9);
    expect(video).toBeDefined();
    const changed = video!.data.slice();
    changed[changed.length - 1] = (changed[changed.length - 1] ?? 0) ^ 0x01; // another PPS byte: a new configuration
    ingest.onMessage(9, 2000, changed);
    expect(announcements).toHaveLength(2);
    expect(announcements[1]?.find((t) => t.kind === 'video')?.config).toEqual(changed.subarray(5));
  });
});
