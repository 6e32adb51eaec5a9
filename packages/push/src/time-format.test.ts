import { describe, expect, it } from 'vitest';
import { formatPushTime } from './time-format.js';

describe('formatPushTime', () => {
  it('renders the seed example in +0900', () => {
    expect(formatPushTime(Date.UTC(2021, 1, 3, 16, 42, 40, 160), 540)).toBe('2021-02-04T01:42:40.160+0900');
  });
  it('renders never-happened times as epoch 0 in the local offset, like the seed', () => {
    expect(formatPushTime(0, 540)).toBe('1970-01-01T09:00:00.000+0900');
    expect(formatPushTime(0, 0)).toBe('1970-01-01T00:00:00.000+0000');
  });
  it('renders negative and half-hour offsets', () => {
    expect(formatPushTime(Date.UTC(2021, 0, 1, 0, 0, 0, 5), -330)).toBe('2020-12-31T18:30:00.005-0530');
  });
  it('uses the local offset by default', () => {
    const ms = Date.UTC(2024, 5, 1, 12, 0, 0, 0);
    expect(formatPushTime(ms)).toBe(formatPushTime(ms, -new Date(ms).getTimezoneOffset()));
  });
  it('rejects non-finite times', () => {
    expect(() => formatPushTime(Number.NaN)).toThrow('epochMs must be a finite number, got NaN');
  });
});
