import jStat from 'jstat';
import {
  erfc,
  logGamma,
  normalSf,
  regularizedGammaP,
  regularizedGammaQ,
  roundHalfEven,
} from './special';
import { twoSidedNormalPValue } from './zTest';

describe('special functions', () => {
  it('logGamma matches known values', () => {
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 14);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 12);
    // log(100!) / log(99!) relation
    expect(logGamma(101) - logGamma(100)).toBeCloseTo(Math.log(100), 12);
  });

  it('P + Q = 1', () => {
    for (const [a, x] of [
      [0.5, 0.2],
      [3, 2],
      [3, 10],
      [100, 90],
      [100, 130],
    ]) {
      expect(regularizedGammaP(a, x) + regularizedGammaQ(a, x)).toBeCloseTo(
        1,
        14,
      );
    }
  });

  it('Q keeps tiny tails instead of rounding to 0', () => {
    const q = regularizedGammaQ(0.5, 650);
    expect(q).toBeGreaterThan(0);
    expect(q).toBeLessThan(1e-280);
  });

  it('erfc is symmetric and normalSf is half of it', () => {
    expect(erfc(-1.5) + erfc(1.5)).toBeCloseTo(2, 15);
    expect(normalSf(0)).toBe(0.5);
    expect(normalSf(-40)).toBe(1);
    expect(normalSf(37)).toBeGreaterThan(0);
  });

  it('jstat agrees with erfc in the body where the z-test uses it', () => {
    for (let z = 0; z <= 1.0001; z += 0.05) {
      const viaErfc = erfc(z * Math.SQRT1_2);
      expect(Math.abs(twoSidedNormalPValue(z) - viaErfc)).toBeLessThan(1e-15);
      expect(
        Math.abs(2 * (1 - jStat.normal.cdf(z, 0, 1)) - viaErfc),
      ).toBeLessThan(1e-15);
    }
  });

  it('roundHalfEven rounds like numpy', () => {
    expect(roundHalfEven(0.5)).toBe(0);
    expect(roundHalfEven(1.5)).toBe(2);
    expect(roundHalfEven(2.5)).toBe(2);
    expect(roundHalfEven(5000.5)).toBe(5000);
    expect(roundHalfEven(5001.5)).toBe(5002);
    expect(roundHalfEven(2.4)).toBe(2);
    expect(roundHalfEven(2.6)).toBe(3);
  });
});
