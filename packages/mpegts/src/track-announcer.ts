/**
 * TrackAnnouncer: the TsDemuxer's delivery of tracks and packets. The tracks of a stream
 * set are announced once their configurations are known (every reader ready), or once
 * MAX_HELD_PACKETS packets wait for them; packets before that are held, then passed on.
 */
import type { MediaPacket, TrackInfo } from '@sluice/media';

/** Most packets held back before the tracks are announced without every configuration. */
const MAX_HELD_PACKETS = 1000;

/** Announces a stream set's tracks, holding its first packets back until it does. */
export class TrackAnnouncer {
  /** The tracks of the current stream set, announced or not. */
  tracks: TrackInfo[] = [];
  /** True once the current tracks are announced: packets then go straight on. */
  announced = false;
  private held: MediaPacket[] = [];

  /**
   * @param onTracks receives copies of the tracks when they are announced
   * @param onPacket receives every packet, after its tracks are announced
   * @param isReady true when a track's configuration is known
   */
  constructor(
    private readonly onTracks: (tracks: readonly TrackInfo[]) => void,
    private readonly onPacket: (packet: MediaPacket) => void,
    private readonly isReady: (track: TrackInfo) => boolean,
  ) {}

  /** A new stream set: forgets the tracks and the packets held for them. */
  reset(): void {
    this.tracks = [];
    this.announced = false;
    this.held = [];
  }

  /** Passes a packet on, or holds it until the tracks are announced (announcing them when they are ready). */
  deliver(packet: MediaPacket): void {
    if (this.announced) {
      this.onPacket(packet);
      return;
    }
    this.held.push(packet);
    if (this.held.length >= MAX_HELD_PACKETS || this.tracks.every(this.isReady)) this.announce();
  }

  /** Announces the tracks and passes on the packets held for them. */
  announce(): void {
    this.announced = true;
    this.onTracks(this.tracks.map((t) => ({ ...t })));
    const held = this.held;
    this.held = [];
    for (const p of held) this.onPacket(p);
  }
}
