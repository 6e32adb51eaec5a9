/** Options shared by SrtCaller and SrtListener, with libsrt's defaults. */
import { SrtConnectionError } from './errors.js';
import { isValidKeyLength, isValidPassphrase } from './km.js';
import { LIVE_PAYLOAD_SIZE, MAX_PAYLOAD_SIZE } from './packet.js';

/** Connection options (all optional). */
export interface SrtOptions {
  /** TSBPD latency in ms, for both directions; the larger of both peers' wins. Default 120. */
  latencyMs?: number;
  /** Encryption passphrase, 10 to 79 characters. Default: none (unencrypted). */
  passphrase?: string;
  /** AES key length in bytes when this side makes the keys (the caller): 16, 24 or 32. Default 16. */
  pbkeylen?: number;
  /** Output cap in bytes/s: > 0 fixed, 0 = measured input rate + `overheadPercent` (default), -1 unlimited. */
  maxBandwidth?: number;
  /** Headroom over the input rate for retransmissions when `maxBandwidth` is 0. Default 25. */
  overheadPercent?: number;
  /** Close when nothing came from the peer for this long (ms). Default 5000. */
  peerIdleTimeoutMs?: number;
  /** Largest payload per packet (1316 = 7 TS packets). Default 1316, at most 1456. */
  payloadSize?: number;
  /** Flow window (packets in flight). Default 8192. */
  flowWindow?: number;
  /** Packets sent with one key before it is replaced (key refresh). Default 2^24 as libsrt. */
  kmRefreshRate?: number;
  /** Packets before the switch the new key is announced, and after it the old one is retired. Default 4096. */
  kmPreAnnounce?: number;
}

/** Options with defaults applied. */
export interface ResolvedOptions {
  latencyMs: number;
  passphrase: string | undefined;
  pbkeylen: 16 | 24 | 32;
  maxBandwidth: number;
  overheadPercent: number;
  peerIdleTimeoutMs: number;
  payloadSize: number;
  flowWindow: number;
  kmRefreshRate: number;
  kmPreAnnounce: number;
}

function bad(message: string): SrtConnectionError {
  return new SrtConnectionError('url', message);
}

/** Applies defaults and checks ranges (throws SrtConnectionError 'url'). */
export function resolveOptions(o: SrtOptions): ResolvedOptions {
  const latencyMs = o.latencyMs ?? 120;
  if (!Number.isInteger(latencyMs) || latencyMs < 0 || latencyMs > 65535) {
    throw bad(`latency ${latencyMs} ms out of range (0..65535)`);
  }
  const passphrase = o.passphrase === '' ? undefined : o.passphrase;
  if (passphrase !== undefined && !isValidPassphrase(passphrase)) {
    throw bad(`passphrase of ${passphrase.length} characters (10 to 79 required)`);
  }
  const pbkeylen = o.pbkeylen ?? 16;
  if (!isValidKeyLength(pbkeylen)) throw bad(`pbkeylen ${pbkeylen} (16, 24 or 32)`);
  const payloadSize = o.payloadSize ?? LIVE_PAYLOAD_SIZE;
  if (!Number.isInteger(payloadSize) || payloadSize < 16 || payloadSize > MAX_PAYLOAD_SIZE) {
    throw bad(`payload size ${payloadSize} out of range (16..${MAX_PAYLOAD_SIZE})`);
  }
  const peerIdleTimeoutMs = o.peerIdleTimeoutMs ?? 5000;
  if (!(peerIdleTimeoutMs > 0)) throw bad(`peer idle timeout ${peerIdleTimeoutMs} ms`);
  const flowWindow = o.flowWindow ?? 8192;
  if (!Number.isInteger(flowWindow) || flowWindow < 32 || flowWindow > 65536) {
    throw bad(`flow window ${flowWindow} out of range (32..65536)`);
  }
  const kmRefreshRate = o.kmRefreshRate ?? 0x1000000;
  const kmPreAnnounce = o.kmPreAnnounce ?? 0x1000;
  if (!(kmPreAnnounce > 0 && kmRefreshRate > 2 * kmPreAnnounce)) {
    throw bad(`key refresh rate ${kmRefreshRate} must exceed twice the pre-announce ${kmPreAnnounce}`);
  }
  return {
    latencyMs,
    passphrase,
    pbkeylen,
    maxBandwidth: o.maxBandwidth ?? 0,
    overheadPercent: o.overheadPercent ?? 25,
    peerIdleTimeoutMs,
    payloadSize,
    flowWindow,
    kmRefreshRate,
    kmPreAnnounce,
  };
}
