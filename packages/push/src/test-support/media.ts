/** Tracks and packets for push tests. */
import type { MediaPacket, TrackInfo } from '@sluice/media';

export const VIDEO: TrackInfo = {
  id: 100,
  kind: 'video',
  codec: 'h264',
  timescale: 90_000,
  config: new Uint8Array([1, 0x64, 0, 0x1f]),
  width: 1280,
  height: 720,
};
export const AUDIO: TrackInfo = {
  id: 101,
  kind: 'audio',
  codec: 'aac',
  timescale: 48_000,
  config: new Uint8Array([0x11, 0x90]),
  sampleRate: 48_000,
  channels: 2,
};
export const OPUS: TrackInfo = {
  id: 102,
  kind: 'audio',
  codec: 'opus',
  timescale: 48_000,
  sampleRate: 48_000,
  channels: 2,
  name: 'opus',
};
export const AV = [VIDEO, AUDIO] as const;

/** A video frame at `ms` milliseconds (90 kHz), `size` bytes. */
export function video(ms: number, key: boolean, size = 1000): MediaPacket {
  return { trackId: VIDEO.id, dts: ms * 90, pts: ms * 90 + 3600, key, data: new Uint8Array(size) };
}

/** An AAC frame at `ms` milliseconds (48 kHz). */
export function audio(ms: number, size = 100): MediaPacket {
  return { trackId: AUDIO.id, dts: ms * 48, pts: ms * 48, key: true, data: new Uint8Array(size) };
}
