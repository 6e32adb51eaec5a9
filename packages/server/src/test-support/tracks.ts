/** Tracks for the server's unit tests. */
import type { TrackInfo } from '@sluice/media';

/** An AAC-LC stereo track at this sample rate, in FLV's millisecond timescale. */
function aacStereo(id: number, sampleRate: number, config: Uint8Array): TrackInfo {
  return { id, kind: 'audio', codec: 'aac', timescale: 1000, config, sampleRate, channels: 2 };
}

/** Track 1: AAC-LC, 44.1 kHz stereo (AudioSpecificConfig 12 10). */
export const AAC_TRACK: TrackInfo = aacStereo(1, 44100, new Uint8Array([0x12, 0x10]));
