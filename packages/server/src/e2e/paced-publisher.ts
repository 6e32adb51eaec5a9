/**
 * A live publisher for timestamps ffmpeg cannot write: @sluice/rtmp's RtmpPublisher sends
 * a real captured stream (an FLV fixture, looped) in real time with every timestamp passed
 * through `shift` — e.g. across 2^32 ms, which ffmpeg's 31-bit FLV timestamps never reach.
 */
import { FlvReader, FlvTagDemuxer, type MediaPacket, type TrackInfo } from '@sluice/media';
import { RtmpPublisher } from '@sluice/rtmp';
import { readFixture } from '@sluice/test-support';

/** A running paced publisher. */
export interface PacedPublisher {
  /** Resolves when `durationMs` of media was sent and the publisher closed; rejects on a failure. */
  done: Promise<void>;
  /** Video frames sent. */
  videoFrames: () => number;
  stop: () => Promise<void>;
}

/** An FLV fixture as tracks and packets (payload views, as the stream hub hands them out). */
export function readFlvFixture(name: string): { tracks: TrackInfo[]; packets: MediaPacket[] } {
  const reader = new FlvReader();
  const demuxer = new FlvTagDemuxer();
  const packets: MediaPacket[] = [];
  for (const tag of reader.push(readFixture(name))) {
    const e = demuxer.demux(tag.type, tag.timestamp, tag.data);
    if (e.kind === 'packet') packets.push(e.packet);
  }
  reader.end();
  return { tracks: demuxer.tracks, packets };
}

/** Publishes `fixture` looped for `durationMs` to rtmp `url`/`key`, timestamps mapped by `shift(ms)`. */
export function startPacedPublisher(
  url: string,
  key: string,
  shift: (ms: number) => number,
  durationMs: number,
  fixture = 'h264-high-aac.flv',
): PacedPublisher {
  const { tracks, packets } = readFlvFixture(fixture);
  const video = packets.filter((p) => p.trackId === tracks.find((t) => t.kind === 'video')?.id);
  const frame = video.length > 1 ? video[1]!.dts - video[0]!.dts : 33;
  const loopMs = Math.max(...packets.map((p) => p.dts)) + frame;
  const publisher = new RtmpPublisher({ url, streamKey: key });
  let stopped = false;
  let sentVideo = 0;
  const run = async (): Promise<void> => {
    await publisher.open(tracks);
    const start = Date.now();
    for (let loop = 0; !stopped; loop++) {
      for (const p of packets) {
        const ms = loop * loopMs + p.dts;
        if (ms >= durationMs || stopped) {
          stopped = true;
          break;
        }
        const wait = start + ms - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const dts = shift(ms);
        publisher.send({ trackId: p.trackId, dts, pts: dts + (p.pts - p.dts), key: p.key, data: p.data });
        if (p.trackId === video[0]?.trackId) sentVideo++;
      }
    }
    await publisher.close();
  };
  const done = run();
  return {
    done,
    videoFrames: () => sentVideo,
    stop: async () => {
      stopped = true;
      await done.catch(() => undefined);
    },
  };
}
