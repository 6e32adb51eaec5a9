/** A small deterministic PRNG (xorshift32 over a splitmix seed): the same seed gives the same inputs. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    // splitmix32 step so that small seeds (0, 1, 2...) start far apart
    let z = (seed + 0x9e3779b9) | 0;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    this.state = (z ^ (z >>> 16)) | 1;
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x;
    return x >>> 0;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return n <= 1 ? 0 : this.next() % n;
  }

  /** True with probability 1/n. */
  oneIn(n: number): boolean {
    return this.below(n) === 0;
  }
}
