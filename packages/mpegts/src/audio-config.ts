/** The ADTS fields of an AudioSpecificConfig, as the muxer needs them. */
import type { AdtsConfig } from '@sluice/media';
import { adtsConfigFromAudioSpecificConfig, parseAudioSpecificConfig } from '@sluice/media';
import { TsMuxError } from './errors.js';

/** ADTS header fields for a track's AudioSpecificConfig; throws TsMuxError for configs ADTS cannot express. */
export function adtsConfigOf(asc: Uint8Array, trackId: number): AdtsConfig {
  try {
    return adtsConfigFromAudioSpecificConfig(parseAudioSpecificConfig(asc));
  } catch (error) {
    throw new TsMuxError(
      `track ${trackId}: AudioSpecificConfig cannot be carried in ADTS: ${(error as Error).message}`,
    );
  }
}
