import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeWithPeers, ffmpegGenerate, ffprobe } from '@sluice/test-support';
import { aacSamplesPerFrame, buildAudioSpecificConfig, parseAudioSpecificConfig } from './aac.js';
import { MalformedCodecData } from './errors.js';
import { hex } from '../test-support/hex.js';

const toHex = (d: Uint8Array): string => [...d].map((b) => b.toString(16).padStart(2, '0')).join('');

describe('AudioSpecificConfig', () => {
  it('parses AAC-LC 44.1 kHz stereo (1210) and builds it back', () => {
    const asc = parseAudioSpecificConfig(hex('1210'));
    expect(asc).toMatchObject({
      objectType: 2,
      samplingFrequencyIndex: 4,
      sampleRate: 44100,
      channelConfiguration: 2,
      channels: 2,
      frameLengthFlag: false,
      sbrPresent: false,
      sbrSignalling: 'none',
    });
    expect(toHex(buildAudioSpecificConfig(asc))).toBe('1210');
    expect(aacSamplesPerFrame(asc)).toBe(1024);
  });

  it("parses ffmpeg's backward-compatible SBR signalling (1190 56e5 00: LC 48 kHz stereo, sbr=0) and builds it back", () => {
    const asc = parseAudioSpecificConfig(hex('119056e500'));
    expect(asc).toMatchObject({
      objectType: 2,
      sampleRate: 48000,
      channels: 2,
      sbrPresent: false,
      sbrSignalling: 'backward-compatible',
    });
    expect(toHex(buildAudioSpecificConfig(asc))).toBe('119056e500');
  });

  it('parses hierarchical HE-AAC v1/v2 (object type 5/29)', () => {
    // 5 (SBR), 24 kHz core (6), stereo, ext 48 kHz (3), core LC
    const he = buildAudioSpecificConfig({
      objectType: 2,
      sampleRate: 24000,
      channelConfiguration: 2,
      sbrPresent: true,
      extensionSampleRate: 48000,
    });
    expect(toHex(he)).toBe('2b118800');
    expect(parseAudioSpecificConfig(he)).toMatchObject({
      objectType: 2,
      sampleRate: 24000,
      sbrPresent: true,
      psPresent: false,
      extensionSampleRate: 48000,
      sbrSignalling: 'hierarchical',
    });
    const v2 = buildAudioSpecificConfig({
      objectType: 2,
      sampleRate: 24000,
      channelConfiguration: 1,
      sbrPresent: true,
      psPresent: true,
    });
    expect(parseAudioSpecificConfig(v2)).toMatchObject({
      sbrPresent: true,
      psPresent: true,
      extensionSampleRate: 48000,
      channels: 1,
    });
    const bc = buildAudioSpecificConfig({
      objectType: 2,
      sampleRate: 22050,
      channelConfiguration: 1,
      sbrPresent: true,
      psPresent: true,
      sbrSignalling: 'backward-compatible',
    });
    expect(parseAudioSpecificConfig(bc)).toMatchObject({
      sampleRate: 22050,
      sbrPresent: true,
      psPresent: true,
      extensionSampleRate: 44100,
      sbrSignalling: 'backward-compatible',
    });
  });

  it('handles the object type escape and explicit frequencies', () => {
    // objectType 31 -> 32 + 6 bits; explicit 24-bit frequency 45000
    const explicit = buildAudioSpecificConfig({
      objectType: 2,
      sampleRate: 45000,
      channelConfiguration: 1,
      frameLengthFlag: true,
    });
    const asc = parseAudioSpecificConfig(explicit);
    expect(asc).toMatchObject({ samplingFrequencyIndex: 15, sampleRate: 45000, frameLengthFlag: true });
    expect(aacSamplesPerFrame(asc)).toBe(960);
    expect(buildAudioSpecificConfig(asc)).toEqual(explicit);
    // audioObjectType 31+escape 10 = 42 (USAC), 48 kHz, stereo
    const esc = parseAudioSpecificConfig(new Uint8Array([0xf9, 0x46, 0x40]));
    expect(esc.objectType).toBe(42);
    expect(esc.sampleRate).toBe(48000);
  });

  it('counts channels from a program_config_element', () => {
    // LC, 48 kHz, channelConfiguration 0, GASpecificConfig 000, PCE: tag 0, profile 1, sfi 3,
    // 1 front CPE + 1 front SCE, 0 side, 1 back CPE, 1 LFE -> 6 channels
    const bits =
      '00010' +
      '0011' +
      '0000' +
      '000' +
      '0000' +
      '01' +
      '0011' +
      '0010' +
      '0000' +
      '0001' +
      '01' +
      '000' +
      '0000' +
      '0' +
      '0' +
      '0' +
      '1' +
      '0000' +
      '0' +
      '0001' +
      '1' +
      '0010' +
      '0000';
    const padded = bits.padEnd(Math.ceil(bits.length / 8) * 8, '0');
    const bytes = new Uint8Array([...(padded.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)), 0x00]);
    expect(parseAudioSpecificConfig(bytes).channels).toBe(6);
  });

  it('rejects malformed configs with MalformedCodecData and bad arguments with RangeError', () => {
    expect(() => parseAudioSpecificConfig(new Uint8Array([0x12]))).toThrow(MalformedCodecData);
    expect(() => parseAudioSpecificConfig(hex('1690'))).toThrow(/reserved samplingFrequencyIndex 13/);
    expect(() => parseAudioSpecificConfig(hex('0010'))).toThrow(/audioObjectType 0/);
    expect(() => buildAudioSpecificConfig({ objectType: 5, sampleRate: 44100, channelConfiguration: 2 })).toThrow(
      RangeError,
    );
    expect(() => buildAudioSpecificConfig({ objectType: 2, sampleRate: 0, channelConfiguration: 2 })).toThrow(
      /sampleRate/,
    );
  });

  it('property: random bytes parse or throw MalformedCodecData; build∘parse is stable', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (d) => {
        try {
          const asc = parseAudioSpecificConfig(d);
          expect(asc.sampleRate).toBeGreaterThan(0);
        } catch (e) {
          expect(e).toBeInstanceOf(MalformedCodecData);
        }
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(
        fc.record({
          objectType: fc.constantFrom(1, 2, 3, 4, 6, 7),
          sampleRate: fc.oneof(
            fc.constantFrom(8000, 16000, 22050, 44100, 48000, 96000),
            fc.integer({ min: 1, max: 0xffffff }),
          ),
          channelConfiguration: fc.integer({ min: 1, max: 7 }),
          frameLengthFlag: fc.boolean(),
        }),
        (init) => {
          const bytes = buildAudioSpecificConfig(init);
          const asc = parseAudioSpecificConfig(bytes);
          expect(asc).toMatchObject(init);
          expect(buildAudioSpecificConfig(asc)).toEqual(bytes);
        },
      ),
    );
  });
});

