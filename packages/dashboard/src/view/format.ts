/**
 * How numbers, times and tracks read on screen: decimal byte and bit-rate units (as
 * network traffic is counted), durations in the two largest units, the API's
 * timestamps (`2021-02-04T01:42:40.160+0900`, or ISO-8601 `Z`) parsed exactly.
 */
import type { StreamTrack } from '../api/api-types.js';

/** Shown for a value the server did not give. */
export const UNKNOWN = '—';

const round = (value: number): string =>
  value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);

function scaled(value: number, units: readonly string[]): string {
  let i = 0;
  let v = value;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${Math.round(v)} ${units[0]}` : `${round(v)} ${units[i]}`;
}

/** `1.23 MB`; `—` for undefined or not a count. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return UNKNOWN;
  return scaled(bytes, ['B', 'kB', 'MB', 'GB', 'TB', 'PB']);
}

/** `4.50 Mbit/s`; `—` for undefined. */
export function formatBitrate(bitsPerSecond: number | undefined): string {
  if (bitsPerSecond === undefined || !Number.isFinite(bitsPerSecond) || bitsPerSecond < 0) return UNKNOWN;
  return scaled(bitsPerSecond, ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s']);
}

/** `2 d 03 h`, `1 h 05 min`, `3 min 07 s`, `42 s`; `—` for undefined or negative. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return UNKNOWN;
  const s = Math.floor(ms / 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  if (days > 0) return `${days} d ${pad(hours)} h`;
  if (hours > 0) return `${hours} h ${pad(minutes)} min`;
  if (minutes > 0) return `${minutes} min ${pad(seconds)} s`;
  return `${seconds} s`;
}

const API_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Milliseconds since the epoch of an API time, or undefined when it is not one or is
 * the API's "not yet" (`1970-01-01T00:00:00.000` in local offset, i.e. the epoch).
 * A time without an offset is read as UTC.
 */
export function parseApiTime(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = API_TIME.exec(text.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac = '0', zone = 'Z'] = m;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  let value = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    value -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  if (!Number.isFinite(value) || value <= 0) return undefined;
  return value;
}

/** Time since an API time (`—` when unknown). */
export function formatSince(apiTime: string | undefined, now: number): string {
  const start = parseApiTime(apiTime);
  return start === undefined ? UNKNOWN : formatDuration(Math.max(0, now - start));
}

const CODEC_LABELS: Readonly<Record<string, string>> = {
  h264: 'H.264',
  avc: 'H.264',
  h265: 'H.265/HEVC',
  hevc: 'H.265/HEVC',
  av1: 'AV1',
  vp8: 'VP8',
  vp9: 'VP9',
  aac: 'AAC',
  mp3: 'MP3',
  opus: 'Opus',
  id3: 'ID3',
};

/** `H.264` for `h264`; unknown codec names as given. */
export function codecLabel(codec: string): string {
  return CODEC_LABELS[codec.toLowerCase()] ?? codec;
}

function channelsLabel(channels: number): string {
  if (channels === 1) return 'mono';
  if (channels === 2) return 'stereo';
  return `${channels} ch`;
}

const fps = (rate: number): string => `${Number.isInteger(rate) ? rate : rate.toFixed(2)} fps`;

/** One line per track: `H.264 1280×720 30 fps 2.50 Mbit/s`, `AAC 48 kHz stereo`. */
export function formatTrack(track: StreamTrack): string {
  const parts = [codecLabel(track.codec)];
  if (track.type === 'video') {
    if (track.width !== undefined && track.height !== undefined) parts.push(`${track.width}×${track.height}`);
    if (track.framerate !== undefined && track.framerate > 0) parts.push(fps(track.framerate));
  }
  if (track.type === 'audio') {
    if (track.samplerate !== undefined)
      parts.push(
        `${track.samplerate % 1000 === 0 ? track.samplerate / 1000 : (track.samplerate / 1000).toFixed(1)} kHz`,
      );
    if (track.channels !== undefined) parts.push(channelsLabel(track.channels));
  }
  if (track.bitrate !== undefined && track.bitrate > 0) parts.push(formatBitrate(track.bitrate));
  return parts.join(' ');
}
