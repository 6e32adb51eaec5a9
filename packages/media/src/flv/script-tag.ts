/**
 * FLV script data tags (tag type 18, RTMP data message 18): AMF0 [name, value...]
 * such as `onMetaData`. RTMP publishers prefix it with `@setDataFrame`.
 */
import { Amf0DecodeError, Amf0EcmaArray, amf0Properties, type Amf0Object, type Amf0Value } from '../amf0/types.js';
import { decodeAmf0Values } from '../amf0/decode.js';
import { encodeAmf0Values } from '../amf0/encode.js';
import type { TrackInfo } from '../packet.js';
import { FlvParseError } from './errors.js';

/** A parsed script data body. */
export interface ScriptTagBody {
  /** The handler name, e.g. "onMetaData" (`@setDataFrame` stripped). */
  name: string;
  /** The values after the name. */
  values: Amf0Value[];
  /** Properties of the first value when it is an object or ECMA array (the metadata), else undefined. */
  properties: Amf0Object | undefined;
}

/**
 * Parses a script data body (AMF0 values). A leading `@setDataFrame` (RTMP) is removed.
 * Throws `FlvParseError` (with the `Amf0DecodeError` as `cause`) on malformed AMF0 or a
 * body that does not start with a string name.
 */
export function parseScriptTagBody(body: Uint8Array): ScriptTagBody {
  let values: Amf0Value[];
  try {
    values = decodeAmf0Values(body);
  } catch (e) {
    if (e instanceof Amf0DecodeError) throw new FlvParseError(`invalid script data: ${e.message}`, e.offset);
    throw e;
  }
  if (values[0] === '@setDataFrame') values.shift();
  const name = values.shift();
  if (typeof name !== 'string') throw new FlvParseError('script data does not start with a string name', 0);
  return { name, values, properties: values[0] === undefined ? undefined : amf0Properties(values[0]) };
}

/** FourCC as the UI32 number Enhanced RTMP puts in `videocodecid` / `audiocodecid`. */
function fourCcNumber(fourCc: string): number {
  return (
    fourCc.charCodeAt(0) * 0x1000000 + (fourCc.charCodeAt(1) << 16) + (fourCc.charCodeAt(2) << 8) + fourCc.charCodeAt(3)
  );
}

const VIDEO_CODEC_IDS: Readonly<Record<string, number>> = {
  h264: 7,
  h265: fourCcNumber('hvc1'),
  av1: fourCcNumber('av01'),
  vp9: fourCcNumber('vp09'),
};
const AUDIO_CODEC_IDS: Readonly<Record<string, number>> = { aac: 10, mp3: 2, opus: fourCcNumber('Opus') };

/**
 * Builds an `onMetaData` script body (AMF0 "onMetaData" + ECMA array) describing the
 * tracks: width, height, framerate, videodatarate (kb/s), videocodecid (FourCC number for
 * enhanced codecs), audiosamplerate, stereo, audiodatarate, audiocodecid; `extra`
 * properties are added last (e.g. `{ duration: 0, encoder: 'Sluice' }`).
 */
export function buildOnMetaDataBody(
  tracks: readonly TrackInfo[],
  extra: Readonly<Record<string, Amf0Value>> = {},
): Uint8Array {
  const meta = new Amf0EcmaArray();
  const p = meta.properties;
  const video = tracks.find((t) => t.kind === 'video');
  const audio = tracks.find((t) => t.kind === 'audio');
  if (video) {
    if (video.width !== undefined) p.width = video.width;
    if (video.height !== undefined) p.height = video.height;
    if (video.frameRate !== undefined) p.framerate = video.frameRate;
    if (video.bitrate !== undefined) p.videodatarate = video.bitrate / 1000;
    const id = VIDEO_CODEC_IDS[video.codec];
    if (id !== undefined) p.videocodecid = id;
  }
  if (audio) {
    if (audio.bitrate !== undefined) p.audiodatarate = audio.bitrate / 1000;
    if (audio.sampleRate !== undefined) p.audiosamplerate = audio.sampleRate;
    p.audiosamplesize = 16;
    if (audio.channels !== undefined) p.stereo = audio.channels >= 2;
    const id = AUDIO_CODEC_IDS[audio.codec];
    if (id !== undefined) p.audiocodecid = id;
  }
  for (const key of Object.keys(extra)) p[key] = extra[key];
  return encodeAmf0Values(['onMetaData', meta]);
}
