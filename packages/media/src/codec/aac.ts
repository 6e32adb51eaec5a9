/**
 * MPEG-4 AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1): parse and build, including the
 * audioObjectType escape (31), explicit 24-bit sampling frequencies, and SBR/PS signalled
 * hierarchically (objectType 5/29) or backward-compatibly (sync extension 0x2B7).
 */
import { AAC_SAMPLING_FREQUENCIES, aacChannelCount, aacSamplingFrequencyIndex } from './aac-sampling.js';
import { BitReader } from './bit-reader.js';
import { BitWriter } from './bit-writer.js';
import { MalformedCodecData } from './errors.js';

const FORMAT = 'AudioSpecificConfig';

/** How SBR/PS presence is signalled in the config. */
export type SbrSignalling = 'none' | 'hierarchical' | 'backward-compatible';

/** A parsed AudioSpecificConfig. */
export interface AudioSpecificConfig {
  /** The core audioObjectType (2 = AAC-LC, also for HE-AAC), after the escape. */
  objectType: number;
  /** The core samplingFrequencyIndex (15 = explicit frequency). */
  samplingFrequencyIndex: number;
  /** The core sample rate in Hz. */
  sampleRate: number;
  /** channelConfiguration 0..15 (0: program_config_element). */
  channelConfiguration: number;
  /** Channels from channelConfiguration, or counted from the PCE when it is 0. */
  channels: number;
  /** GASpecificConfig frameLengthFlag: 960-sample frames instead of 1024. */
  frameLengthFlag: boolean;
  /** SBR present (HE-AAC). */
  sbrPresent: boolean;
  /** Parametric stereo present (HE-AAC v2). */
  psPresent: boolean;
  /** Output sample rate when SBR is present (extensionSamplingFrequency). */
  extensionSampleRate?: number | undefined;
  /** How SBR/PS was signalled. */
  sbrSignalling: SbrSignalling;
}

/** What {@link buildAudioSpecificConfig} needs. */
export interface AudioSpecificConfigInit {
  /** Core audioObjectType 1..95 (2 for AAC-LC and HE-AAC). */
  objectType: number;
  /** Core sample rate; written as an index when it has one, else explicitly. */
  sampleRate: number;
  /** channelConfiguration 1..7. */
  channelConfiguration: number;
  frameLengthFlag?: boolean | undefined;
  /** SBR present (HE-AAC): then give extensionSampleRate (usually 2 × sampleRate). */
  sbrPresent?: boolean | undefined;
  psPresent?: boolean | undefined;
  extensionSampleRate?: number | undefined;
  /** Default 'hierarchical' with SBR, 'none' without. */
  sbrSignalling?: SbrSignalling | undefined;
}

/** Object types with a GASpecificConfig. */
function isGeneralAudio(ot: number): boolean {
  return ot === 1 || ot === 2 || ot === 3 || ot === 4 || ot === 6 || ot === 7 || ot === 17 || (ot >= 19 && ot <= 23);
}

function readObjectType(r: BitReader): number {
  const ot = r.readBits(5);
  return ot === 31 ? 32 + r.readBits(6) : ot;
}

function readFrequency(r: BitReader): { index: number; rate: number } {
  const index = r.readBits(4);
  if (index === 15) return { index, rate: r.readBits(24) };
  const rate = AAC_SAMPLING_FREQUENCIES[index];
  if (rate === undefined) throw new MalformedCodecData(FORMAT, `reserved samplingFrequencyIndex ${index}`);
  return { index, rate };
}

/** Reads a program_config_element (ISO/IEC 14496-3 4.4.1.1) and returns its channel count. */
function readProgramConfigElement(r: BitReader): number {
  // element_instance_tag(4), object_type(2), sampling_frequency_index(4)
  r.skipBits(10);
  const front = r.readBits(4);
  const side = r.readBits(4);
  const back = r.readBits(4);
  const lfe = r.readBits(2);
  const assoc = r.readBits(3);
  const cc = r.readBits(4);
  if (r.readFlag()) r.skipBits(4); // mono_mixdown_element_number
  if (r.readFlag()) r.skipBits(4); // stereo_mixdown_element_number
  if (r.readFlag()) r.skipBits(3); // matrix_mixdown_idx, pseudo_surround_enable
  let channels = lfe;
  for (let i = 0; i < front + side + back; i++) {
    channels += r.readFlag() ? 2 : 1; // *_element_is_cpe
    r.skipBits(4); // *_element_tag_select
  }
  r.skipBits(4 * lfe + 4 * assoc + 5 * cc);
  r.byteAlign();
  r.skipBits(8 * r.readBits(8)); // comment_field_bytes
  return channels;
}

/**
 * Parses an AudioSpecificConfig. Throws MalformedCodecData when it is truncated or uses a
 * reserved value. Object types without a GASpecificConfig are returned with their basic
 * fields only.
 */
