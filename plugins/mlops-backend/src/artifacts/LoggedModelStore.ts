import { InputError, NotFoundError } from '@backstage/errors';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import {
  TextComparator,
  compareText,
  jsonTagValue,
} from '../database/textComparison';
import { readJsonTags } from '../database/values';
import { MetricValue } from '@backstage-mlops/plugin-mlops-common';
// Metric values stored as a run's are (NaN flagged, the infinities as the largest doubles).
import { fromStoredValue, toMetricValue, toStoredValue } from '../tracking';

const TABLE = 'mlops_logged_models';
const RUN_MODEL_INPUTS = 'mlops_run_model_inputs';
const METRICS = 'mlops_logged_model_metrics';

/** MLflow's LoggedModelStatus names. */
export const LOGGED_MODEL_STATUSES = [
  'LOGGED_MODEL_STATUS_UNSPECIFIED',
  'LOGGED_MODEL_PENDING',
  'LOGGED_MODEL_READY',
  'LOGGED_MODEL_UPLOAD_FAILED',
] as const;
export type LoggedModelStatus = (typeof LOGGED_MODEL_STATUSES)[number];

/** An MLflow 3 logged model. */
export interface LoggedModel {
  id: string;
  experimentId: string;
  name: string;
  modelType?: string;
  sourceRunId?: string;
  status: LoggedModelStatus;
  statusMessage?: string;
  artifactUri: string;
  creator?: string;
  tags: Record<string, string>;
  params: Record<string, string>;
  /** Metrics runs logged for it, by key and then step. */
  metrics: LoggedModelMetric[];
  deleted: boolean;
  createdAt: number;
  updatedAt: number;
}

/** A metric a run logged for a logged model (MLflow 3's model metrics). */
export interface LoggedModelMetric {
  key: string;
  /** Non-finite values as protobuf JSON writes them: 'NaN', 'Infinity'. */
  value: MetricValue;
  timestamp: number;
  step: number;
  runId: string;
  datasetName?: string;
  datasetDigest?: string;
}

/**
 * One clause of a logged-model search, as MLflow 3's grammar gives it
 * (`parseLoggedModelFilter` of the MLflow capability): an attribute, a tag or
 * a param compared with text comparators, or a timestamp with numeric ones.
 */
export interface LoggedModelClause {
  entity: 'attribute' | 'tag' | 'param';
  /** name, model_id, model_type, status, source_run_id, creation_timestamp, last_updated_timestamp; or the tag or param key. */
  key: string;
  op: TextComparator;
  value: string | number | string[];
}

const COLUMN: Record<string, string> = {
  name: 'name',
  source_run_id: 'source_run_id',
  status: 'status',
  model_type: 'model_type',
  model_id: 'id',
  creation_timestamp: 'created_at',
  last_updated_timestamp: 'updated_at',
};

