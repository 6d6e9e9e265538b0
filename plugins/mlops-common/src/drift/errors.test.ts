/* eslint jest/expect-expect: ["warn", { "assertFunctionNames": ["expect", "expect*"] }] */
import { chiSquareTest } from './chiSquare';
import { detectDrift } from './detectDrift';
import { DriftInputError } from './errors';
import { jensenShannonDistance } from './jensenShannon';
import { ksTest } from './ks';
import { psi } from './psi';
import { normedWassersteinDistance, wassersteinDistance } from './wasserstein';
import { zTestProportions } from './zTest';
import * as drift from '.';

type AnyFn = (...args: any[]) => unknown;

function expectInputError(fn: () => unknown, message: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(DriftInputError);
  expect(thrown).toBeInstanceOf(Error);
  expect((thrown as Error).name).toBe('DriftInputError');
  expect((thrown as Error).message).toMatch(message);
}

const numericFns: Array<[string, AnyFn]> = [
  ['ksTest', ksTest],
  ['psi', psi],
  ['wassersteinDistance', wassersteinDistance],
  ['normedWassersteinDistance', normedWassersteinDistance],
];
const categoricalFns: Array<[string, AnyFn]> = [
  ['chiSquareTest', chiSquareTest],
  ['zTestProportions', zTestProportions],
  ['jensenShannonDistance', jensenShannonDistance],
];

describe('DriftInputError', () => {
  it('is exported from the package index', () => {
    expect(drift.DriftInputError).toBe(DriftInputError);
    const e = new DriftInputError('x');
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toBe('x');
  });
});

describe.each(numericFns)('%s input validation', (_name, fn) => {
  it('rejects empty arrays', () => {
    expectInputError(() => fn([], [1, 2]), /reference sample is empty/);
    expectInputError(
      () => fn([1, 2], new Float64Array(0)),
      /current sample is empty/,
    );
  });
  it('rejects all-NaN samples', () => {
    expectInputError(
      () => fn([NaN, NaN], [1]),
      /reference sample contains only NaN/,
    );
    expectInputError(
      () => fn([1], new Float32Array([NaN])),
      /current sample contains only NaN/,
    );
  });
  it('rejects strings, objects, null and booleans', () => {
    expectInputError(() => fn([1, '2', 3], [1]), /element 1 is the string "2"/);
    expectInputError(() => fn([1], [{ v: 1 }]), /element 0 is an object/);
    expectInputError(() => fn([1, null], [1]), /element 1 is null/);
    expectInputError(() => fn([true], [1]), /element 0 is a boolean/);
    expectInputError(() => fn([1], [[1]]), /element 0 is an array/);
  });
  it('rejects non-arrays', () => {
    expectInputError(
      () => fn('1,2,3', [1]),
      /must be an array or typed array of numbers/,
    );
    expectInputError(() => fn(undefined, [1]), /must be an array/);
    expectInputError(() => fn({ length: 1, 0: 1 }, [1]), /must be an array/);
    expectInputError(() => fn(new BigInt64Array(2), [1]), /BigInt typed array/);
  });
  it('drops NaN but keeps the remaining values', () => {
    expect(() => fn([1, NaN, 2], [NaN, 3])).not.toThrow();
  });
});

describe('infinite values', () => {
  it('are allowed in ksTest', () => {
    // ECDF differences at -inf, 0, 1, inf: 1/3, 1/6, 1/2, 0 (SciPy: 0.5).
    expect(ksTest([-Infinity, 0, 1], [0, Infinity]).statistic).toBe(0.5);
  });
  it.each([
    ['psi', psi],
    ['wassersteinDistance', wassersteinDistance],
    ['normedWassersteinDistance', normedWassersteinDistance],
  ] as Array<[string, AnyFn]>)('are rejected by %s', (_name, fn) => {
    expectInputError(() => fn([1, Infinity], [1]), /infinite value/);
  });
});

describe.each(categoricalFns)('%s input validation', (_name, fn) => {
  it('rejects empty arrays', () => {
    expectInputError(() => fn([], ['a']), /reference sample is empty/);
    expectInputError(() => fn(['a'], []), /current sample is empty/);
  });
  it('rejects non-string labels', () => {
    expectInputError(() => fn(['a', 1], ['a']), /element 1 is a number/);
    expectInputError(() => fn(['a'], [null]), /element 0 is null/);
    expectInputError(() => fn(['a'], [{}]), /element 0 is an object/);
  });
  it('rejects non-arrays', () => {
    expectInputError(() => fn('abc', ['a']), /must be an array of strings/);
  });
});

describe('zTestProportions', () => {
  it('rejects more than two labels', () => {
    expectInputError(
      () => zTestProportions(['a', 'b'], ['c']),
      /binary feature.*3 distinct/,
    );
  });
});

