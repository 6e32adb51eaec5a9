/**
 * IngestTracks: a publisher's media and data messages (FLV tag bodies, parsed by
 * @sluice/media's FlvTagDemuxer) -> TrackInfo and MediaPacket events.
 *
 * Track ids: video 0, audio 1 (FLV_VIDEO_TRACK_ID / FLV_AUDIO_TRACK_ID). Tracks are
 * announced once every track onMetaData promised has shown up (or at the first frame
 * when there is no metadata; at most MAX_HELD packets are held while waiting), and
 * again whenever the set of tracks or a codec configuration changes.
 */
import { FlvTagDemuxer, FlvTagType, parseAudioSpecificConfig, parseOpusHead } from '@sluice/media';
import type { Amf0Object, MediaPacket, TrackInfo } from '@sluice/media';
import { sameBytes } from '../bytes.js';

/** Packets held while waiting for all promised tracks. */
const MAX_HELD = 300;

/** Where IngestTracks delivers. */
export interface IngestTrackSink {
  tracks(tracks: readonly TrackInfo[]): void;
  packet(packet: MediaPacket): void;
  metadata(properties: Amf0Object): void;
}

/** Builds tracks and packets of one published stream. */
export class IngestTracks {
  private readonly demuxer = new FlvTagDemuxer();
  private expectVideo = false;
  private expectAudio = false;
  private announced = false;
  private held: MediaPacket[] = [];
  private lastAnnounced: readonly TrackInfo[] = [];
  /** Tags Sluice cannot carry or could not parse (unsupported codecs, malformed bodies). */
  skipped = 0;

  constructor(private readonly sink: IngestTrackSink) {}

  /** The tracks known so far (video first). */
  get tracks(): TrackInfo[] {
    return this.demuxer.tracks.map(withConfigFields);
  }

  /** One audio (8), video (9) or data (18) message body at its 32-bit wire timestamp. */
  onMessage(type: number, wireTimestamp: number, body: Uint8Array): void {
    let event;
    try {
      event = this.demuxer.demux(type, wireTimestamp, body);
    } catch {
      this.skipped++; // malformed tag body: skip it, keep the session
      return;
    }
    switch (event.kind) {
      case 'metadata':
        if (event.name !== 'onMetaData' || event.properties === undefined) return;
        this.expectVideo = event.properties['videocodecid'] !== undefined || event.properties['hasVideo'] === true;
        this.expectAudio = event.properties['audiocodecid'] !== undefined || event.properties['hasAudio'] === true;
        this.sink.metadata(event.properties);
        return;
      case 'track':
        // an encoder that repeats its sequence header unchanged (many do, at every keyframe
        // or on reconnect of a relay) changes nothing downstream: only a new configuration is news
        if (this.announced && !this.sameAsAnnounced()) this.announceTracks();
        return;
      case 'packet':
        if (event.newTrack !== undefined && this.announced) this.announceTracks();
        this.deliver(event.packet);
        return;
      case 'ignored':
        if (type !== FlvTagType.Script) this.skipped++;
        return;
      default:
        return;
    }
  }

  /** Announces what is known and flushes held packets (when the publisher stops early). */
  flush(): void {
    if (!this.announced && this.held.length > 0) this.announce();
  }

  /** Tells the sink the current tracks and remembers what it was told. */
  private announceTracks(): void {
    const tracks = this.tracks;
    this.lastAnnounced = tracks;
    this.sink.tracks(tracks);
  }

  /** The demuxer's tracks are those last announced: same ids, codecs and configuration bytes. */
  private sameAsAnnounced(): boolean {
    const now = this.demuxer.tracks;
    const before = this.lastAnnounced;
    if (now.length !== before.length) return false;
    return now.every((track, i) => {
      const old = before[i];
      return (
        old !== undefined && old.id === track.id && old.codec === track.codec && sameConfig(old.config, track.config)
      );
    });
  }

  private deliver(packet: MediaPacket): void {
    if (this.announced) {
      this.sink.packet(packet);
      return;
    }
    this.held.push(packet);
    const kinds = new Set(this.demuxer.tracks.map((t) => t.kind));
    const complete = (!this.expectVideo || kinds.has('video')) && (!this.expectAudio || kinds.has('audio'));
    if (complete || this.held.length >= MAX_HELD) this.announce();
  }

  private announce(): void {
    this.announced = true;
    this.announceTracks();
    const held = this.held;
    this.held = [];
    for (const p of held) this.sink.packet(p);
  }
}

/** Fills sample rate and channels of AAC/Opus tracks from their configuration when metadata did not. */
function withConfigFields(track: TrackInfo): TrackInfo {
  if (track.kind !== 'audio' || track.config === undefined) return track;
  try {
    if (track.codec === 'aac') {
      const asc = parseAudioSpecificConfig(track.config);
      return {
        ...track,
        sampleRate: asc.extensionSampleRate ?? asc.sampleRate,
        channels: asc.channels || track.channels,
      };
    }
    if (track.codec === 'opus')
      return { ...track, sampleRate: 48_000, channels: parseOpusHead(track.config).channelCount };
  } catch {
    // keep what metadata said
  }
  return track;
}

function sameConfig(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a === undefined || b === undefined ? a === b : sameBytes(a, b);
}
