import { sortFloat64 } from './sort';

function reference(values: Float64Array): Float64Array {
  return Float64Array.from(values).sort();
}

describe('sortFloat64', () => {
  it('sorts large arrays with negatives, zeros, subnormals and infinities', () => {
    const n = 50000;
    const values = new Float64Array(n);
    let s = 7;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const u = s / 4294967296;
      switch (i % 9) {
        case 0:
          values[i] = -u * 1e300;
          break;
        case 1:
          values[i] = u * 5e-324 * 1000;
          break;
        case 2:
          values[i] = i % 2 ? -0 : 0;
          break;
        case 3:
          values[i] = i % 4 === 3 ? Infinity : -Infinity;
          break;
        default:
          values[i] = (u - 0.5) * 10;
      }
    }
    const expected = reference(values);
    const sorted = sortFloat64(values);
    expect(sorted).toBe(values);
    for (let i = 0; i < n; i++) {
      expect(
        sorted[i] === expected[i] || (sorted[i] === 0 && expected[i] === 0),
      ).toBe(true);
    }
  });

  it('sorts data whose low words are constant (float32, integers)', () => {
    const n = 10000;
    const f32 = new Float64Array(
      Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 100),
    );
    expect(Array.from(sortFloat64(f32.slice()))).toEqual(
      Array.from(reference(f32)),
    );
    const ints = Float64Array.from({ length: n }, (_, i) => (i * 7919) % 1000);
    expect(Array.from(sortFloat64(ints.slice()))).toEqual(
      Array.from(reference(ints)),
    );
  });

  it('sorts data whose top digit is constant (last pass skipped)', () => {
    const narrow = Float64Array.from(
      { length: 10000 },
      (_, i) => 1 + ((i * 7919) % 10007) * 1e-9,
    );
    expect(Array.from(sortFloat64(narrow.slice()))).toEqual(
      Array.from(reference(narrow)),
    );
    const negative = narrow.map(v => -v);
    expect(Array.from(sortFloat64(negative.slice()))).toEqual(
      Array.from(reference(negative)),
    );
  });

  it('sorts small arrays', () => {
    expect(Array.from(sortFloat64(new Float64Array([3, -1, 2])))).toEqual([
      -1, 2, 3,
    ]);
    expect(Array.from(sortFloat64(new Float64Array(0)))).toEqual([]);
  });

  it('sorts subarray views without touching the rest of the buffer', () => {
    const buffer = new Float64Array(10000).map((_, i) => 10000 - i);
    const view = buffer.subarray(1000, 9000);
    sortFloat64(view);
    expect(buffer[0]).toBe(10000);
    expect(buffer[9999]).toBe(1);
    expect(view[0]).toBe(1001);
    expect(view[7999]).toBe(9000);
  });
});
