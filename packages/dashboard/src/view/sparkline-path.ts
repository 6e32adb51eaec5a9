/** The polyline of a sparkline: samples scaled into a width × height box, the peak at the top. */

/** SVG `points` for `values` (oldest first) in a box; '' for fewer than two samples. */
export function sparklinePoints(values: readonly number[], width: number, height: number, slots: number): string {
  if (values.length < 2) return '';
  const peak = Math.max(...values, 1);
  const step = width / Math.max(1, slots - 1);
  const offset = width - step * (values.length - 1); // newest sample at the right edge
  return values
    .map((v, i) => {
      const x = offset + i * step;
      const y = height - (Math.max(0, v) / peak) * (height - 2) - 1;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}
