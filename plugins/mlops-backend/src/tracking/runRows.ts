import {
  Experiment,
  LatestMetric,
  Run,
} from '@backstage-mlops/plugin-mlops-common';
import { Knex } from 'knex';
import { readIso, readJsonTags, readRequiredIso } from '../database/values';
import { fromStoredValue, toMetricValue } from './metricValues';

/*
 * Reading runs: the rows of a run, its params, tags and latest metrics,
 * turned into the portal's Run. Search and the single-run reads share it.
 */

/** The tracking tables. */
export const RUN_TABLES = {
  EXPERIMENTS: 'mlops_experiments',
  RUNS: 'mlops_runs',
  PARAMS: 'mlops_run_params',
  TAGS: 'mlops_run_tags',
  METRICS: 'mlops_run_metrics',
  LATEST: 'mlops_run_latest_metrics',
} as const;

const { EXPERIMENTS, RUNS, PARAMS, TAGS, LATEST } = RUN_TABLES;

/** Run ids per `whereIn` when loading params, tags and metrics. */
const LOAD_CHUNK = 500;

/** A column value, or undefined for NULL and the empty string. */
export function optional(value: unknown): string | undefined {
  return value === null || value === undefined || value === ''
    ? undefined
    : String(value);
}

/** An experiment row as the portal's Experiment. */
export function toExperiment(row: any): Experiment {
  return {
    id: String(row.id),
    name: row.name,
    owner: optional(row.owner),
    description: optional(row.description),
    tags: readJsonTags(row.tags),
    lifecycleStage: row.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
    createdAt: readRequiredIso(row.created_at),
    updatedAt: readRequiredIso(row.updated_at),
  };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

/** Loads runs by id with everything a Run carries. */
export class RunReader {
  constructor(private readonly db: Knex) {}

  /** Loads runs with params, tags and latest metrics, in the order of `ids`. */
  async loadRuns(ids: string[]): Promise<Run[]> {
    if (ids.length === 0) {
      return [];
    }
    const byId = new Map<string, Run>();
    for (const chunk of chunks(ids, LOAD_CHUNK)) {
      // The runs and their params, tags and metrics at once: one round trip
      // of the database's time instead of two (rows of ids that name no run
      // find no run below and are dropped).
      const [rows, params, tags, metrics] = await Promise.all([
        this.db(`${RUNS} as r`)
          .join(`${EXPERIMENTS} as e`, 'e.id', 'r.experiment_id')
          .whereIn('r.id', chunk)
          .select('r.*', 'e.name as experiment_name'),
        this.db(PARAMS)
          .whereIn('run_id', chunk)
          .select('run_id', 'key', 'value'),
        this.db(TAGS).whereIn('run_id', chunk).select('run_id', 'key', 'value'),
        this.loadLatestMetricRows(chunk),
      ]);
      for (const row of rows) {
        byId.set(row.id, {
          id: row.id,
          experimentId: String(row.experiment_id),
          experimentName: row.experiment_name,
          name: optional(row.name),
          status: row.status,
          startTime: readRequiredIso(row.start_time),
          endTime: readIso(row.end_time),
          user: optional(row.user_id),
          source: optional(row.source),
          parentRunId: optional(row.parent_run_id),
          deleted: row.deleted === true || row.deleted === 1,
          params: {},
          tags: {},
          metrics: {},
        });
      }
      for (const row of params) {
        const run = byId.get(row.run_id);
        if (run) run.params[row.key] = row.value;
      }
      for (const row of tags) {
        const run = byId.get(row.run_id);
        if (run) run.tags[row.key] = row.value;
      }
      for (const row of metrics) {
        const metric: LatestMetric = {
          key: row.key,
          value: toMetricValue(fromStoredValue(row.value, row.is_nan)),
          step: Number(row.step),
          timestamp: Number(row.timestamp),
        };
        const run = byId.get(row.run_id);
        if (run) run.metrics[row.key] = metric;
      }
    }
    return ids.map(id => byId.get(id)).filter((run): run is Run => !!run);
  }

  /**
   * The latest metric rows of the given runs. A page of 100 runs x 100
   * metrics is 10,000 rows; on PostgreSQL they travel as one JSON array per
   * run, which the driver turns into values far faster than it parses
   * 10,000 six-column rows (PostgreSQL prints doubles exactly in JSON;
   * SQLite's JSON would round them to 15 digits, so it keeps plain rows).
   */
  private async loadLatestMetricRows(runIds: string[]): Promise<
    Array<{
      run_id: string;
      key: string;
      value: unknown;
      is_nan: unknown;
      step: unknown;
      timestamp: unknown;
    }>
  > {
    if (String(this.db.client.config.client) !== 'pg') {
      return this.db(LATEST)
        .whereIn('run_id', runIds)
        .select('run_id', 'key', 'value', 'is_nan', 'step', 'timestamp');
    }
    const grouped: Array<{ run_id: string; metrics: unknown }> = await this.db(
      LATEST,
    )
      .whereIn('run_id', runIds)
      .groupBy('run_id')
      .select(
        'run_id',
        this.db.raw(
          'json_agg(json_build_array(key, value, is_nan, step, timestamp)) as metrics',
        ),
      );
    return grouped.flatMap(row => {
      const metrics = (
        typeof row.metrics === 'string' ? JSON.parse(row.metrics) : row.metrics
      ) as Array<[string, number, boolean, number, number]>;
      return metrics.map(([key, value, isNan, step, timestamp]) => ({
        run_id: row.run_id,
        key,
        value,
        is_nan: isNan,
        step,
        timestamp,
      }));
    });
  }
}
