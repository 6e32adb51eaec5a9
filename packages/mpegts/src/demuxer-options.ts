/** Options of TsDemuxer, their defaults and validation. */
import type { MediaPacket, TrackInfo } from '@sluice/media';
import type { TsDemuxError } from './errors.js';

/** Callbacks and limits of a TsDemuxer. */
export interface TsDemuxerOptions {
  /** The program's tracks (track id = PID), once their configuration is known; again when the PMT changes. */
  onTracks: (tracks: readonly TrackInfo[]) => void;
  /** One access unit / audio frame; `data` is owned by the receiver. */
  onPacket: (packet: MediaPacket) => void;
  /** Problems in lenient mode (already counted in stats). */
  onError?: (error: TsDemuxError) => void;
  /** Throw the first problem from push()/end() instead of skipping it. Default false. */
  strict?: boolean;
  /** program_number to follow; default: the first program of the PAT. */
  programNumber?: number;
  /** Largest PES accepted, bytes. Default 8 MiB. */
  maxPesSize?: number;
  /**
   * Who owns a packet's `data`. 'owned' (default): the receiver, for good. 'transient':
   * video data is valid only until onPacket returns (the demuxer reuses its memory), for
   * receivers that copy at once, such as TsMuxer.write: no fresh memory per access unit.
   * Audio and data packets are owned in both modes.
   */
  packetData?: 'owned' | 'transient';
}

/** Options with defaults applied. */
export interface ResolvedTsDemuxerOptions {
  maxPesSize: number;
  strict: boolean;
  transient: boolean;
}

/** Checks the options (TypeError / RangeError with the option's name) and applies defaults. */
export function resolveDemuxerOptions(options: TsDemuxerOptions): ResolvedTsDemuxerOptions {
  if (typeof options?.onTracks !== 'function') throw new TypeError('onTracks must be a function');
  if (typeof options.onPacket !== 'function') throw new TypeError('onPacket must be a function');
  const maxPesSize = options.maxPesSize ?? 8 * 1024 * 1024;
  if (!Number.isInteger(maxPesSize) || maxPesSize < 1024 || maxPesSize > 256 * 1024 * 1024)
    throw new RangeError(`maxPesSize must be an integer in 1024..268435456, got ${maxPesSize}`);
  const packetData = options.packetData ?? 'owned';
  if (packetData !== 'owned' && packetData !== 'transient')
    throw new TypeError(`packetData must be 'owned' or 'transient', got ${String(packetData)}`);
  return { maxPesSize, strict: options.strict ?? false, transient: packetData === 'transient' };
}
