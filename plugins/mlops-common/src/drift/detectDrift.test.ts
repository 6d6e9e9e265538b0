import { chiSquareTest } from './chiSquare';
import { detectDrift } from './detectDrift';
import { jensenShannonDistance } from './jensenShannon';
import { ksTest } from './ks';
import { psi } from './psi';
import { DriftRows } from './types';
import { normedWassersteinDistance } from './wasserstein';
import { zTestProportions } from './zTest';

/** Deterministic pseudo-random numbers (xorshift32). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
}

function normals(n: number, seed: number, shift = 0): number[] {
  const u = rng(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()) + shift,
    );
  }
  return out;
}

function pick<T>(
  n: number,
  seed: number,
  choices: T[],
  weights?: number[],
): T[] {
  const u = rng(seed);
  const w = weights ?? choices.map(() => 1);
  const total = w.reduce((a, b) => a + b, 0);
  const out: T[] = [];
  for (let i = 0; i < n; i++) {
    let r = u() * total;
    let k = 0;
    while (r >= w[k] && k < w.length - 1) {
      r -= w[k];
      k++;
    }
    out.push(choices[k]);
  }
  return out;
}

describe('detectDrift automatic test choice (Evidently rules)', () => {
  it('uses p-value tests for references of at most 1000 rows', () => {
    const report = detectDrift({
      reference: {
        num: normals(1000, 1),
        fewNum: pick(1000, 2, [1, 2, 3, 4]),
        binNum: pick(1000, 3, [0, 1]),
        cat: pick(1000, 4, ['a', 'b', 'c']),
        bin: pick(1000, 5, ['yes', 'no']),
        flag: pick(1000, 6, [true, false]),
      },
      current: {
        num: normals(500, 7, 0.5),
        fewNum: pick(500, 8, [1, 2, 3, 4]),
        binNum: pick(500, 9, [0, 1]),
        cat: pick(500, 10, ['a', 'b', 'c']),
        bin: pick(500, 11, ['yes', 'no']),
        flag: pick(500, 12, [true, false]),
      },
    });
    const tests = Object.fromEntries(
      report.features.map(f => [f.feature, [f.type, f.test]]),
    );
    expect(tests).toEqual({
      num: ['numeric', 'ks'],
      fewNum: ['numeric', 'chisquare'],
      binNum: ['numeric', 'ztest'],
      cat: ['categorical', 'chisquare'],
      bin: ['categorical', 'ztest'],
      flag: ['categorical', 'ztest'],
    });
    const num = report.features[0];
    expect(num.drifted).toBe(true);
    expect(num.distance).toBeNull();
    expect(num.threshold).toBe(0.05);
    expect(num.pValue).toBeLessThan(1e-10);
  });

  it('uses distances for references above 1000 rows', () => {
    const report = detectDrift({
      reference: {
        num: normals(1001, 1),
        fewNum: pick(1001, 2, [1, 2, 3, 4, 5]),
        cat: pick(1001, 4, ['a', 'b', 'c']),
      },
      current: {
        num: normals(2000, 7, 0.05),
        fewNum: pick(2000, 8, [1, 2, 3, 4, 5]),
        cat: pick(2000, 10, ['a', 'b', 'c']),
      },
    });
    expect(report.features.map(f => f.test)).toEqual([
      'wasserstein',
      'jensenshannon',
      'jensenshannon',
    ]);
    for (const f of report.features) {
      expect(f.pValue).toBeNull();
      expect(f.distance).toBe(f.statistic);
      expect(f.threshold).toBe(0.1);
      expect(f.drifted).toBe((f.distance as number) >= 0.1);
    }
  });

  it('counts distinct values over reference and current together', () => {
    // 3 values in reference, 3 more only in current: 6 > 5 -> KS.
    const report = detectDrift({
      reference: { x: [1, 2, 3, 1, 2, 3] },
      current: { x: [4, 5, 6, 4] },
    });
    expect(report.features[0].test).toBe('ks');
  });
});

describe('detectDrift values equal the standalone functions', () => {
  const refNum = normals(800, 21);
  const curNum = normals(900, 22, 0.2);
  const refCat = pick(800, 23, ['a', 'b', 'c', 'd']);
  const curCat = pick(900, 24, ['a', 'b', 'c', 'e']);

  it('for every test name', () => {
    const report = detectDrift({
      reference: { n1: refNum, n2: refNum, n3: refNum, c1: refCat, c2: refCat },
      current: { n1: curNum, n2: curNum, n3: curNum, c1: curCat, c2: curCat },
      options: {
        features: {
          n1: { test: 'ks' },
          n2: { test: 'psi', threshold: 0.2 },
          n3: { test: 'wasserstein' },
          c1: { test: 'chisquare', threshold: 0.01 },
          c2: { test: 'jensenshannon' },
        },
      },
    });
    const [n1, n2, n3, c1, c2] = report.features;
    expect(n1.pValue).toBe(ksTest(refNum, curNum).pValue);
    expect(n1.statistic).toBe(ksTest(refNum, curNum).statistic);
    expect(n2.distance).toBe(psi(refNum, curNum));
    expect(n2.threshold).toBe(0.2);
    expect(n3.distance).toBe(normedWassersteinDistance(refNum, curNum));
    expect(c1.pValue).toBe(chiSquareTest(refCat, curCat).pValue);
    expect(c1.threshold).toBe(0.01);
    expect(c2.distance).toBe(jensenShannonDistance(refCat, curCat));
  });

  it('for the z-test on a numeric binary column (labels "0" / "1")', () => {
    const ref = pick(300, 31, [0, 1], [3, 1]);
    const cur = pick(300, 32, [0, 1], [1, 1]);
    const report = detectDrift({ reference: { b: ref }, current: { b: cur } });
    const expected = zTestProportions(ref.map(String), cur.map(String));
    expect(report.features[0].test).toBe('ztest');
    expect(report.features[0].statistic).toBe(expected.statistic);
    expect(report.features[0].pValue).toBe(expected.pValue);
    // "1" is the positive label and the current sample has more of it.
    expect(expected.statistic).toBeLessThan(0);
  });
});

describe('detectDrift missing values and input shapes', () => {
  it('drops null / undefined / NaN and reports missing ratios per side', () => {
    const report = detectDrift({
      reference: { x: [1, null, 2, NaN, 3, 4, 5, 6, undefined, 7] },
      current: { x: [1, 2, 3, 4, 5, 6, 7, 8] },
    });
    const f = report.features[0];
    expect(f.missingRatio).toEqual({ reference: 0.3, current: 0 });
    expect(f.referenceCount).toBe(7);
    expect(f.currentCount).toBe(8);
    expect(f.statistic).toBe(
      ksTest([1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 6, 7, 8]).statistic,
    );
  });

  it('accepts row arrays, treating absent keys as missing', () => {
    const rows: DriftRows = [
      { a: 1, b: 'x' },
      { a: 2, b: 'y' },
      { a: 3 },
      { a: 4, b: 'x' },
    ];
    const columns = detectDrift({
      reference: { a: [1, 2, 3, 4], b: ['x', 'y', null, 'x'] },
      current: { a: [2, 3, 4, 5], b: ['y', 'y', 'x', 'x'] },
    });
    const fromRows = detectDrift({
      reference: rows,
      current: [
        { a: 2, b: 'y' },
        { a: 3, b: 'y' },
        { a: 4, b: 'x' },
        { b: 'x', a: 5 },
      ],
    });
    expect(fromRows).toEqual(columns);
    expect(fromRows.features[1].missingRatio.reference).toBe(0.25);
  });

  it('accepts typed arrays', () => {
    const ref = normals(200, 41);
    const cur = normals(150, 42, 0.3);
    const plain = detectDrift({ reference: { x: ref }, current: { x: cur } });
    const typed = detectDrift({
      reference: { x: Float64Array.from(ref) },
      current: { x: Float64Array.from(cur) },
    });
    expect(typed).toEqual(plain);
    const ints = detectDrift({
      reference: { x: Int32Array.from([1, 2, 3, 4, 5, 6, 7]) },
      current: { x: [1, 2, 3, 4, 5, 6, 9] },
    });
    expect(ints.features[0].test).toBe('ks');
  });

  it('restricts to options.columns, in that order', () => {
    const report = detectDrift({
      reference: { a: [1, 2, 3], b: [1, 2, 3], c: ['x', 'y', 'z'] },
      current: { a: [1, 2, 3], b: [4, 5, 6], d: ['x', 'y', 'z'] } as never,
      options: { columns: ['b', 'a'] },
    });
    expect(report.features.map(f => f.feature)).toEqual(['b', 'a']);
  });
});

describe('detectDrift dataset verdict and corrections', () => {
  const reference = {
    a: normals(300, 51),
    b: normals(300, 52),
    c: normals(300, 53),
    d: normals(300, 54),
  };
  const current = {
    a: normals(300, 55, 0.25),
    b: normals(300, 56, 0.18),
    c: normals(300, 57),
    d: normals(300, 58),
  };

  it('computes the drift share and dataset verdict', () => {
    const report = detectDrift({ reference, current });
    expect(report.featureCount).toBe(4);
    expect(report.driftedCount).toBe(
      report.features.filter(f => f.drifted).length,
    );
    expect(report.driftShare).toBe(report.driftedCount / 4);
    expect(report.driftShareThreshold).toBe(0.5);
    expect(report.datasetDrift).toBe(report.driftShare >= 0.5);
    expect(report.correction).toBe('none');
    const strict = detectDrift({
      reference,
      current,
      options: { driftShareThreshold: 1 },
    });
    expect(strict.datasetDrift).toBe(strict.driftedCount === 4);
  });

  it('applies Bonferroni and Benjamini-Hochberg to p-value tests only', () => {
    const features = { e: { test: 'wasserstein' as const } };
    const withDistance = {
      reference: { ...reference, e: normals(300, 59) },
      current: { ...current, e: normals(300, 60, 1) },
    };
    const raw = detectDrift({ ...withDistance, options: { features } });
    const rawP = raw.features.slice(0, 4).map(f => f.pValue as number);
    const bonf = detectDrift({
      ...withDistance,
      options: { features, correction: 'bonferroni' },
    });
    expect(bonf.correction).toBe('bonferroni');
    bonf.features.slice(0, 4).forEach((f, i) => {
      expect(f.pValue).toBeCloseTo(Math.min(1, rawP[i] * 4), 14);
      expect(f.drifted).toBe((f.pValue as number) < 0.05);
    });
    expect(bonf.features[4].distance).toBe(raw.features[4].distance);
    expect(bonf.features[4].pValue).toBeNull();

    const bh = detectDrift({
      ...withDistance,
      options: { features, correction: 'benjamini-hochberg' },
    });
    const order = rawP.map((p, i) => [p, i]).sort((x, y) => x[0] - y[0]);
    const expected = new Array<number>(4);
    let running = 1;
    for (let rank = 4; rank >= 1; rank--) {
      const [p, i] = order[rank - 1];
      running = Math.min(running, (p * 4) / rank);
      expected[i] = running;
    }
    bh.features.slice(0, 4).forEach((f, i) => {
      expect(f.pValue).toBeCloseTo(expected[i], 14);
    });
  });
});

describe('degenerate cases', () => {
  it('single category: chi-square gives statistic 0, p-value 1, dof 0', () => {
    expect(chiSquareTest(['a', 'a'], ['a'])).toEqual({
      statistic: 0,
      pValue: 1,
      dof: 0,
    });
  });
  it('single label: z-test gives statistic 0, p-value 1', () => {
    expect(zTestProportions(['a'], ['a', 'a'])).toEqual({
      statistic: 0,
      pValue: 1,
    });
  });
  it('identical samples give KS D = 0, p = 1 and zero distances', () => {
    const x = normals(50, 61);
    expect(ksTest(x, x)).toEqual({ statistic: 0, pValue: 1 });
    expect(psi(x, x)).toBe(0);
    expect(normedWassersteinDistance(x, x)).toBe(0);
    expect(jensenShannonDistance(['a', 'b'], ['b', 'a'])).toBe(0);
  });
  it('constant reference uses the 0.001 floor for the normed Wasserstein distance', () => {
    expect(normedWassersteinDistance([2, 2, 2], [2, 2, 2.5])).toBeCloseTo(
      0.5 / 3 / 0.001,
      9,
    );
  });
});

describe('numeric edge cases', () => {
  it('huge values give a finite normed Wasserstein distance', () => {
    const d = normedWassersteinDistance(
      [1e300, -1e300, 5e299],
      [2e300, 0, -1e300],
    );
    expect(Number.isFinite(d)).toBe(true);
    expect(d).toBeGreaterThan(0);
  });
  it('subnormal values do not produce NaN', () => {
    const d = normedWassersteinDistance([5e-324, 1e-323, 0], [0, 0, 1e-323]);
    expect(Number.isNaN(d)).toBe(false);
  });
});

describe('column names that collide with Object.prototype', () => {
  it('are compared like any other column', () => {
    const report = detectDrift({
      reference: {
        constructor: [1, 2, 3, 4, 5, 6],
        toString: ['a', 'b', 'a', 'b', 'a', 'b'],
      },
      current: {
        constructor: [2, 3, 4, 5, 6, 7],
        toString: ['a', 'a', 'a', 'b', 'a', 'b'],
      },
    });
    expect(report.features.map(f => [f.feature, f.test])).toEqual([
      ['constructor', 'ks'],
      ['toString', 'ztest'],
    ]);
  });
});
