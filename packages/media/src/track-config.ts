/**
 * Track fields a codec configuration states for certain: picture size and frame rate
 * from the SPS inside an avcC/hvcC, sample rate and channels from an AudioSpecificConfig
 * or OpusHead.
 */
import { parseAudioSpecificConfig } from './codec/aac.js';
import { parseAvcDecoderConfig } from './codec/avc.js';
import { parseH264Sps } from './codec/h264-sps.js';
import { parseH265Sps } from './codec/h265-sps.js';
import { parseHevcDecoderConfig } from './codec/hevc.js';
import { parseOpusHead } from './codec/opus.js';
import { MalformedCodecData } from './codec/errors.js';
import type { CodecName, TrackInfo } from './packet.js';

/** The TrackInfo fields a codec configuration determines. */
export type TrackConfigFields = Pick<TrackInfo, 'width' | 'height' | 'frameRate' | 'sampleRate' | 'channels'>;

const HEVC_SPS = 33;

/**
 * Reads width/height/frameRate (h264, h265) or sampleRate/channels (aac, opus) from a
 * codec configuration. Returns only the fields found; returns `{}` for other codecs and
 * for malformed configurations (never throws).
 */
export function trackFieldsFromConfig(codec: CodecName, config: Uint8Array | undefined): TrackConfigFields {
  if (config === undefined || config.length === 0) return {};
  try {
    switch (codec) {
      case 'h264': {
        const sps = parseAvcDecoderConfig(config).sps[0];
        if (!sps) return {};
        const s = parseH264Sps(sps);
        return defined({ width: s.width, height: s.height, frameRate: s.frameRate });
      }
      case 'h265': {
        const sps = parseHevcDecoderConfig(config).arrays.find((a) => a.nalUnitType === HEVC_SPS)?.nalUnits[0];
        if (!sps) return {};
        const s = parseH265Sps(sps);
        return defined({ width: s.width, height: s.height, frameRate: s.frameRate });
      }
      case 'aac': {
        const asc = parseAudioSpecificConfig(config);
        return defined({
          sampleRate: asc.extensionSampleRate ?? asc.sampleRate,
          channels: asc.channels > 0 ? asc.channels : undefined,
        });
      }
      case 'opus':
        return { sampleRate: 48_000, channels: parseOpusHead(config).channelCount };
      default:
        return {};
    }
  } catch (e) {
    if (e instanceof MalformedCodecData) return {};
    throw e;
  }
}

function defined(fields: TrackConfigFields): TrackConfigFields {
  const out: TrackConfigFields = {};
  for (const [k, v] of Object.entries(fields) as Array<[keyof TrackConfigFields, number | undefined]>)
    if (v !== undefined) out[k] = v;
  return out;
}
