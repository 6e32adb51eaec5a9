/** Which EsReader reads a PMT entry: stream_type and descriptors → codec. */
import { TS_TIMESCALE } from '@sluice/media';
import { DescriptorTag, StreamType } from './constants.js';
import {
  AacEsReader,
  MpegAudioEsReader,
  OpaqueEsReader,
  OpusEsReader,
  VideoEsReader,
  type EsReader,
} from './es-reader.js';
import { findDescriptor, type PmtEntry } from './psi-reader.js';

/** The reader of a PMT entry, or undefined for stream types Sluice does not carry. */
export function readerForStream(s: PmtEntry): EsReader | undefined {
  const base = { id: s.pid, timescale: TS_TIMESCALE };
  switch (s.streamType) {
    case StreamType.h264:
      return new VideoEsReader({ ...base, kind: 'video', codec: 'h264' });
    case StreamType.h265:
      return new VideoEsReader({ ...base, kind: 'video', codec: 'h265' });
    case StreamType.aacAdts:
      return new AacEsReader({ ...base, kind: 'audio', codec: 'aac' });
    case StreamType.mpeg1Audio:
    case StreamType.mpeg2Audio:
      return new MpegAudioEsReader({ ...base, kind: 'audio', codec: 'mp3' });
    case StreamType.metadataPes:
      return new OpaqueEsReader({ ...base, kind: 'data', codec: 'id3' });
    case StreamType.privatePes: {
      const reg = findDescriptor(s.descriptors, DescriptorTag.registration);
      if (
        reg !== undefined &&
        reg.length >= 4 &&
        reg[0] === 0x4f &&
        reg[1] === 0x70 &&
        reg[2] === 0x75 &&
        reg[3] === 0x73
      ) {
        const ext = findDescriptor(s.descriptors, DescriptorTag.dvbExtension);
        const code = ext !== undefined && ext.length >= 2 && ext[0] === 0x80 ? ext[1]! : 2;
        return new OpusEsReader({ ...base, kind: 'audio', codec: 'opus' }, code);
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
