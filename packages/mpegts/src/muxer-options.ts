/** Options of TsMuxer, their defaults and validation. */
import { TsMuxError } from './errors.js';
import type { TsDataListener, TsOutputMode } from './ts-output.js';
import { DEFAULT_SLAB_SIZE } from './ts-output.js';

/** How a TsMuxer lays out and paces its output. */
export interface TsMuxerOptions {
  /**
   * Receives the output: whole 188-byte packets, once or more per write(). See
   * {@link TsOutputMode} for how long a chunk stays valid. `randomAccess` is true when
   * the chunk starts with PAT, PMT and a video keyframe PES (or PAT/PMT in a stream
   * without video): a receiver joining mid-stream starts at such a chunk.
   */
  onData: TsDataListener;
  /** 'owned' (default): chunks are never rewritten and may be kept. 'transient': chunks are valid during the callback only. */
  output?: TsOutputMode;
  /** Bytes per output slab (multiple of 188). Default 262448 (1396 packets). */
  slabSize?: number;
  /**
   * Supplies output memory: called for each new slab ('owned') or for the one reused
   * buffer ('transient', again only if a packet needs more). Lets a caller hand out
   * buffers from its own pool. Must return a Uint8Array of at least `bytes` bytes.
   * Default: fresh memory (not zero-filled under Node).
   */
  allocate?: ((bytes: number) => Uint8Array) | undefined;
  /** transport_stream_id of the PAT. Default 1. */
  transportStreamId?: number;
  /** program_number. Default 1. */
  programNumber?: number;
  /** PID of the PMT. Default 0x1000. */
  pmtPid?: number;
  /** PID of the first track; the others follow in track order. Default 0x100. */
  firstPid?: number;
  /** A PCR is written at least this often (ms of stream time); gaps never exceed twice this. Default 20 (1..50). */
  pcrIntervalMs?: number;
  /** PAT and PMT are repeated at least this often (ms), and before every video keyframe. Default 50 (10..1000). */
  psiIntervalMs?: number;
  /** PCR runs this far behind the latest DTS so it is never ahead of any PES's DTS. Default 100 (0..5000). */
  pcrDelayMs?: number;
  /** AAC/MP3 frames are gathered into one PES for up to this long. Default 0: one frame per PES. */
  audioPesMaxDelayMs?: number;
  /** A DTS jump larger than this (either way) is a discontinuity (discontinuity_indicator, fresh PCR). Default 1000. */
  maxTimestampJumpMs?: number;
}

/** Options with defaults applied. */
export type ResolvedTsMuxerOptions = Required<Omit<TsMuxerOptions, 'allocate'>> & Pick<TsMuxerOptions, 'allocate'>;

function checkInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new TsMuxError(`${name} must be an integer in ${min}..${max}, got ${value}`);
  return value;
}

/** Applies defaults and validates; throws TsMuxError with the offending option's name. */
export function resolveMuxerOptions(options: TsMuxerOptions): ResolvedTsMuxerOptions {
  if (typeof options?.onData !== 'function') throw new TsMuxError('onData must be a function');
  const output = options.output ?? 'owned';
  if (output !== 'owned' && output !== 'transient')
    throw new TsMuxError(`output must be 'owned' or 'transient', got ${String(output)}`);
  const slabSize = checkInt('slabSize', options.slabSize ?? DEFAULT_SLAB_SIZE, 188, 64 * 1024 * 1024);
  if (slabSize % 188 !== 0) throw new TsMuxError(`slabSize must be a multiple of 188, got ${slabSize}`);
  const pcrDelayMs = checkInt('pcrDelayMs', options.pcrDelayMs ?? 100, 0, 5000);
  const audioPesMaxDelayMs = checkInt('audioPesMaxDelayMs', options.audioPesMaxDelayMs ?? 0, 0, 1000);
  if (audioPesMaxDelayMs > pcrDelayMs)
    throw new TsMuxError(`audioPesMaxDelayMs (${audioPesMaxDelayMs}) must not exceed pcrDelayMs (${pcrDelayMs})`);
  if (options.allocate !== undefined && typeof options.allocate !== 'function')
    throw new TsMuxError('allocate must be a function');
  return {
    onData: options.onData,
    allocate: options.allocate,
    output,
    slabSize,
    transportStreamId: checkInt('transportStreamId', options.transportStreamId ?? 1, 0, 0xffff),
    programNumber: checkInt('programNumber', options.programNumber ?? 1, 1, 0xffff),
    pmtPid: checkInt('pmtPid', options.pmtPid ?? 0x1000, 0x10, 0x1ffe),
    firstPid: checkInt('firstPid', options.firstPid ?? 0x100, 0x10, 0x1ffe),
    pcrIntervalMs: checkInt('pcrIntervalMs', options.pcrIntervalMs ?? 20, 1, 50),
    psiIntervalMs: checkInt('psiIntervalMs', options.psiIntervalMs ?? 50, 10, 1000),
    pcrDelayMs,
    audioPesMaxDelayMs,
    maxTimestampJumpMs: checkInt('maxTimestampJumpMs', options.maxTimestampJumpMs ?? 1000, 100, 3_600_000),
  };
}
