import {
  DetectorSymptom,
  ModelKeyMetricsPoint,
} from '@backstage-mlops/plugin-mlops-common';
import { Knex } from 'knex';
import { inChunks, readRequiredIso } from '../database/values';
import { EvaluatedKind, Finding, ObjectEvaluation } from './detectors/types';

/*
 * The detectors' health checks: every evaluation in the history, the latest
 * one per object kept apart for the fleet, and the windowed stats a model's
 * checks carry. IncidentStore delegates to these.
 */

const CHECKS = 'mlops_health_checks';
const LATEST_CHECKS = 'mlops_health_latest_checks';

function parseJson<T>(text: string | null): T | undefined {
  return text ? (JSON.parse(text) as T) : undefined;
}

/** An MLOps object the detectors evaluate. */
export interface ObjectRef {
  kind: EvaluatedKind;
  name: string;
}

/** The detectors' latest check of one object, as stored. */
export interface StoredCheck {
  kind: EvaluatedKind;
  name: string;
  checkedAt: string;
  judged: DetectorSymptom[];
  findings: Finding[];
  metrics?: ObjectEvaluation['metrics'];
}

/**
 * Stores one evaluation of an object in the history and as the object's
 * latest check, unless a newer one is there already (another replica may
 * have finished a later evaluation first).
 */
export async function recordCheck(
  db: Knex,
  evaluation: ObjectEvaluation,
): Promise<void> {
  const row = {
    object_kind: evaluation.kind,
    object_name: evaluation.name,
    checked_at: evaluation.checkedAt,
    observed: JSON.stringify(evaluation.judged),
    findings: JSON.stringify(evaluation.findings),
    metrics: evaluation.metrics ? JSON.stringify(evaluation.metrics) : null,
  };
  await db.transaction(async tx => {
    await tx(CHECKS).insert(row);
    await tx(LATEST_CHECKS)
      .insert(row)
      .onConflict(['object_kind', 'object_name'])
      .merge()
      .where(`${LATEST_CHECKS}.checked_at`, '<=', evaluation.checkedAt);
  });
}

/**
 * Deletes checks older than `before`; returns how many were removed from
 * the history. An object whose latest check is that old has no check any
 * more, as before the latest checks were kept apart.
 */
export async function pruneChecks(db: Knex, before: Date): Promise<number> {
  await db(LATEST_CHECKS).where('checked_at', '<', before).delete();
  return db(CHECKS).where('checked_at', '<', before).delete();
}

/**
 * The newest check of each object that has one, in the order of `objects`:
 * one primary-key lookup per kind and slice of names, so the fleet can ask
 * for thousands of objects at once. `metrics: false` leaves out the
 * windowed stats (the fleet's health column does not show them).
 */
export async function latestChecks(
  db: Knex,
  objects: ObjectRef[],
  options: { metrics?: boolean } = {},
): Promise<StoredCheck[]> {
  const withMetrics = options.metrics ?? true;
  const byKey = new Map<string, StoredCheck>();
  const kinds = new Set(objects.map(o => o.kind));
  for (const kind of kinds) {
    const names = [
      ...new Set(objects.filter(o => o.kind === kind).map(o => o.name)),
    ];
    for (const chunk of inChunks(names)) {
      const rows = await db(LATEST_CHECKS)
        .where('object_kind', kind)
        .whereIn('object_name', chunk)
        .select(
          'object_kind',
          'object_name',
          'checked_at',
          'observed',
          'findings',
          ...(withMetrics ? ['metrics'] : []),
        );
      for (const row of rows) {
        byKey.set(`${row.object_kind}:${row.object_name}`, {
          kind: row.object_kind,
          name: row.object_name,
          checkedAt: readRequiredIso(row.checked_at),
          judged: JSON.parse(row.observed),
          findings: JSON.parse(row.findings),
          metrics: withMetrics
            ? parseJson<ObjectEvaluation['metrics']>(row.metrics)
            : undefined,
        });
      }
    }
  }
  return objects
    .map(o => byKey.get(`${o.kind}:${o.name}`))
    .filter((c): c is StoredCheck => c !== undefined);
}

/** A model's windowed stats from its recent checks, oldest first. */
export async function metricsSeries(
  db: Knex,
  model: string,
  limit: number,
): Promise<ModelKeyMetricsPoint[]> {
  const rows = await db(CHECKS)
    .where({ object_kind: 'model', object_name: model })
    .whereNotNull('metrics')
    .orderBy('checked_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .select('metrics');
  return rows.reverse().map(r => {
    const m = JSON.parse(r.metrics);
    return {
      at: m.at,
      count: m.count,
      errorRate: m.errorRate,
      latencyP95Ms: m.latencyP95Ms,
      accuracy: m.accuracy,
    };
  });
}
