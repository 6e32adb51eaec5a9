/**
 * Renders push record times as the contract shows them: local time with
 * milliseconds and a +HHMM offset, e.g. "2021-02-04T01:42:40.160+0900".
 */

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

/**
 * Formats `epochMs` in the given UTC offset (minutes east of UTC; default: the local
 * offset at that instant). A time that has not happened is epoch 0, which renders in
 * the local offset, e.g. "1970-01-01T09:00:00.000+0900" in Japan.
 */
export function formatPushTime(
  epochMs: number,
  offsetMinutes: number = -new Date(epochMs).getTimezoneOffset(),
): string {
  if (!Number.isFinite(epochMs)) throw new RangeError(`epochMs must be a finite number, got ${epochMs}`);
  if (!Number.isInteger(offsetMinutes)) throw new RangeError(`offsetMinutes must be an integer, got ${offsetMinutes}`);
  // Shift the instant by the offset and read it back as UTC: the local wall-clock fields.
  const local = new Date(Math.trunc(epochMs) + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1, 2)}-${pad(local.getUTCDate(), 2)}` +
    `T${pad(local.getUTCHours(), 2)}:${pad(local.getUTCMinutes(), 2)}:${pad(local.getUTCSeconds(), 2)}` +
    `.${pad(local.getUTCMilliseconds(), 3)}${sign}${pad(Math.floor(abs / 60), 2)}${pad(abs % 60, 2)}`
  );
}
