/* eslint jest/expect-expect: ["warn", { "assertFunctionNames": ["expect", "expect*"] }] */
import {
  cases,
  expectClose,
  expectRelClose,
  generateSample,
  labelsOf,
  sampleOf,
} from './__fixtures__/fixtures';
import { chiSquareTest } from './chiSquare';
import { detectDrift } from './detectDrift';
import { jensenShannonDistance } from './jensenShannon';
import { kstwoSf } from './kolmogorov';
import { ksTest } from './ks';
import { psi, psiBinEdges } from './psi';
import { sortFloat64 } from './sort';
import { erfc, regularizedGammaQ } from './special';
import { normedWassersteinDistance, wassersteinDistance } from './wasserstein';
import { zTestProportions } from './zTest';

// Every expected value below comes from SciPy (see __fixtures__/generate.py);
// tolerance: |diff| <= max(1e-6, 1e-4 |expected|). Tiny p-values are also
// checked relatively, since the absolute tolerance alone would accept 0.

describe('ksTest vs scipy.stats.ks_2samp', () => {
  it.each(cases.ks.map(c => [c.name, c] as const))('%s', (_name, c) => {
    const result = ksTest(sampleOf(c.reference), sampleOf(c.current));
    expectClose(result.statistic, c.statistic, 'statistic');
    expectClose(result.pValue, c.pValue, 'pValue');
    if (c.pValue < 1e-6) {
      expectRelClose(result.pValue, c.pValue, 1e-4, 'tiny pValue');
    }
  });

  it('gives the same answer for typed arrays', () => {
    const c = cases.ks.find(k => k.name === 'normal_1000_777')!;
    const ref = Float64Array.from(sampleOf(c.reference));
    const cur = Float64Array.from(sampleOf(c.current));
    const result = ksTest(ref, cur);
    expectClose(result.statistic, c.statistic, 'statistic');
    expectClose(result.pValue, c.pValue, 'pValue');
    // Inputs are not mutated.
    expect(Array.from(ref)).toEqual(sampleOf(c.reference));
  });
});

describe('kstwoSf vs scipy.stats.kstwo.sf', () => {
  it('matches on a grid covering every branch of kolmogn', () => {
    for (const [n, d, expected] of cases.kstwo) {
      const actual = kstwoSf(d, n);
      expectClose(actual, expected, `kstwo.sf(${d}, ${n})`);
      if (expected < 1e-6) {
        expectRelClose(actual, expected, 1e-4, `kstwo.sf(${d}, ${n})`);
      }
    }
  });
});

describe('chiSquareTest vs scipy.stats.chi2_contingency(correction=False)', () => {
  it.each(cases.chisquare.map(c => [c.name, c] as const))('%s', (_name, c) => {
    const result = chiSquareTest(labelsOf(c.reference), labelsOf(c.current));
    expect(result.dof).toBe(c.dof);
    expectClose(result.statistic, c.statistic, 'statistic');
    expectClose(result.pValue, c.pValue, 'pValue');
    if (c.pValue < 1e-6) {
      expectRelClose(result.pValue, c.pValue, 1e-6, 'tiny pValue');
    }
  });
});

describe('zTestProportions vs statsmodels proportions_ztest', () => {
  it.each(cases.ztest.map(c => [c.name, c] as const))('%s', (_name, c) => {
    const result = zTestProportions(labelsOf(c.reference), labelsOf(c.current));
    expectClose(result.statistic, c.statistic, 'statistic');
    expectClose(result.pValue, c.pValue, 'pValue');
    if (c.pValue < 1e-6) {
      expectRelClose(result.pValue, c.pValue, 1e-8, 'tiny pValue');
    }
  });
});

describe('jensenShannonDistance vs scipy.spatial.distance.jensenshannon', () => {
  it.each(cases.jensenshannon.map(c => [c.name, c] as const))(
    '%s',
    (_name, c) => {
      expectClose(
        jensenShannonDistance(labelsOf(c.reference), labelsOf(c.current)),
        c.distance,
        'distance',
      );
    },
  );
});

describe('psi vs numpy reference implementation', () => {
  it.each(cases.psi.map(c => [c.name, c] as const))('%s', (_name, c) => {
    const ref = sampleOf(c.reference);
    expect(psiBinEdges(sortFloat64(Float64Array.from(ref)))).toEqual(c.edges);
    expectClose(psi(ref, sampleOf(c.current)), c.psi, 'psi');
  });
});

describe('wasserstein vs scipy.stats.wasserstein_distance', () => {
  it.each(cases.wasserstein.map(c => [c.name, c] as const))(
    '%s',
    (_name, c) => {
      const ref = sampleOf(c.reference);
      const cur = sampleOf(c.current);
      expectClose(wassersteinDistance(ref, cur), c.wasserstein, 'wasserstein');
      expectClose(normedWassersteinDistance(ref, cur), c.normed, 'normed');
    },
  );
});

describe('special functions vs scipy.special', () => {
  it('regularizedGammaQ matches gammaincc to 1e-10 relative', () => {
    for (const [a, x, q] of cases.special.gammaincc) {
      expectRelClose(regularizedGammaQ(a, x), q, 1e-10, `Q(${a}, ${x})`);
    }
  });

  it('erfc matches to 1e-12 relative', () => {
    for (const [x, v] of cases.special.erfc) {
      expectRelClose(erfc(x), v, 1e-12, `erfc(${x})`);
    }
  });
});

describe('detectDrift vs SciPy on a mixed dataset', () => {
  it('chooses KS for a small reference and normed Wasserstein for a large one', () => {
    const { small, large } = cases.detectDrift;
    const padTo = (values: Float64Array, n: number): Array<number | null> => {
      const out: Array<number | null> = Array.from(values);
      while (out.length < n) {
        out.push(null);
      }
      return out;
    };
    const smallRef = generateSample(small.reference as never);
    const smallCur = generateSample(small.current as never);
    const largeRef = generateSample(large.reference as never);
    const largeCur = generateSample(large.current as never);
    const report = detectDrift({
      reference: { a: padTo(smallRef, largeRef.length), b: largeRef },
      current: { a: padTo(smallCur, largeCur.length), b: largeCur },
    });
    const [a, b] = report.features;
    expect(a.test).toBe('ks');
    expect(a.referenceCount).toBe(smallRef.length);
    expectClose(a.statistic, small.statistic, 'ks statistic');
    expectClose(a.pValue!, small.pValue, 'ks pValue');
    expect(b.test).toBe('wasserstein');
    expectClose(b.distance!, large.distance, 'normed wasserstein');
    expect(a.missingRatio.reference).toBeCloseTo(
      1 - smallRef.length / largeRef.length,
      12,
    );
  });
});
