/** MPEG-TS constants (ISO/IEC 13818-1). */

/** Size of one transport packet. */
export const TS_PACKET_SIZE = 188;
/** sync_byte of every transport packet. */
export const TS_SYNC_BYTE = 0x47;
/** Payload bytes of a packet without adaptation field. */
export const TS_PAYLOAD_SIZE = 184;
/** PID of the Program Association Table. */
export const PAT_PID = 0x0000;
/** Null packets. */
export const NULL_PID = 0x1fff;
/** 90 kHz clock ticks per millisecond. */
export const TICKS_PER_MS = 90;
/** PTS/DTS are 33-bit counters: they wrap at this value. */
export const TIMESTAMP_WRAP = 2 ** 33;
/** PCR = base (90 kHz) * 300 + extension (27 MHz). */
export const PCR_EXTENSION_FACTOR = 300;
/** PCRs (27 MHz) wrap with their 33-bit base: at 2^33 × 300. */
export const PCR_WRAP = TIMESTAMP_WRAP * PCR_EXTENSION_FACTOR;

/** stream_type values of the PMT used by Sluice. */
export const StreamType = {
  mpeg1Audio: 0x03,
  mpeg2Audio: 0x04,
  privatePes: 0x06,
  aacAdts: 0x0f,
  metadataPes: 0x15,
  h264: 0x1b,
  h265: 0x24,
} as const;

/** stream_id values of PES headers. */
export const StreamId = {
  privateStream1: 0xbd,
  audio: 0xc0,
  video: 0xe0,
} as const;

/** Descriptor tags written/read in the PMT. */
export const DescriptorTag = {
  registration: 0x05,
  iso639Language: 0x0a,
  metadata: 0x26,
  dvbExtension: 0x7f,
} as const;