describeWithPeers(['ffmpeg', 'ffprobe'], 'AudioSpecificConfig interop with ffmpeg', () => {
  it.each([
    [44100, 2],
    [22050, 1],
  ])('parses the config ffmpeg writes in FLV for %i Hz, %i channels, as ffprobe reports', async (rate, channels) => {
    // ffmpeg writes the AudioSpecificConfig as the AAC sequence header; take it from the FLV.
    const { data, path } = await ffmpegGenerate(`asc-${rate}-${channels}.flv`, [
      '-f',
      'lavfi',
      '-i',
      `sine=sample_rate=${rate}:duration=0.2`,
      '-ac',
      String(channels),
      '-c:a',
      'aac',
      '-f',
      'flv',
    ]);
    const probed = (await ffprobe(path)).streams[0];
    // first audio tag: FLV header (9) + PreviousTagSize0 (4) + tag header (11); skip script tag if any
    let p = 13;
    while (data[p] !== 8)
      p += 11 + (((data[p + 1] as number) << 16) | ((data[p + 2] as number) << 8) | (data[p + 3] as number)) + 4;
    const size = ((data[p + 1] as number) << 16) | ((data[p + 2] as number) << 8) | (data[p + 3] as number);
    expect(data[p + 12]).toBe(0); // AACPacketType = sequence header
    const asc = parseAudioSpecificConfig(data.subarray(p + 13, p + 11 + size));
    expect(asc.sampleRate).toBe(Number(probed?.sample_rate));
    expect(asc.channels).toBe(probed?.channels);
    expect(asc.objectType).toBe(2);
    expect(buildAudioSpecificConfig(asc)).toEqual(data.subarray(p + 13, p + 11 + size));
  });
});
