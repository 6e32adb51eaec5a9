/**
 * TimelineGuard: keeps the timeline of one published stream continuous and monotonic,
 * whatever the source's timestamps do.
 *
 * Why in the hub, not in each push session: every subscriber (every push, whatever its
 * protocol, and outputs that share one muxer across pushes, whose timeline is the
 * stream's, not rebased per session) and the hub's own GOP cache must see the same
 * timeline; fixing it once where packets are published costs one check per packet for
 * the stream instead of one per push, and every future protocol gets it for free.
 *
 * Per track it follows the DTS and classifies each step:
 * - a step back of at most `maxBackwardStepMs` (DTS jitter of a few ms, equal DTS) is
 *   clamped: the packet's DTS becomes the previous one + 1 tick (PTS is raised to it
 *   when it would fall below), nothing is rebased;
 * - a larger step back (31-bit FLV wrap from ffmpeg at 2^31 ms, a 32-bit wrap that reached
 *   the hub un-unwrapped, an encoder restarting its clock) or a step forward of more than
 *   `maxForwardGapMs` is a discontinuity: the track is rebased so that it continues one
 *   frame (its last step) after its last packet, and the same offset is given to every
 *   other track of the stream when it makes the same jump (A/V stays aligned: the offset
 *   is computed once, from the first track that jumps). PTS moves with DTS, so a video
 *   track's composition offsets (B-frames) are kept.
 * Packets are adjusted in place (the hub owns them once written); no allocation per packet.
 */
import { rescaleTimestamp, type MediaPacket, type TrackInfo } from '@sluice/media';
import type { TimelineDiscontinuity } from '@sluice/push';

/** Largest step back of one track's DTS that is clamped rather than treated as a discontinuity. */
const DEFAULT_MAX_BACKWARD_STEP_MS = 100;
/** Largest step forward of one track's DTS that is taken as it is; a longer gap is a discontinuity. */
const DEFAULT_MAX_FORWARD_GAP_MS = 10_000;

/** Bounds of what counts as a discontinuity. */
export interface TimelineGuardOptions {
  /** Default DEFAULT_MAX_BACKWARD_STEP_MS (100 ms). */
  maxBackwardStepMs?: number;
  /** Default DEFAULT_MAX_FORWARD_GAP_MS (10 s). */
  maxForwardGapMs?: number;
}

/** The bounds with their defaults; throws RangeError for a bound that is not a number in range. */
export function resolveTimelineOptions(options: TimelineGuardOptions): Required<TimelineGuardOptions> {
  const maxBackwardStepMs = options.maxBackwardStepMs ?? DEFAULT_MAX_BACKWARD_STEP_MS;
  const maxForwardGapMs = options.maxForwardGapMs ?? DEFAULT_MAX_FORWARD_GAP_MS;
  if (!(maxBackwardStepMs >= 0)) throw new RangeError(`maxBackwardStepMs must be >= 0, got ${maxBackwardStepMs}`);
  if (!(maxForwardGapMs > 0)) throw new RangeError(`maxForwardGapMs must be positive, got ${maxForwardGapMs}`);
  return { maxBackwardStepMs, maxForwardGapMs };
}

const TWO_31_MS = 2 ** 31;
const TWO_32_MS = 2 ** 32;
/** How close to 2^31 / 2^32 ms a jump back must be to be called a wrap. */
const WRAP_MARGIN_MS = 60_000;

interface TrackTimeline {
  timescale: number;
  /** Added to the source's dts/pts. */
  offset: number;
  /** Last DTS put out (after offset and clamping); NaN before the first packet. */
  lastOut: number;
  /** Last source DTS seen. */
  lastIn: number;
  /** Last positive DTS step put out: the continuation after a discontinuity. */
  lastStep: number;
  /** Generation of the stream-wide rebase this track follows. */
  generation: number;
  maxBack: number;
  maxForward: number;
}

/** The stream-wide rebase of the latest discontinuity. */
interface StreamRebase {
  generation: number;
  /** The offset, in `timescale` ticks. */
  offset: number;
  timescale: number;
  /** Where the track that jumped first continued, in ms of the output timeline. */
  atMs: number;
}

/** Follows one stream's tracks; `adjust` fixes each packet in place. */
export class TimelineGuard {
  /** Discontinuities absorbed since the stream was published. */
  count = 0;
  private readonly tracks = new Map<number, TrackTimeline>();
  private rebase: StreamRebase = { generation: 0, offset: 0, timescale: 1000, atMs: 0 };
  private readonly maxBackwardStepMs: number;
  private readonly maxForwardGapMs: number;

  constructor(options: TimelineGuardOptions = {}) {
    const bounds = resolveTimelineOptions(options);
    this.maxBackwardStepMs = bounds.maxBackwardStepMs;
    this.maxForwardGapMs = bounds.maxForwardGapMs;
  }

