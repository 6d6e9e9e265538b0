import { DataQualityReport } from '@backstage-mlops/plugin-mlops-common';
import { ColumnarDataset } from './dataset';

export type { DataQualityReport };

/** Quality score below which a dataset fails, unless configured otherwise. */
export const DEFAULT_QUALITY_THRESHOLD = 0.8;

/**
 * Measures missing cells, duplicate rows and required columns of a dataset.
 * Values are assumed checked already (numbers, strings, booleans, null).
 * The score is `1 − (missing + duplicate)`: a batch where a fifth of the
 * cells are empty, or a fifth of the rows are repeats, sits right at the
 * default threshold.
 */
export function dataQuality(
  columns: ColumnarDataset,
  rowCount: number,
  options: { requiredColumns?: string[]; threshold?: number } = {},
): DataQualityReport {
  const threshold = options.threshold ?? DEFAULT_QUALITY_THRESHOLD;
  const names = Object.keys(columns);
  const columnMissingRatio: Record<string, number> = Object.create(null);
  let missingCells = 0;
  for (const name of names) {
    let missing = 0;
    for (const v of columns[name]) {
      if (v === null || v === undefined) {
        missing++;
      }
    }
    missingCells += missing;
    columnMissingRatio[name] = rowCount > 0 ? missing / rowCount : 0;
  }
  const cells = rowCount * names.length;
  const missingRatio = cells > 0 ? missingCells / cells : 0;

  // JSON keeps 1 and "1" apart, and null cells compare equal to each other.
  const seen = new Set<string>();
  let duplicates = 0;
  const row = new Array<unknown>(names.length);
  for (let r = 0; r < rowCount; r++) {
    for (let c = 0; c < names.length; c++) {
      const v = columns[names[c]][r];
      row[c] = v === undefined ? null : v;
    }
    const key = JSON.stringify(row);
    if (seen.has(key)) {
      duplicates++;
    } else {
      seen.add(key);
    }
  }
  const duplicateRatio = rowCount > 0 ? duplicates / rowCount : 0;

  const requiredColumns = [...new Set(options.requiredColumns ?? [])];
  const missingRequiredColumns = requiredColumns.filter(
    name =>
      !Object.prototype.hasOwnProperty.call(columns, name) ||
      columnMissingRatio[name] === 1,
  );
  const score = Math.max(0, 1 - (missingRatio + duplicateRatio));
  return {
    rowCount,
    columnCount: names.length,
    missingRatio,
    duplicateRatio,
    columnMissingRatio,
    requiredColumns,
    missingRequiredColumns,
    score,
    threshold,
    passed: score >= threshold && missingRequiredColumns.length === 0,
  };
}
