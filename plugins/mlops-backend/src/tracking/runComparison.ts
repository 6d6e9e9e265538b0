import {
  MetricValue,
  Run,
  RunComparison,
  RunComparisonRow,
} from '@backstage-mlops/plugin-mlops-common';

/**
 * Runs side by side: one row per param and per latest metric key (sorted),
 * each run's value or null, and whether the values differ.
 */
export function runComparison(runs: Run[]): RunComparison {
  const rowsOf = <T>(pick: (run: Run) => Record<string, T>) => {
    const keys = [
      ...new Set(runs.flatMap(run => Object.keys(pick(run)))),
    ].sort();
    return keys.map(key => {
      const values: Record<string, T | null> = {};
      for (const run of runs) {
        values[run.id] = pick(run)[key] ?? null;
      }
      const distinct = new Set(
        Object.values(values).map(v => JSON.stringify(v)),
      );
      return {
        key,
        values,
        differs: distinct.size > 1,
      } as RunComparisonRow<T>;
    });
  };
  return {
    runs: runs.map(run => ({
      id: run.id,
      name: run.name,
      status: run.status,
      experimentName: run.experimentName,
    })),
    params: rowsOf<string>(run => run.params),
    metrics: rowsOf<MetricValue>(run =>
      Object.fromEntries(
        Object.entries(run.metrics).map(([key, m]) => [key, m.value]),
      ),
    ),
  };
}
