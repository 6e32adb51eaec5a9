/**
 * Opus channel configuration in MPEG-TS (ETSI TS 102 366-style Opus audio descriptor,
 * channel_config_code) and the OpusHead it stands for.
 */
import type { OpusHead } from './opus.js';

// Vorbis channel order mappings for 1..8 channels (RFC 7845 5.1.1.2)
const STREAMS = [1, 1, 1, 2, 2, 3, 4, 4, 5];
const COUPLED = [1, 0, 1, 1, 2, 2, 2, 3, 3];
const MAPPINGS: ReadonlyArray<readonly number[]> = [
  [0],
  [0, 1],
  [0, 2, 1],
  [0, 1, 2, 3],
  [0, 4, 1, 2, 3],
  [0, 4, 1, 2, 3, 5],
  [0, 4, 1, 2, 3, 5, 6],
  [0, 6, 1, 2, 3, 4, 5, 7],
];

/**
 * The OpusHead meant by a TS channel_config_code 0x00..0x08 (0: stereo with mapping family
 * 255, 1..2: family 0, 3..8: Vorbis order, family 1), input rate 48 kHz, gain 0, the given
 * pre-skip. Returns undefined for other codes (0x80 extended configurations).
 */
export function opusHeadFromTsChannelConfig(code: number, preSkip = 0): OpusHead | undefined {
  if (!Number.isInteger(code) || code < 0 || code > 8) return undefined;
  const channelCount = code === 0 ? 2 : code;
  const mappingFamily = code === 0 ? 255 : channelCount > 2 ? 1 : 0;
  const head: OpusHead = { version: 1, channelCount, preSkip, inputSampleRate: 48000, outputGain: 0, mappingFamily };
  if (mappingFamily !== 0) {
    head.streamCount = STREAMS[code];
    head.coupledCount = COUPLED[code];
    head.channelMapping = new Uint8Array(MAPPINGS[channelCount - 1] as readonly number[]);
  }
  return head;
}

/**
 * The TS channel_config_code (0x01..0x08) describing an OpusHead, or undefined when none
 * does (the muxer then needs an extended 0x80 descriptor or cannot carry it).
 */
export function tsChannelConfigOfOpusHead(head: OpusHead): number | undefined {
  const n = head.channelCount;
  if (head.mappingFamily === 0 && n >= 1 && n <= 2) return n;
  if (
    head.mappingFamily === 1 &&
    n >= 1 &&
    n <= 8 &&
    head.streamCount === STREAMS[n] &&
    head.coupledCount === COUPLED[n]
  ) {
    const map = MAPPINGS[n - 1] as readonly number[];
    if (head.channelMapping && map.every((v, i) => head.channelMapping?.[i] === v)) return n;
  }
  return undefined;
}