  /** The stream's tracks (again): new tracks start at the current stream-wide offset; known tracks keep their state. */
  setTracks(tracks: readonly TrackInfo[]): void {
    for (const track of tracks) {
      const known = this.tracks.get(track.id);
      if (known !== undefined && known.timescale === track.timescale) continue;
      this.tracks.set(track.id, {
        timescale: track.timescale,
        offset: rescaleTimestamp(this.rebase.offset, this.rebase.timescale, track.timescale),
        lastOut: Number.NaN,
        lastIn: Number.NaN,
        lastStep: 0,
        generation: this.rebase.generation,
        maxBack: rescaleTimestamp(this.maxBackwardStepMs, 1000, track.timescale),
        maxForward: rescaleTimestamp(this.maxForwardGapMs, 1000, track.timescale),
      });
    }
  }

  /**
   * Rewrites `packet.dts`/`pts` onto the continuous timeline. Returns the discontinuity it
   * opened (the caller logs and counts it), or undefined (also for a track's part of a jump
   * another track already opened, and for clamped steps).
   */
  adjust(packet: MediaPacket): TimelineDiscontinuity | undefined {
    const track = this.tracks.get(packet.trackId);
    if (track === undefined) return undefined;
    const raw = packet.dts;
    const lastIn = track.lastIn;
    track.lastIn = raw;
    if (Number.isNaN(track.lastOut)) {
      this.put(packet, track, raw + track.offset);
      return undefined;
    }
    let step = raw + track.offset - track.lastOut;
    let event: TimelineDiscontinuity | undefined;
    if (step < -track.maxBack || step > track.maxForward) {
      if (this.joinsLatestRebase(track, raw)) {
        step = raw + track.offset - track.lastOut;
      } else {
        event = this.open(packet.trackId, track, raw, lastIn);
        step = raw + track.offset - track.lastOut;
      }
    }
    if (step <= 0) {
      // small step back or a repeated DTS: clamp, keep the PTS (raised to the DTS if needed)
      const dts = track.lastOut + 1;
      const pts = packet.pts + track.offset;
      packet.dts = dts;
      packet.pts = pts < dts ? dts : pts;
      track.lastOut = dts;
      return event;
    }
    track.lastStep = step;
    this.put(packet, track, raw + track.offset);
    return event;
  }

  private put(packet: MediaPacket, track: TrackTimeline, dts: number): void {
    packet.pts += track.offset;
    packet.dts = dts;
    track.lastOut = dts;
  }

  /**
   * A track that jumps after another track opened a rebase, near where that one
   * continued, makes the same jump: it takes the stream-wide offset (A/V stays aligned).
   * If that offset would still take it backwards (the first track's frame estimate was
   * long), it continues one step after its last packet instead. Not a new discontinuity.
   */
  private joinsLatestRebase(track: TrackTimeline, raw: number): boolean {
    const rebase = this.rebase;
    if (track.generation === rebase.generation) return false;
    const lastOutMs = rescaleTimestamp(track.lastOut, track.timescale, 1000);
    if (Math.abs(lastOutMs - rebase.atMs) > this.maxForwardGapMs) return false;
    const offset = rescaleTimestamp(rebase.offset, rebase.timescale, track.timescale);
    const step = raw + offset - track.lastOut;
    if (step > track.maxForward) return false;
    track.generation = rebase.generation;
    track.offset = step < -track.maxBack ? track.lastOut + Math.max(1, track.lastStep) - raw : offset;
    return true;
  }

  /** Rebases `track` to continue one step after its last packet and makes that the stream-wide offset. */
  private open(trackId: number, track: TrackTimeline, raw: number, lastIn: number): TimelineDiscontinuity {
    const continueAt = track.lastOut + Math.max(1, track.lastStep);
    track.offset = continueAt - raw;
    this.rebase = {
      generation: this.rebase.generation + 1,
      offset: track.offset,
      timescale: track.timescale,
      atMs: rescaleTimestamp(continueAt, track.timescale, 1000),
    };
    track.generation = this.rebase.generation;
    this.count++;
    const fromMs = rescaleTimestamp(lastIn, track.timescale, 1000);
    const toMs = rescaleTimestamp(raw, track.timescale, 1000);
    return { trackId, fromMs, toMs, kind: classify(fromMs, toMs) };
  }
}

function classify(fromMs: number, toMs: number): TimelineDiscontinuity['kind'] {
  if (toMs > fromMs) return 'forward';
  const back = fromMs - toMs;
  if (Math.abs(back - TWO_31_MS) <= WRAP_MARGIN_MS) return 'wrap31';
  if (Math.abs(back - TWO_32_MS) <= WRAP_MARGIN_MS) return 'wrap32';
  return 'backward';
}
