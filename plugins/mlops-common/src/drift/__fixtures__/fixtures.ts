/**
 * Loads scipy-cases.json (written by generate.py) and rebuilds its inputs.
 * Large samples are stored as generator recipes; `generateSample` mirrors
 * generate.py's `generate` operation for operation so both sides see
 * bit-identical doubles.
 */
import fixture from './scipy-cases.json';

/** Recipe of a generated sample (see generate.py). */
export interface SampleRecipe {
  kind: 'normal' | 'uniform' | 'pareto' | 'int';
  n: number;
  seed: number;
  loc?: number;
  scale?: number;
  grid?: number;
  mod?: number;
}

/** A sample stored verbatim or as a recipe. */
export type SampleSpec = number[] | SampleRecipe;

/** Label counts, in order: [[label, count], ...]. */
export type LabelCounts = Array<[string, number]>;

function* xorshift32(seed: number): Generator<number> {
  let s = seed >>> 0 || 0x9e3779b9;
  for (;;) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    yield s;
  }
}

/** Deterministic sample from a recipe; identical to generate.py. */
export function generateSample(spec: SampleRecipe): Float64Array {
  const rng = xorshift32(spec.seed);
  const next = (): number => rng.next().value as number;
  const loc = spec.loc ?? 0;
  const scale = spec.scale ?? 1;
  const out = new Float64Array(spec.n);
  for (let i = 0; i < spec.n; i++) {
    let x: number;
    switch (spec.kind) {
      case 'normal': {
        let acc = 0;
        for (let k = 0; k < 12; k++) {
          acc += (next() + 0.5) / 4294967296;
        }
        x = acc - 6;
        break;
      }
      case 'uniform':
        x = (next() + 0.5) / 4294967296;
        break;
      case 'pareto':
        x = 1 / ((next() + 0.5) / 4294967296);
        break;
      case 'int':
        x = next() % (spec.mod as number);
        break;
      default:
        throw new Error(`unknown recipe kind ${String(spec.kind)}`);
    }
    x = x * scale + loc;
    if (spec.grid !== undefined) {
      x = Math.floor(x * spec.grid) / spec.grid;
    }
    out[i] = x;
  }
  return out;
}

/** Materialises a stored sample as a plain number array. */
export function sampleOf(spec: SampleSpec): number[] {
  return Array.isArray(spec) ? spec.slice() : Array.from(generateSample(spec));
}

/** Expands label counts into a label array. */
export function labelsOf(counts: LabelCounts): string[] {
  const out: string[] = [];
  for (const [label, count] of counts) {
    for (let i = 0; i < count; i++) {
      out.push(label);
    }
  }
  return out;
}

/** Asserts |actual - expected| <= max(1e-6, 1e-4 |expected|). */
export function expectClose(actual: number, expected: number, what = ''): void {
  const tolerance = Math.max(1e-6, 1e-4 * Math.abs(expected));
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new Error(
      `${what}: expected ${expected}, got ${actual} (|diff| ${Math.abs(
        actual - expected,
      )} > ${tolerance})`,
    );
  }
}

/**
 * Strict relative check for tiny p-values, where the absolute tolerance
 * alone would accept 0.
 */
export function expectRelClose(
  actual: number,
  expected: number,
  rel: number,
  what = '',
): void {
  if (expected === 0) {
    // SciPy flushes some results below ~1e-308 to 0; anything that small is
    // the same answer.
    if (!(actual >= 0 && actual < 1e-300)) {
      throw new Error(`${what}: expected 0, got ${actual}`);
    }
    return;
  }
  if (!(Math.abs(actual - expected) <= rel * Math.abs(expected))) {
    throw new Error(
      `${what}: expected ${expected}, got ${actual} (rel ${rel})`,
    );
  }
}

interface KsCase {
  name: string;
  reference: SampleSpec;
  current: SampleSpec;
  statistic: number;
  pValue: number;
}
interface CountsCase {
  name: string;
  reference: LabelCounts;
  current: LabelCounts;
}
interface NumericCase {
  name: string;
  reference: SampleSpec;
  current: SampleSpec;
}

/** Typed view of scipy-cases.json. */
export interface ScipyCases {
  meta: Record<string, string | null>;
  ks: KsCase[];
  kstwo: Array<[number, number, number]>;
  chisquare: Array<
    CountsCase & { statistic: number; pValue: number; dof: number }
  >;
  ztest: Array<CountsCase & { statistic: number; pValue: number }>;
  jensenshannon: Array<CountsCase & { distance: number }>;
  psi: Array<NumericCase & { psi: number; edges: number[] }>;
  wasserstein: Array<NumericCase & { wasserstein: number; normed: number }>;
  special: {
    gammaincc: Array<[number, number, number]>;
    erfc: Array<[number, number]>;
  };
  detectDrift: {
    small: NumericCase & { test: string; statistic: number; pValue: number };
    large: NumericCase & { test: string; distance: number };
  };
}

/** The committed SciPy reference values. */
export const cases = fixture as unknown as ScipyCases;
