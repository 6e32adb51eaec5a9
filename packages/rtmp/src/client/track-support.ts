/** Which tracks RTMP can carry, and which need Enhanced RTMP. */
import type { TrackInfo } from '@sluice/media';
import { ENHANCED_FOURCC } from '../command/enhanced-rtmp.js';

const VIDEO = new Set(['h264', 'h265', 'av1', 'vp9']);
const AUDIO = new Set(['aac', 'mp3', 'opus']);

/** Null when RTMP (legacy or Enhanced) can carry the track, else the reason. */
export function rtmpCannotCarry(track: TrackInfo): string | null {
  if (track.kind === 'video' && VIDEO.has(track.codec)) return null;
  if (track.kind === 'audio' && AUDIO.has(track.codec)) return null;
  return `RTMP cannot carry ${track.kind} codec ${track.codec}`;
}

/** The E-RTMP FourCC a track needs, or undefined for codecs legacy RTMP carries (h264, aac, mp3). */
export function enhancedFourCcOf(track: TrackInfo): string | undefined {
  return ENHANCED_FOURCC[track.codec];
}
