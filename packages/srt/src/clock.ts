/** The monotonic clock of this package, in microseconds. */
export function nowUs(): number {
  return Math.floor(performance.now() * 1000);
}