export function parseAudioSpecificConfig(data: Uint8Array): AudioSpecificConfig {
  const r = new BitReader(data, { format: FORMAT });
  let objectType = readObjectType(r);
  if (objectType === 0) throw new MalformedCodecData(FORMAT, 'audioObjectType 0 (null) is not valid');
  const { index, rate } = readFrequency(r);
  const channelConfiguration = r.readBits(4);
  let sbrPresent = false;
  let psPresent = false;
  let extensionSampleRate: number | undefined;
  let sbrSignalling: SbrSignalling = 'none';
  if (objectType === 5 || objectType === 29) {
    sbrPresent = true;
    psPresent = objectType === 29;
    sbrSignalling = 'hierarchical';
    extensionSampleRate = readFrequency(r).rate;
    objectType = readObjectType(r);
    if (objectType === 22) r.skipBits(4); // extensionChannelConfiguration
  }
  let channels = aacChannelCount(channelConfiguration);
  let frameLengthFlag = false;
  if (isGeneralAudio(objectType)) {
    // GASpecificConfig
    frameLengthFlag = r.readFlag();
    if (r.readFlag()) r.skipBits(14); // dependsOnCoreCoder: coreCoderDelay
    const extensionFlag = r.readFlag();
    if (channelConfiguration === 0) channels = readProgramConfigElement(r);
    if (objectType === 6 || objectType === 20) r.skipBits(3); // layerNr
    if (extensionFlag) {
      if (objectType === 22) r.skipBits(16); // numOfSubFrame(5), layer_length(11)
      if (objectType === 17 || objectType === 19 || objectType === 20 || objectType === 23) r.skipBits(3); // resilience flags
      r.skipBits(1); // extensionFlag3
    }
    if (objectType >= 17 && objectType <= 27) r.skipBits(2); // epConfig
    if (sbrSignalling === 'none' && r.bitsLeft >= 16) {
      const sync = r.readBits(11);
      if (sync === 0x2b7) {
        const extensionObjectType = readObjectType(r);
        if (extensionObjectType === 5) {
          sbrSignalling = 'backward-compatible';
          sbrPresent = r.readFlag();
          if (sbrPresent) {
            extensionSampleRate = readFrequency(r).rate;
            if (r.bitsLeft >= 12 && r.readBits(11) === 0x548) psPresent = r.readFlag();
          }
        }
      }
    }
  }
  if (index === 15 && rate === 0) throw new MalformedCodecData(FORMAT, 'explicit samplingFrequency is 0');
  return {
    objectType,
    samplingFrequencyIndex: index,
    sampleRate: rate,
    channelConfiguration,
    channels,
    frameLengthFlag,
    sbrPresent,
    psPresent,
    extensionSampleRate,
    sbrSignalling,
  };
}

function writeObjectType(w: BitWriter, ot: number): void {
  if (ot >= 31) {
    w.writeBits(5, 31);
    w.writeBits(6, ot - 32);
  } else {
    w.writeBits(5, ot);
  }
}

function writeFrequency(w: BitWriter, rate: number): void {
  const index = aacSamplingFrequencyIndex(rate);
  if (index >= 0) {
    w.writeBits(4, index);
  } else {
    w.writeBits(4, 15);
    w.writeBits(24, rate);
  }
}

/**
 * Builds an AudioSpecificConfig (GASpecificConfig with dependsOnCoreCoder=0,
 * extensionFlag=0) for an object type with a GASpecificConfig (1, 2, 3, 4, 6, 7).
 */
export function buildAudioSpecificConfig(init: AudioSpecificConfigInit): Uint8Array {
  const { objectType, sampleRate, channelConfiguration } = init;
  if (!Number.isInteger(objectType) || objectType < 1 || objectType > 7 || objectType === 5) {
    throw new RangeError(`buildAudioSpecificConfig: objectType must be 1, 2, 3, 4, 6 or 7, got ${objectType}`);
  }
  checkRate('sampleRate', sampleRate);
  if (!Number.isInteger(channelConfiguration) || channelConfiguration < 1 || channelConfiguration > 7) {
    throw new RangeError(`buildAudioSpecificConfig: channelConfiguration must be 1..7, got ${channelConfiguration}`);
  }
  const sbr = init.sbrPresent ?? false;
  const ps = init.psPresent ?? false;
  if (ps && !sbr) throw new RangeError('buildAudioSpecificConfig: psPresent needs sbrPresent');
  const signalling = init.sbrSignalling ?? (sbr ? 'hierarchical' : 'none');
  if (sbr && signalling === 'none')
    throw new RangeError(
      "buildAudioSpecificConfig: sbrPresent needs sbrSignalling 'hierarchical' or 'backward-compatible'",
    );
  const extRate = init.extensionSampleRate ?? (sbr ? sampleRate * 2 : undefined);
  if (sbr) checkRate('extensionSampleRate', extRate as number);
  const w = new BitWriter(16);
  if (signalling === 'hierarchical' && sbr) {
    writeObjectType(w, ps ? 29 : 5);
    writeFrequency(w, sampleRate);
    w.writeBits(4, channelConfiguration);
    writeFrequency(w, extRate as number);
    writeObjectType(w, objectType);
  } else {
    writeObjectType(w, objectType);
    writeFrequency(w, sampleRate);
    w.writeBits(4, channelConfiguration);
  }
  // GASpecificConfig: frameLengthFlag, dependsOnCoreCoder=0, extensionFlag=0
  w.writeBits(1, init.frameLengthFlag ? 1 : 0);
  w.writeBits(2, 0);
  if (objectType === 6) w.writeBits(3, 0); // layerNr
  if (signalling === 'backward-compatible') {
    w.writeBits(11, 0x2b7); // syncExtensionType
    writeObjectType(w, 5);
    w.writeBits(1, sbr ? 1 : 0);
    if (sbr) {
      writeFrequency(w, extRate as number);
      if (ps) {
        w.writeBits(11, 0x548);
        w.writeBits(1, 1);
      }
    }
  }
  return w.finish();
}

function checkRate(name: string, rate: number): void {
  if (!Number.isInteger(rate) || rate < 1 || rate > 0xffffff)
    throw new RangeError(`buildAudioSpecificConfig: ${name} must be an integer in 1..16777215, got ${rate}`);
}

/** Samples per channel in one AAC frame of this config (1024 or 960; doubled by SBR at the output rate). */
export function aacSamplesPerFrame(config: AudioSpecificConfig): number {
  return config.frameLengthFlag ? 960 : 1024;
}
