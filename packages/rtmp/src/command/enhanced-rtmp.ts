/**
 * Enhanced RTMP (veovera E-RTMP v1/v2) capability negotiation in `connect`:
 * `fourCcList` (strict array of FourCC strings) and `videoFourCcInfoMap` /
 * `audioFourCcInfoMap` (FourCC -> CanDecode 1 | CanEncode 2 | CanForward 4).
 * The client announces what it can send; a server that supports E-RTMP echoes its
 * own list in the `_result` properties or information object.
 */
import { amf0Properties } from '@sluice/media';
import type { Amf0Value, CodecName } from '@sluice/media';

/** FourCC of each codec that needs E-RTMP (the legacy FLV codec ids cover h264, aac, mp3). */
export const ENHANCED_FOURCC: Partial<Record<CodecName, string>> = {
  h265: 'hvc1',
  av1: 'av01',
  vp9: 'vp09',
  opus: 'Opus',
};

/** FourCcInfoMask: CanDecode | CanEncode | CanForward. */
export const FOURCC_INFO_ALL = 1 | 2 | 4;

/** The E-RTMP fields for a connect command object (ours, as client or server). */
export function enhancedConnectFields(fourCcs: readonly string[]): Record<string, Amf0Value> {
  const video: Record<string, Amf0Value> = {};
  const audio: Record<string, Amf0Value> = {};
  for (const cc of fourCcs) {
    if (cc === 'Opus' || cc === 'mp4a' || cc === '.mp3' || cc === 'ac-3' || cc === 'ec-3' || cc === 'fLaC')
      audio[cc] = FOURCC_INFO_ALL;
    else video[cc] = FOURCC_INFO_ALL;
  }
  return { fourCcList: [...fourCcs], videoFourCcInfoMap: video, audioFourCcInfoMap: audio };
}

/**
 * The FourCCs an info/command object announces (fourCcList entries, and keys of the
 * two info maps with a nonzero mask); '*' means all.
 */
export function announcedFourCcs(...objects: Array<Amf0Value | undefined>): Set<string> {
  const out = new Set<string>();
  for (const object of objects) {
    const props = object === undefined ? undefined : amf0Properties(object);
    if (props === undefined) continue;
    const list = props['fourCcList'];
    if (Array.isArray(list)) for (const cc of list) if (typeof cc === 'string') out.add(cc);
    for (const mapName of ['videoFourCcInfoMap', 'audioFourCcInfoMap']) {
      const map = props[mapName];
      const entries = map === undefined ? undefined : amf0Properties(map);
      if (entries === undefined) continue;
      for (const key of Object.keys(entries)) if (typeof entries[key] === 'number' && entries[key] !== 0) out.add(key);
    }
  }
  return out;
}
