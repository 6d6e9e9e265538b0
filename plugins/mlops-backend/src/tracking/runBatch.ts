import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { Knex } from 'knex';
import { isUniqueViolation } from '../database/values';
import { toStoredValue } from './metricValues';
import { writeMetrics, writeMetricsOfLiveRun } from './metricWriter';
import { RUN_TABLES } from './runRows';
import { RUN_NAME_TAG } from './runSearch';
import type { MetricMeasurement, RunBatch } from './trackingInputs';

/*
 * A run's batch of params, tags and metrics (MLflow's log-batch, the
 * portal's run logging), written in one transaction; params are write-once.
 */

const { RUNS, PARAMS, TAGS } = RUN_TABLES;

const PARAM_CHANGE = Symbol('mlops.paramChange');

function markParamChange(error: ConflictError): ConflictError {
  return Object.assign(error, { [PARAM_CHANGE]: true });
}

/**
 * True for the refusal to change a logged param: a conflict on the portal's
 * routes, an INVALID_PARAMETER_VALUE in MLflow's terms.
 */
export function isParamChangeRefusal(error: unknown): boolean {
  return Boolean(error && (error as Record<symbol, unknown>)[PARAM_CHANGE]);
}

function truncate(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function isLater(a: MetricMeasurement, b: MetricMeasurement): boolean {
  if (a.step !== b.step) {
    return a.step > b.step;
  }
  if (a.timestamp !== b.timestamp) {
    return a.timestamp > b.timestamp;
  }
  return toStoredValue(a.value).value > toStoredValue(b.value).value;
}

/**
 * Writes params, tags and metrics of one run in one transaction. Any
 * problem (unknown or deleted run, a param logged before with another
 * value) rolls back the whole batch. Returns the rows it counts toward
 * the planner statistics (plannerStatistics.ts).
 */
export async function writeRunBatch(
  db: Knex,
  runId: string,
  batch: RunBatch,
): Promise<number> {
  const params = new Map<string, string>();
  for (const { key, value } of batch.params) {
    const previous = params.get(key);
    if (previous !== undefined && previous !== value) {
      throw new InputError(
        `Param "${key}" appears twice in the batch with different values`,
      );
    }
    params.set(key, value);
  }
  const tags = new Map<string, string>();
  for (const { key, value } of batch.tags) {
    tags.set(key, value);
  }
  // The latest value per key among the batch, by MLflow's rule: highest
  // step, then newest timestamp, then largest value.
  const latest = new Map<string, MetricMeasurement>();
  for (const metric of batch.metrics) {
    const current = latest.get(metric.key);
    if (!current || isLater(metric, current)) {
      latest.set(metric.key, metric);
    }
  }

  const written =
    batch.metrics.length +
    latest.size +
    batch.params.length +
    batch.tags.length;
  const missing = () => new NotFoundError(`No run with id ${runId}`);
  const deleted = () =>
    new ConflictError(
      `Run ${runId} is deleted; restore it before logging to it`,
    );

  if (params.size === 0 && tags.size === 0) {
    const checked = await writeMetricsOfLiveRun(db, runId, batch.metrics, [
      ...latest.values(),
    ]);
    if (checked?.state === 'missing') throw missing();
    if (checked?.state === 'deleted') throw deleted();
    if (checked) return written;
  }

  await db.transaction(async tx => {
    const run = await tx(RUNS).where({ id: runId }).first('id', 'deleted');
    if (!run) {
      throw missing();
    }
    if (run.deleted === true || run.deleted === 1) {
      throw deleted();
    }

    if (params.size > 0) {
      const existing: Array<{ key: string; value: string }> = await tx(PARAMS)
        .where('run_id', runId)
        .whereIn('key', [...params.keys()])
        .select('key', 'value');
      for (const row of existing) {
        const value = params.get(row.key)!;
        if (row.value !== value) {
          throw markParamChange(
            new ConflictError(
              `Param "${row.key}" of run ${runId} is already "${truncate(
                row.value,
              )}" and cannot be changed to "${truncate(
                value,
              )}": params are write-once`,
            ),
          );
        }
        params.delete(row.key);
      }
      if (params.size > 0) {
        try {
          await tx(PARAMS).insert(
            [...params].map(([key, value]) => ({
              run_id: runId,
              key,
              value,
            })),
          );
        } catch (error) {
          if (isUniqueViolation(error)) {
            throw new ConflictError(
              `Params of run ${runId} were logged concurrently; retry the batch`,
            );
          }
          throw error;
        }
      }
    }

    if (tags.size > 0) {
      await tx(TAGS)
        .insert(
          [...tags].map(([key, value]) => ({ run_id: runId, key, value })),
        )
        .onConflict(['run_id', 'key'])
        .merge(['value']);
      const name = tags.get(RUN_NAME_TAG);
      if (name !== undefined && name.length <= 250) {
        // MLflow's server renames the run when this tag is set, so the
        // name and the tag never disagree (search relies on it).
        await tx(RUNS).where({ id: runId }).update({ name });
      }
    }

    await writeMetrics(tx, runId, batch.metrics, [...latest.values()]);
  });
  return written;
}
