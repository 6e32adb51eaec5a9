/** A small SVG chart of recent bit-rate samples, with a text equivalent for screen readers. */
import { HISTORY_SAMPLES } from '../live/dashboard-state.js';
import { formatBitrate } from '../view/format.js';
import { sparklinePoints } from '../view/sparkline-path.js';

const WIDTH = 240;
const HEIGHT = 48;
/** Seconds between two `stats` events. */
const SAMPLE_SECONDS = 2;

export function Sparkline({ values, label }: { values: readonly number[]; label: string }) {
  const points = sparklinePoints(values, WIDTH, HEIGHT, HISTORY_SAMPLES);
  const minutes = Math.max(1, Math.round((values.length * SAMPLE_SECONDS) / 60));
  const summary =
    values.length === 0
      ? `${label}: no samples yet`
      : `${label} over the last ${minutes} min: now ${formatBitrate(values[values.length - 1])}, peak ${formatBitrate(Math.max(...values))}`;
  return (
    <svg
      class="sparkline"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={summary}
      preserveAspectRatio="none"
    >
      <title>{summary}</title>
      <line class="baseline" x1="0" y1={HEIGHT - 1} x2={WIDTH} y2={HEIGHT - 1} />
      {points !== '' && <polyline points={points} />}
    </svg>
  );
}
