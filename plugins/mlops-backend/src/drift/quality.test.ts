import { dataQuality } from './quality';

describe('dataQuality', () => {
  it('scores a clean dataset 1 and passes it', () => {
    const report = dataQuality({ a: [1, 2, 3], b: ['x', 'y', 'z'] }, 3);
    expect(report).toMatchObject({
      missingRatio: 0,
      duplicateRatio: 0,
      score: 1,
      threshold: 0.8,
      passed: true,
    });
  });

  it('subtracts the missing-cell and duplicate-row shares from the score', () => {
    // 10 rows x 2 columns: 3 missing cells (0.15); rows 8 and 9 repeat row 0
    // (0.2) -> score 0.65, below the default 0.8.
    const a = [1, 2, 3, 4, 5, 6, 7, null, 1, 1];
    const b = ['x', 'y', null, 'q', 'r', 's', 't', null, 'x', 'x'];
    const report = dataQuality({ a, b }, 10);
    expect(report.missingRatio).toBeCloseTo(0.15);
    expect(report.duplicateRatio).toBeCloseTo(0.2);
    expect(report.score).toBeCloseTo(0.65);
    expect(report.columnMissingRatio).toEqual({ a: 0.1, b: 0.2 });
    expect(report.passed).toBe(false);
    expect(dataQuality({ a, b }, 10, { threshold: 0.6 }).passed).toBe(true);
  });

  it('keeps 1 and "1" apart when looking for duplicate rows', () => {
    expect(dataQuality({ a: [1, '1'] as any }, 2).duplicateRatio).toBe(0);
    expect(dataQuality({ a: [null, null] }, 2).duplicateRatio).toBe(0.5);
  });

  it('fails a dataset that lacks a required column even with a perfect score', () => {
    const report = dataQuality({ a: [1, 2], b: [null, null] }, 2, {
      requiredColumns: ['a', 'b', 'c'],
    });
    expect(report.missingRequiredColumns).toEqual(['b', 'c']);
    expect(report.passed).toBe(false);
  });
});