function toLoggedModel(row: any, metrics: LoggedModelMetric[]): LoggedModel {
  return {
    id: row.id,
    experimentId: String(row.experiment_id),
    name: row.name,
    modelType: row.model_type ?? undefined,
    sourceRunId: row.source_run_id ?? undefined,
    status: row.status,
    statusMessage: row.status_message ?? undefined,
    artifactUri: row.artifact_uri,
    creator: row.creator ?? undefined,
    tags: readJsonTags(row.tags),
    params: readJsonTags(row.params),
    metrics,
    deleted: Boolean(row.deleted),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

const ORDER_COLUMN = {
  name: 'name',
  creation_timestamp: 'created_at',
  last_updated_timestamp: 'updated_at',
} as const;

/** MLflow 3's logged models, on knex. */
export class LoggedModelStore {
  constructor(private readonly db: Knex) {}

  async create(input: {
    experimentId: string;
    name?: string;
    modelType?: string;
    sourceRunId?: string;
    creator?: string;
    tags: Record<string, string>;
    params: Record<string, string>;
    /** The experiment's artifact location; the model's files go below it. */
    experimentLocation: string;
  }): Promise<LoggedModel> {
    const id = `m-${randomUUID().replace(/-/g, '')}`;
    const now = Date.now();
    await this.db(TABLE).insert({
      id,
      experiment_id: input.experimentId,
      // MLflow names an unnamed model itself; the id keeps it unique.
      name: input.name ?? `model-${id.slice(2, 10)}`,
      model_type: input.modelType ?? null,
      source_run_id: input.sourceRunId ?? null,
      status: 'LOGGED_MODEL_PENDING',
      artifact_uri: `${input.experimentLocation}/models/${id}/artifacts`,
      creator: input.creator ?? null,
      tags: JSON.stringify(input.tags),
      params: JSON.stringify(input.params),
      deleted: false,
      created_at: now,
      updated_at: now,
    });
    return (await this.get(id))!;
  }

  async get(id: string, options: { allowDeleted?: boolean } = {}) {
    const row = await this.db(TABLE).where({ id }).first();
    if (!row || (row.deleted && !options.allowDeleted)) return undefined;
    return toLoggedModel(row, (await this.metricsOf([id])).get(id) ?? []);
  }

  async require(id: string): Promise<LoggedModel> {
    const model = await this.get(id);
    if (!model) throw new NotFoundError(`No logged model with id ${id}`);
    return model;
  }

  async finalize(id: string, status: LoggedModelStatus): Promise<LoggedModel> {
    await this.require(id);
    await this.db(TABLE)
      .where({ id })
      .update({ status, updated_at: Date.now() });
    return this.require(id);
  }

  /**
   * Merges into the model's tags or params in one transaction, so two
   * clients setting different tags at once both keep theirs.
   */
  async merge(
    id: string,
    column: 'tags' | 'params',
    change: (current: Record<string, string>) => Record<string, string>,
  ): Promise<LoggedModel> {
    await this.db.transaction(async tx => {
      const row = await tx(TABLE).where({ id }).forUpdate().first();
      if (!row || row.deleted) {
        throw new NotFoundError(`No logged model with id ${id}`);
      }
      await tx(TABLE)
        .where({ id })
        .update({
          [column]: JSON.stringify(change(readJsonTags(row[column]))),
          updated_at: Date.now(),
        });
    });
    return this.require(id);
  }

  async delete(id: string): Promise<void> {
    await this.require(id);
    await this.db(TABLE)
      .where({ id })
      .update({ deleted: true, updated_at: Date.now() });
  }

  /** The ids of the models each run produced (MLflow 3's run outputs). */
  async outputsOf(runIds: string[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    if (runIds.length === 0) return result;
    const rows: Array<{ id: string; source_run_id: string }> = await this.db(
      TABLE,
    )
      .whereIn('source_run_id', runIds)
      .where({ deleted: false })
      .orderBy('created_at')
      .select('id', 'source_run_id');
    for (const row of rows) {
      result.set(row.source_run_id, [
        ...(result.get(row.source_run_id) ?? []),
        row.id,
      ]);
    }
    return result;
  }

  /**
   * Links the logged models a run used (MLflow 3's model inputs); a model
   * linked again keeps its first place.
   */
  async logRunInputs(runId: string, modelIds: string[]): Promise<void> {
    const unique = [...new Set(modelIds)];
    if (unique.length === 0) return;
    const now = Date.now();
    await this.db(RUN_MODEL_INPUTS)
      .insert(
        unique.map(model_id => ({ run_id: runId, model_id, created_at: now })),
      )
      .onConflict(['run_id', 'model_id'])
      .ignore();
  }

  /** The ids of the models each run used, in the order they were logged. */
  async inputsOf(runIds: string[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    if (runIds.length === 0) return result;
    const rows: Array<{ run_id: string; model_id: string }> = await this.db(
      RUN_MODEL_INPUTS,
    )
      .whereIn('run_id', runIds)
      .orderBy(['run_id', 'created_at', 'model_id'])
      .select('run_id', 'model_id');
    for (const row of rows) {
      result.set(row.run_id, [...(result.get(row.run_id) ?? []), row.model_id]);
    }
    return result;
  }

  /**
   * Keeps the metrics a run logged with a `model_id` as that model's. Ids
   * of models that do not exist (or were deleted) are skipped: the run's
   * own metrics are logged either way. A measurement logged again is kept
   * once.
   */
  async logMetrics(
    runId: string,
    metrics: Array<{
      modelId: string;
      key: string;
      /** May be NaN or ±Infinity. */
      value: number;
      timestamp: number;
      step: number;
      datasetName?: string;
      datasetDigest?: string;
    }>,
  ): Promise<void> {
    if (metrics.length === 0) return;
    const known = new Set(
      (
        await this.db(TABLE)
          .whereIn('id', [...new Set(metrics.map(m => m.modelId))])
          .where({ deleted: false })
          .select('id')
      ).map(row => row.id as string),
    );
    const rows = metrics
      .filter(m => known.has(m.modelId))
      .map(m => ({
        model_id: m.modelId,
        run_id: runId,
        key: m.key,
        ...toStoredValue(m.value),
        timestamp: m.timestamp,
        step: m.step,
        dataset_name: m.datasetName ?? null,
        dataset_digest: m.datasetDigest ?? null,
      }));
    // Chunks keep each statement's bindings well under SQLite's limit.
    for (let i = 0; i < rows.length; i += 200) {
      await this.db(METRICS)
        .insert(rows.slice(i, i + 200))
        .onConflict(['model_id', 'key', 'timestamp', 'step', 'run_id'])
        .ignore();
    }
  }

  private async metricsOf(
    ids: string[],
  ): Promise<Map<string, LoggedModelMetric[]>> {
    const result = new Map<string, LoggedModelMetric[]>();
    if (ids.length === 0) return result;
    const rows = await this.db(METRICS)
      .whereIn('model_id', ids)
      .orderBy(['model_id', 'key', 'step', 'timestamp', 'run_id']);
    for (const row of rows) {
      result.set(row.model_id, [
        ...(result.get(row.model_id) ?? []),
        {
          key: row.key,
          value: toMetricValue(fromStoredValue(row.value, row.is_nan)),
          timestamp: Number(row.timestamp),
          step: Number(row.step),
          runId: row.run_id,
          datasetName: row.dataset_name ?? undefined,
          datasetDigest: row.dataset_digest ?? undefined,
        },
      ]);
    }
    return result;
  }

  /** Newest first by default; pages continue with an offset token. */
  async search(input: {
    experimentIds: string[];
    clauses: LoggedModelClause[];
    orderBy: Array<{
      field: 'creation_timestamp' | 'last_updated_timestamp' | 'name';
      ascending: boolean;
    }>;
    pageSize: number;
    offset: number;
  }): Promise<{ models: LoggedModel[]; nextOffset?: number }> {
    const query = this.db(TABLE)
      .whereIn('experiment_id', input.experimentIds)
      .where({ deleted: false });
    const sqlite = String(this.db.client.config.client).includes('sqlite');
    for (const { entity, key, op, value } of input.clauses) {
      if (entity !== 'attribute') {
        // Tags and params are a JSON object per model; an absent key matches nothing.
        const column = entity === 'tag' ? 'tags' : 'params';
        compareText(
          query,
          jsonTagValue(this.db, column, key, sqlite),
          op,
          value as string | string[],
          sqlite,
        );
      } else if (typeof value === 'number') {
        if (!['=', '!=', '<', '<=', '>', '>='].includes(op)) {
          throw new InputError(`Cannot compare ${key} with ${op}`);
        }
        query.where(COLUMN[key], op === '!=' ? '<>' : op, value);
      } else if (COLUMN[key]) {
        compareText(query, COLUMN[key], op, value, sqlite);
      } else {
        throw new InputError(`Cannot search logged models by ${key}`);
      }
    }
    const orderBy = input.orderBy.length
      ? input.orderBy
      : [{ field: 'creation_timestamp' as const, ascending: false }];
    for (const order of orderBy) {
      const column = ORDER_COLUMN[order.field];
      query.orderBy(column, order.ascending ? 'asc' : 'desc');
    }
    query.orderBy('id', 'asc');
    const rows = await query.offset(input.offset).limit(input.pageSize + 1);
    const page = rows.slice(0, input.pageSize);
    const metrics = await this.metricsOf(page.map(row => row.id));
    return {
      models: page.map(row => toLoggedModel(row, metrics.get(row.id) ?? [])),
      nextOffset:
        rows.length > input.pageSize
          ? input.offset + input.pageSize
          : undefined,
    };
  }
}
