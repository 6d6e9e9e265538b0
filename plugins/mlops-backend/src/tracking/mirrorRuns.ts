import { RunStatus } from '@backstage-mlops/plugin-mlops-common';
import { Knex } from 'knex';
import { inChunks } from '../database/values';
import { fromStoredValue, toStoredValue } from './metricValues';
import { MetricRow, writeMetrics } from './metricWriter';
import { plannerStatisticsFor } from './plannerStatistics';

const RUNS = 'mlops_runs';
const PARAMS = 'mlops_run_params';
const TAGS = 'mlops_run_tags';
const LATEST = 'mlops_run_latest_metrics';
const METRICS = 'mlops_run_metrics';

/** A run as a source (an MLflow server) reports it, under its upstream id. */
export interface MirroredRunInput {
  id: string;
  /** The store id of its experiment. */
  experimentId: string;
  name?: string;
  status: RunStatus;
  startTime: number;
  endTime?: number;
  userId?: string;
  deleted: boolean;
  params: Record<string, string>;
  tags: Record<string, string>;
  latestMetrics: MetricRow[];
}

type Row = Record<string, any>;

function sameMetric(row: Row, metric: MetricRow): boolean {
  return (
    Number(row.step) === metric.step &&
    Number(row.timestamp) === metric.timestamp &&
    Object.is(fromStoredValue(row.value, row.is_nan), metric.value)
  );
}

/**
 * Writes runs as a source reports them, in one transaction: inserts new
 * runs under their upstream ids, updates the attributes of known ones, adds
 * params (write-once: a param already stored keeps its value), upserts tags,
 * and records each latest metric that differs from the stored one as a new
 * history point and latest value. Tags and metrics a source stops
 * reporting are kept.
 */
export async function mirrorRuns(
  db: Knex,
  reported: MirroredRunInput[],
): Promise<void> {
  // A run listed twice (pages that shifted under the listing) is written once.
  const runs = [...new Map(reported.map(r => [r.id, r])).values()];
  if (runs.length === 0) {
    return;
  }
  await db.transaction(async tx => {
    const ids = runs.map(r => r.id);
    const known = new Set<string>();
    const latest = new Map<string, Row>();
    for (const chunk of inChunks(ids)) {
      for (const id of await tx(RUNS).whereIn('id', chunk).pluck('id')) {
        known.add(String(id));
      }
      const rows: Row[] = await tx(LATEST)
        .whereIn('run_id', chunk)
        .select('run_id', 'key', 'value', 'is_nan', 'step', 'timestamp');
      for (const row of rows) latest.set(`${row.run_id}\u0000${row.key}`, row);
    }
    const attributes = (r: MirroredRunInput) => ({
      experiment_id: r.experimentId,
      name: r.name ?? null,
      status: r.status,
      start_time: r.startTime,
      end_time: r.endTime ?? null,
      user_id: r.userId ?? null,
      deleted: r.deleted,
    });
    const fresh = runs.filter(r => !known.has(r.id));
    for (const chunk of inChunks(fresh, 100)) {
      await tx(RUNS).insert(chunk.map(r => ({ id: r.id, ...attributes(r) })));
    }
    for (const run of runs.filter(r => known.has(r.id))) {
      await tx(RUNS).where({ id: run.id }).update(attributes(run));
    }
    const params = runs.flatMap(r =>
      Object.entries(r.params).map(([key, value]) => ({
        run_id: r.id,
        key,
        value,
      })),
    );
    for (const chunk of inChunks(params, 300)) {
      await tx(PARAMS).insert(chunk).onConflict(['run_id', 'key']).ignore();
    }
    const tags = runs.flatMap(r =>
      Object.entries(r.tags).map(([key, value]) => ({
        run_id: r.id,
        key,
        value,
      })),
    );
    for (const chunk of inChunks(tags, 300)) {
      await tx(TAGS)
        .insert(chunk)
        .onConflict(['run_id', 'key'])
        .merge(['value']);
    }
    // A run seen for the first time has no metric rows: its latest values
    // go in as plain multi-row inserts (a first sync writes tens of
    // thousands) instead of one upsert statement per run.
    const freshMetrics = fresh.flatMap(r => {
      const latestByKey = new Map<string, MetricRow>();
      for (const metric of r.latestMetrics) latestByKey.set(metric.key, metric);
      return [...latestByKey.values()].map(metric => ({
        run_id: r.id,
        key: metric.key,
        ...toStoredValue(metric.value),
        step: metric.step,
        timestamp: metric.timestamp,
      }));
    });
    for (const chunk of inChunks(freshMetrics, 150)) {
      await tx(METRICS).insert(chunk);
      await tx(LATEST).insert(chunk);
    }
    for (const run of runs.filter(r => known.has(r.id))) {
      const changed = run.latestMetrics.filter(metric => {
        const stored = latest.get(`${run.id}\u0000${metric.key}`);
        return !stored || !sameMetric(stored, metric);
      });
      if (changed.length > 0) {
        await writeMetrics(tx, run.id, changed, changed);
      }
    }
  });
  // A first sync fills the tables in bulk: refresh the planner's view of them.
  plannerStatisticsFor(db).noteWrittenRows(
    runs.reduce(
      (rows, run) =>
        rows +
        1 +
        run.latestMetrics.length * 2 +
        Object.keys(run.params).length +
        Object.keys(run.tags).length,
      0,
    ),
  );
}

/** Orders measurements as MLflow picks the latest: step, timestamp, value. */
function laterMetric(a: MetricRow, b: MetricRow): MetricRow {
  if (a.step !== b.step) return a.step > b.step ? a : b;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp ? a : b;
  return a.value >= b.value ? a : b;
}

/**
 * Adds to a mirrored run's history of metric `key` the points a source
 * reports that the store lacks (each stored point matches one reported
 * point, so the latest value mirrored by the sync is not doubled), and
 * moves the latest value forward if a reported point is later. Nothing
 * stored is removed. Returns how many points were added.
 */
export async function mirrorMetricHistory(
  db: Knex,
  runId: string,
  key: string,
  points: Array<{ value: number; step: number; timestamp: number }>,
): Promise<number> {
  if (points.length === 0) return 0;
  const pointKey = (p: { value: number; step: number; timestamp: number }) =>
    `${p.step}\u0000${p.timestamp}\u0000${String(p.value)}`;
  return db.transaction(async tx => {
    const stored: Row[] = await tx(METRICS)
      .where({ run_id: runId, key })
      .select('value', 'is_nan', 'step', 'timestamp');
    const unmatched = new Map<string, number>();
    for (const row of stored) {
      const k = pointKey({
        value: fromStoredValue(row.value, row.is_nan),
        step: Number(row.step),
        timestamp: Number(row.timestamp),
      });
      unmatched.set(k, (unmatched.get(k) ?? 0) + 1);
    }
    const added: MetricRow[] = [];
    for (const point of points) {
      const k = pointKey(point);
      const left = unmatched.get(k) ?? 0;
      if (left > 0) unmatched.set(k, left - 1);
      else added.push({ key, ...point });
    }
    if (added.length > 0) {
      await writeMetrics(tx, runId, added, [added.reduce(laterMetric)]);
    }
    return added.length;
  });
}
