import { describe, expect, it } from 'vitest';
import {
  codecLabel,
  formatBitrate,
  formatBytes,
  formatDuration,
  formatSince,
  formatTrack,
  parseApiTime,
  UNKNOWN,
} from './format.js';

describe('formatBytes / formatBitrate', () => {
  it('uses decimal units with three significant digits', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.00 kB');
    expect(formatBytes(49_400)).toBe('49.4 kB');
    expect(formatBytes(123_456_789)).toBe('123 MB');
    expect(formatBytes(5e15)).toBe('5.00 PB');
    expect(formatBitrate(2_500_000)).toBe('2.50 Mbit/s');
    expect(formatBitrate(640_000)).toBe('640 kbit/s');
    expect(formatBitrate(12)).toBe('12 bit/s');
  });

  it('shows a dash for what the server did not give (never 0)', () => {
    for (const value of [undefined, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(formatBytes(value)).toBe(UNKNOWN);
      expect(formatBitrate(value)).toBe(UNKNOWN);
    }
  });
});

describe('formatDuration', () => {
  it('gives the two largest units', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(42_999)).toBe('42 s');
    expect(formatDuration(187_000)).toBe('3 min 07 s');
    expect(formatDuration(3_900_000)).toBe('1 h 05 min');
    expect(formatDuration(2 * 86_400_000 + 3 * 3_600_000)).toBe('2 d 03 h');
    expect(formatDuration(-5)).toBe(UNKNOWN);
  });
});

describe('parseApiTime', () => {
  it("reads the API's local time with a +HHMM offset", () => {
    expect(parseApiTime('2021-02-04T01:42:40.160+0900')).toBe(Date.UTC(2021, 1, 3, 16, 42, 40, 160));
    expect(parseApiTime('2021-02-04T01:42:40.160-05:30')).toBe(Date.UTC(2021, 1, 4, 7, 12, 40, 160));
  });

  it('reads ISO-8601 UTC and a time without offset as UTC', () => {
    expect(parseApiTime('2026-12-02T11:20:00.123Z')).toBe(Date.UTC(2026, 11, 2, 11, 20, 0, 123));
    expect(parseApiTime('2026-12-02T11:20:00')).toBe(Date.UTC(2026, 11, 2, 11, 20, 0, 0));
  });

  it('answers undefined for "not yet" (the epoch) and for anything else', () => {
    expect(parseApiTime('1970-01-01T09:00:00.000+0900')).toBeUndefined();
    expect(parseApiTime('1970-01-01T00:00:00.000')).toBeUndefined();
    expect(parseApiTime('yesterday')).toBeUndefined();
    expect(parseApiTime(undefined)).toBeUndefined();
  });

  it('formatSince counts from the time, never below zero', () => {
    const start = '2026-12-02T11:20:00.000Z';
    expect(formatSince(start, Date.UTC(2026, 11, 2, 11, 21, 5))).toBe('1 min 05 s');
    expect(formatSince(start, Date.UTC(2026, 11, 2, 11, 19, 0))).toBe('0 s');
    expect(formatSince(undefined, 0)).toBe(UNKNOWN);
  });
});

describe('formatTrack', () => {
  it('video: codec, resolution, frame rate, bit rate', () => {
    expect(
      formatTrack({
        id: 0,
        type: 'video',
        codec: 'h264',
        width: 1920,
        height: 1080,
        framerate: 29.97,
        bitrate: 4_500_000,
      }),
    ).toBe('H.264 1920×1080 29.97 fps 4.50 Mbit/s');
    expect(formatTrack({ id: 0, type: 'video', codec: 'h265', width: 1280, height: 720, framerate: 30 })).toBe(
      'H.265/HEVC 1280×720 30 fps',
    );
  });

  it('audio: codec, sample rate, channels', () => {
    expect(formatTrack({ id: 1, type: 'audio', codec: 'aac', samplerate: 48_000, channels: 2 })).toBe(
      'AAC 48 kHz stereo',
    );
    expect(formatTrack({ id: 1, type: 'audio', codec: 'opus', samplerate: 44_100, channels: 1 })).toBe(
      'Opus 44.1 kHz mono',
    );
    expect(formatTrack({ id: 1, type: 'audio', codec: 'mp3', channels: 6 })).toBe('MP3 6 ch');
  });

  it('names unknown codecs as given', () => {
    expect(codecLabel('AV1')).toBe('AV1');
    expect(codecLabel('weird')).toBe('weird');
    expect(formatTrack({ id: 2, type: 'data', codec: 'id3' })).toBe('ID3');
  });
});
