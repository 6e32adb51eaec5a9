/** Chooses which tracks of a source stream a push sends, and which it leaves out and why. */
import type { TrackInfo } from '@sluice/media';
import type { PushSinkFactory, SkippedTrack } from './types.js';

/** The outcome of selecting tracks for one session. */
export interface TrackSelection {
  /** Tracks to send, in the source's order. */
  tracks: TrackInfo[];
  /** Requested or available tracks left out, with the reason. */
  skipped: SkippedTrack[];
  /**
   * The track whose keyframes gate the session: the first selected video track, else
   * the first audio track, else the first track. Undefined when nothing is selected.
   */
  gateTrackId: number | undefined;
}

/** What a push asked for: ids and/or variant names; both empty = every track. */
export interface TrackRequest {
  tracks?: readonly number[] | undefined;
  variantNames?: readonly string[] | undefined;
}

/**
 * Selects the tracks to push. Tracks requested by id or variant name (union), or all
 * tracks when neither is given; requested ids absent from the stream, tracks the
 * protocol cannot carry, and tracks past the factory's per-kind limit are skipped.
 */
export function selectTracks(
  available: readonly TrackInfo[],
  request: TrackRequest,
  factory: PushSinkFactory,
): TrackSelection {
  const ids = request.tracks ?? [];
  const names = request.variantNames ?? [];
  const all = ids.length === 0 && names.length === 0;
  const skipped: SkippedTrack[] = [];
  for (const id of ids) {
    if (!available.some((t) => t.id === id)) skipped.push({ id, codec: '', reason: 'not in the stream' });
  }
  const tracks: TrackInfo[] = [];
  const perKind = { video: 0, audio: 0, data: 0 };
  for (const track of available) {
    if (!all && !ids.includes(track.id) && !(track.name !== undefined && names.includes(track.name))) continue;
    const reason = factory.cannotCarry(track);
    if (reason !== null) {
      skipped.push({ id: track.id, codec: track.codec, reason });
      continue;
    }
    const limit = factory.maxTracksPerKind?.[track.kind];
    if (limit !== undefined && perKind[track.kind] >= limit) {
      skipped.push({
        id: track.id,
        codec: track.codec,
        reason: `the protocol carries at most ${limit} ${track.kind} track${limit === 1 ? '' : 's'}`,
      });
      continue;
    }
    perKind[track.kind]++;
    tracks.push(track);
  }
  const gate = tracks.find((t) => t.kind === 'video') ?? tracks.find((t) => t.kind === 'audio') ?? tracks[0];
  return { tracks, skipped, gateTrackId: gate?.id };
}
