/** Fuzz targets of @sluice/media: AMF0, FLV files and tags, codec configuration records. */
import {
  Amf0DecodeError,
  FlvParseError,
  FlvReader,
  FlvTagDemuxer,
  MalformedCodecData,
  decodeAmf0Values,
  encodeAmf0Values,
  parseAudioSpecificConfig,
  parseAvcDecoderConfig,
  parseH264Sps,
  parseH265Sps,
  parseHevcDecoderConfig,
  parseOpusHead,
} from '@sluice/media';
import { expectTyped, type FuzzTarget } from '../target.js';
import { fixturePrefixes, flvTags } from '../seeds.js';

export const amf0: FuzzTarget = {
  name: 'amf0',
  description: 'AMF0 values (decodeAmf0Values): commands, metadata, nested objects',
  maxLength: 4096,
  coverage: ['media/src/amf0/'],
  seeds: () => [
    encodeAmf0Values(['connect', 1, { app: 'live', tcUrl: 'rtmp://h/live', fpad: false, capabilities: 239 }]),
    encodeAmf0Values(['@setDataFrame', 'onMetaData', { width: 1280, height: 720, videocodecid: 7, list: [1, 'a'] }]),
    encodeAmf0Values(['onStatus', 0, null, { level: 'error', code: 'NetStream.Publish.BadName', description: 'x' }]),
    ...flvTags('h264-baseline-aac.flv', 5)
      .filter((t) => t.type === 18)
      .map((t) => t.data),
  ],
  run: (input) => expectTyped(() => void decodeAmf0Values(input), [Amf0DecodeError]),
};

export const flvFile: FuzzTarget = {
  name: 'flv',
  description: 'FLV byte stream (FlvReader, in 3 pushes) and every tag through FlvTagDemuxer',
  maxLength: 64 * 1024,
  coverage: ['media/src/flv/', 'media/src/codec/'],
  seeds: () => fixturePrefixes('flv', 48 * 1024),
  run: (input) =>
    expectTyped(() => {
      const reader = new FlvReader({ maxTagSize: 1 << 20 });
      const demuxer = new FlvTagDemuxer();
      const a = input.length >> 2;
      const b = input.length >> 1;
      for (const part of [input.subarray(0, a), input.subarray(a, b), input.subarray(b)])
        for (const tag of reader.push(part)) demuxer.demux(tag.type, tag.timestamp, tag.data);
      reader.end();
    }, [FlvParseError, MalformedCodecData, Amf0DecodeError]),
};

/** First byte selects the parser, the rest is its input. */
const CODEC_PARSERS = [
  parseAvcDecoderConfig,
  parseHevcDecoderConfig,
  parseAudioSpecificConfig,
  parseH264Sps,
  parseH265Sps,
  parseOpusHead,
] as const;

export const codecConfig: FuzzTarget = {
  name: 'codec-config',
  description: 'AVC/HEVC decoder configuration records, AudioSpecificConfig, H.264/H.265 SPS, OpusHead',
  maxLength: 2048,
  coverage: ['media/src/codec/'],
  seeds: () => {
    const out: Uint8Array[] = [];
    for (const name of ['h264-baseline-aac.flv', 'h264-high-aac.flv']) {
      for (const tag of flvTags(name, 20)) {
        // sequence headers: video AVC packet type 0 (config after 5 bytes), audio AAC type 0 (after 2)
        if (tag.type === 9 && tag.data[1] === 0) out.push(prefixed(0, tag.data.subarray(5)));
        if (tag.type === 8 && tag.data[1] === 0) out.push(prefixed(2, tag.data.subarray(2)));
      }
    }
    // SPS (from the AVC records: after 8 bytes, 2-byte length) for the SPS parser
    for (const seed of [...out]) if (seed[0] === 0 && seed.length > 9) out.push(prefixed(3, seed.subarray(9)));
    out.push(
      prefixed(
        5,
        Uint8Array.of(0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64, 1, 2, 0x38, 1, 0x80, 0xbb, 0, 0, 0, 0, 0),
      ),
    );
    return out;
  },
  run: (input) =>
    expectTyped(() => {
      const parse = CODEC_PARSERS[(input[0] ?? 0) % CODEC_PARSERS.length];
      if (parse !== undefined && input.length > 0) parse(input.subarray(1));
    }, [MalformedCodecData]),
};

function prefixed(selector: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 1);
  out[0] = selector;
  out.set(body, 1);
  return out;
}
