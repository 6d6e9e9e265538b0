/**
 * A small seeded random source, so generated demo and test data (and the
 * drift verdicts computed from it) are the same on every run. It lives here
 * because both the backend's tests and the demo module generate data with
 * it, and the demo module may only use the backend plugin's public face.
 *
 * @public
 */
export class SeededRandom {
  private state: number;
  private spare: number | undefined;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1) (mulberry32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Normal with the given mean and standard deviation (Box-Muller). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== undefined) {
      const value = this.spare;
      this.spare = undefined;
      return mean + std * value;
    }
    let u = 0;
    while (u === 0) {
      u = this.next();
    }
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal: exp of a normal with parameters mu and sigma. */
  logNormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma));
  }

  /** Integer in [min, max]. */
  integer(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** One of `values`, drawn with the given weights (default equal). */
  pick<T>(values: readonly T[], weights?: readonly number[]): T {
    const w = weights ?? values.map(() => 1);
    const total = w.reduce((a, b) => a + b, 0);
    let x = this.next() * total;
    for (let i = 0; i < values.length; i++) {
      x -= w[i];
      if (x < 0) {
        return values[i];
      }
    }
    return values[values.length - 1];
  }
}