describe('detectDrift input validation', () => {
  const ok = {
    a: [1, 2, 3, 4, 5, 6, 7],
    b: ['x', 'y', 'x', 'y', 'x', 'y', 'x'],
  };

  it('rejects malformed datasets', () => {
    expectInputError(
      () => detectDrift(null as never),
      /expects \{ reference, current/,
    );
    expectInputError(
      () => detectDrift({ reference: 'x' as never, current: ok }),
      /reference dataset must be an object of columns or an array of rows/,
    );
    expectInputError(
      () => detectDrift({ reference: {}, current: ok }),
      /reference dataset has no columns/,
    );
    expectInputError(
      () => detectDrift({ reference: [], current: ok }),
      /reference dataset has no rows/,
    );
    expectInputError(
      () => detectDrift({ reference: { a: [], b: [] }, current: ok }),
      /reference dataset has no rows/,
    );
    expectInputError(
      () =>
        detectDrift({ reference: ok, current: { a: 5 as never, b: ['x'] } }),
      /current column "a" must be an array or typed array, got a number/,
    );
    expectInputError(
      () => detectDrift({ reference: { a: [1, 2], b: ['x'] }, current: ok }),
      /reference columns have different lengths/,
    );
    expectInputError(
      () => detectDrift({ reference: [{ a: 1 }, 5 as never], current: ok }),
      /reference row 1 must be an object/,
    );
  });

  it('rejects mismatched feature sets', () => {
    expectInputError(
      () => detectDrift({ reference: ok, current: { a: ok.a, c: ok.b } }),
      /different features \(only in reference: b; only in current: c\)/,
    );
    expectInputError(
      () =>
        detectDrift({
          reference: ok,
          current: ok,
          options: { columns: ['a', 'zzz'] },
        }),
      /requested column "zzz" is missing from reference and current/,
    );
    expectInputError(
      () =>
        detectDrift({
          reference: ok,
          current: ok,
          options: { features: { nope: { test: 'ks' } } },
        }),
      /unknown column "nope"/,
    );
  });

  it('rejects wrong and mixed value types', () => {
    expectInputError(
      () =>
        detectDrift({
          reference: { a: [1, 'two', 3] },
          current: { a: [1, 2] },
        }),
      /reference column "a" mixes value types: element 0 is a number but element 1 is the string "two"/,
    );
    expectInputError(
      () =>
        detectDrift({
          reference: { a: [1, 2] },
          current: { a: [1, { x: 1 }] as never },
        }),
      /current column "a" mixes value types/,
    );
    expectInputError(
      () =>
        detectDrift({
          reference: { a: [[1], 2] as never },
          current: { a: [1, 2] },
        }),
      /element 0 is an array/,
    );
    expectInputError(
      () =>
        detectDrift({
          reference: { a: [1, 2, 3] },
          current: { a: ['1', '2'] },
        }),
      /column "a" holds number values in reference but string values in current/,
    );
    expectInputError(
      () =>
        detectDrift({
          reference: { a: [true, false] },
          current: { a: ['true'] },
        }),
      /holds boolean values in reference but string values in current/,
    );
  });

  it('rejects all-missing columns', () => {
    expectInputError(
      () =>
        detectDrift({
          reference: { a: [null, NaN, undefined] },
          current: { a: [1] },
        }),
      /reference column "a" has no non-missing values/,
    );
    expectInputError(
      () =>
        detectDrift({
          reference: { a: [1, 2] },
          current: { a: new Float64Array([NaN]) },
        }),
      /current column "a" has no non-missing values/,
    );
  });

  it('rejects tests that do not fit the column', () => {
    expectInputError(
      () =>
        detectDrift({
          reference: ok,
          current: ok,
          options: { features: { b: { test: 'ks' } } },
        }),
      /column "b" is categorical \(string values\) but the ks test needs numbers/,
    );
    expectInputError(
      () =>
        detectDrift({
          reference: ok,
          current: ok,
          options: { features: { a: { test: 'ztest' } } },
        }),
      /z-test needs a binary feature, but found 7 distinct values/,
    );
    expectInputError(
      () =>
        detectDrift({
          reference: ok,
          current: ok,
          options: { features: { a: { test: 'tt' as never } } },
        }),
      /test must be one of ks, chisquare/,
    );
    expectInputError(
      () =>
        detectDrift({
          reference: { a: [1, 2, Infinity] },
          current: { a: [1, 2] },
          options: { features: { a: { test: 'wasserstein' } } },
        }),
      /column "a" \(reference\) contains an infinite value/,
    );
  });

  it('rejects invalid options', () => {
    expectInputError(
      () =>
        detectDrift({
          reference: ok,
          current: ok,
          options: { driftShareThreshold: 2 },
        }),
      /driftShareThreshold must be a number between 0 and 1/,
    );
    expectInputError(
      () =>
        detectDrift({
          reference: ok,
          current: ok,
          options: { correction: 'holm' as never },
        }),
      /correction must be one of none, bonferroni, benjamini-hochberg/,
    );
    expectInputError(
      () =>
        detectDrift({
          reference: ok,
          current: ok,
          options: { features: { a: { threshold: 5 } } },
        }),
      /p-value threshold for ks and must be in \(0, 1\]/,
    );
    expectInputError(
      () =>
        detectDrift({
          reference: ok,
          current: ok,
          options: { features: { a: { test: 'psi', threshold: -1 } } },
        }),
      /distance threshold for psi and must be >= 0/,
    );
    expectInputError(
      () =>
        detectDrift({
          reference: ok,
          current: ok,
          options: { features: { a: { threshold: NaN } } },
        }),
      /threshold must be a finite number/,
    );
    expectInputError(
      () =>
        detectDrift({ reference: ok, current: ok, options: { columns: [] } }),
      /options.columns must be a non-empty array/,
    );
  });
});

describe('detectDrift minSampleSize', () => {
  it('rejects too small samples', () => {
    expectInputError(
      () =>
        detectDrift({
          reference: { a: [1, 2, 3, null] },
          current: { a: [1, 2, 3, 4] },
          options: { minSampleSize: 4 },
        }),
      /reference column "a" has 3 non-missing values, fewer than minSampleSize 4/,
    );
    expectInputError(
      () =>
        detectDrift({
          reference: { a: [1] },
          current: { a: [1] },
          options: { minSampleSize: 0 },
        }),
      /minSampleSize must be a positive integer/,
    );
  });
});
