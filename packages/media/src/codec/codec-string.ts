/**
 * RFC 6381 codec strings (HLS CODECS attribute, MSE): `avc1.64001f`, `hvc1.1.6.L93.B0`,
 * `mp4a.40.2`, `opus`, from codec configurations.
 */
import type { TrackInfo } from '../packet.js';
import { parseAudioSpecificConfig, type AudioSpecificConfig } from './aac.js';
import { parseAvcDecoderConfig } from './avc.js';
import type { H265ProfileTierLevel } from './h265-sps.js';
import { parseHevcDecoderConfig } from './hevc.js';

const hex2 = (v: number): string => v.toString(16).padStart(2, '0');

/** `avc1.PPCCLL` from profile_idc, the constraint flags byte and level_idc. */
export function avcCodecString(profile: number, profileCompatibility: number, level: number): string {
  return `avc1.${hex2(profile)}${hex2(profileCompatibility)}${hex2(level)}`;
}

/**
 * `hvc1.<space><profile>.<compat>.<tier><level>[.<constraint bytes>]` (ISO/IEC 14496-15
 * Annex E): compatibility flags bit-reversed in hex, trailing zero constraint bytes dropped.
 */
export function hevcCodecString(ptl: H265ProfileTierLevel, sampleEntry: 'hvc1' | 'hev1' = 'hvc1'): string {
  const space = ['', 'A', 'B', 'C'][ptl.profileSpace] ?? '';
  let reversed = 0;
  for (let i = 0; i < 32; i++) {
    if (Math.floor(ptl.profileCompatibilityFlags / 2 ** i) % 2 === 1) reversed += 2 ** (31 - i);
  }
  const bytes: string[] = [];
  for (let i = 0; i < 6; i++)
    bytes.push(hex2(Math.floor(ptl.constraintIndicatorFlags / 2 ** (8 * (5 - i))) % 256).toUpperCase());
  while (bytes.length > 0 && bytes[bytes.length - 1] === '00') bytes.pop();
  const tail = bytes.length > 0 ? `.${bytes.join('.')}` : '';
  return `${sampleEntry}.${space}${ptl.profileIdc}.${reversed.toString(16).toUpperCase()}.${ptl.tier ? 'H' : 'L'}${ptl.levelIdc}${tail}`;
}

/** `mp4a.40.<aot>`: 5 for HE-AAC (SBR), 29 for HE-AAC v2 (PS), else the core object type. */
export function aacCodecString(asc: AudioSpecificConfig): string {
  const aot = asc.psPresent ? 29 : asc.sbrPresent ? 5 : asc.objectType;
  return `mp4a.40.${aot}`;
}

/**
 * The codec string of a track from its codec and configuration, or undefined when it
 * cannot be derived (no or invalid configuration, unknown codec).
 */
export function codecStringOfTrack(track: Pick<TrackInfo, 'codec' | 'config'>): string | undefined {
  try {
    switch (track.codec) {
      case 'h264': {
        if (!track.config) return undefined;
        const c = parseAvcDecoderConfig(track.config);
        return avcCodecString(c.profile, c.profileCompatibility, c.level);
      }
      case 'h265':
        return track.config ? hevcCodecString(parseHevcDecoderConfig(track.config)) : undefined;
      case 'aac':
        return track.config ? aacCodecString(parseAudioSpecificConfig(track.config)) : 'mp4a.40.2';
      case 'mp3':
        return 'mp4a.40.34';
      case 'opus':
        return 'opus';
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}
