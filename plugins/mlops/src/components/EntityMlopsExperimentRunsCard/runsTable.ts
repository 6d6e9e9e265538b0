import { MetricValue, Run } from '@backstage-mlops/plugin-mlops-common';

/** How many param and metric columns the table starts with. */
export const DEFAULT_COLUMNS = 3;

/** Metrics that usually tell the story of a run, preferred as default columns. */
const PREFERRED_METRICS = [
  /auc/i,
  /acc/i,
  /f1/i,
  /loss/i,
  /rmse/i,
  /precision/i,
  /recall/i,
];

/** Every param and metric key across the runs, sorted. */
export function keysOf(runs: Run[]) {
  const params = new Set<string>();
  const metrics = new Set<string>();
  for (const run of runs) {
    Object.keys(run.params).forEach(k => params.add(k));
    Object.keys(run.metrics).forEach(k => metrics.add(k));
  }
  return { params: [...params].sort(), metrics: [...metrics].sort() };
}

/**
 * The columns a reader most likely wants: params whose values differ
 * between runs (those explain the metric differences), and the metrics
 * that look like quality scores.
 */
export function defaultColumns(runs: Run[]) {
  const { params, metrics } = keysOf(runs);
  const varying = params.filter(
    key => new Set(runs.map(run => run.params[key])).size > 1,
  );
  const chosenParams = [
    ...varying,
    ...params.filter(key => !varying.includes(key)),
  ].slice(0, DEFAULT_COLUMNS);
  const rank = (key: string) => {
    const index = PREFERRED_METRICS.findIndex(pattern => pattern.test(key));
    return index === -1 ? PREFERRED_METRICS.length : index;
  };
  const chosenMetrics = [...metrics]
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .slice(0, DEFAULT_COLUMNS);
  return { params: chosenParams, metrics: chosenMetrics };
}

/** A metric value for display: four significant digits, non-finite as words. */
export function formatMetric(value: MetricValue | null | undefined): string {
  if (value === null || value === undefined) {
    return '—';
  }
  if (typeof value === 'string') {
    return value === 'NaN' ? 'NaN' : value.replace('Infinity', '∞');
  }
  if (Number.isInteger(value)) {
    return String(value);
  }
  return Math.abs(value) >= 1000 || Math.abs(value) < 0.001
    ? value.toExponential(3)
    : value.toPrecision(4);
}

/** The number a metric value plots as; non-finite values leave a gap. */
export function plotValue(value: MetricValue): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A run's duration as "1h 05m", "12m 03s" or "45s"; still running counts to now. */
export function formatDuration(run: Run, now: number = Date.now()): string {
  const start = Date.parse(run.startTime);
  const end = run.endTime ? Date.parse(run.endTime) : now;
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) {
    return '—';
  }
  const seconds = Math.round((end - start) / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) {
    return `${h}h ${pad(m)}m`;
  }
  if (m > 0) {
    return `${m}m ${pad(s)}s`;
  }
  return `${s}s`;
}

/**
 * Histories of one metric for several runs merged into recharts rows:
 * one row per step, one column per run id.
 */
export function chartRows(
  histories: Array<{
    runId: string;
    points: Array<{ step: number; value: MetricValue }>;
  }>,
): Array<Record<string, number | null>> {
  const byStep = new Map<number, Record<string, number | null>>();
  for (const history of histories) {
    for (const point of history.points) {
      const row = byStep.get(point.step) ?? { step: point.step };
      // The last value logged at a step wins, as in the latest-value rule.
      row[history.runId] = plotValue(point.value);
      byStep.set(point.step, row);
    }
  }
  return [...byStep.values()].sort(
    (a, b) => (a.step as number) - (b.step as number),
  );
}
