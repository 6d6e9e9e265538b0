import { InputError, NotFoundError } from '@backstage/errors';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { readJsonTags } from '../database/values';

const TABLE = 'mlops_logged_models';

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
  deleted: boolean;
  createdAt: number;
  updatedAt: number;
}

/** One `attribute = 'value'` clause of a logged-model search. */
export interface LoggedModelClause {
  field: 'name' | 'source_run_id' | 'status' | 'model_type' | 'model_id';
  value: string;
}

const COLUMN: Record<LoggedModelClause['field'], string> = {
  name: 'name',
  source_run_id: 'source_run_id',
  status: 'status',
  model_type: 'model_type',
  model_id: 'id',
};

/**
 * The filters MLflow 3's client itself sends (`name = 'x'`, for `runs:/`
 * and registration lookups), and any AND of equality clauses on the
 * model's attributes. Anything else is a 400 that says so.
 */
export function parseLoggedModelFilter(filter?: string): LoggedModelClause[] {
  if (!filter || filter.trim() === '') return [];
  return filter.split(/\s+AND\s+/i).map(part => {
    const match =
      /^\s*(?:attributes?\.)?`?([a-z_]+)`?\s*=\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*$/i.exec(
        part,
      );
    const field = match?.[1].toLowerCase();
    if (!match || !field || !(field in COLUMN)) {
      throw new InputError(
        `Unsupported logged model filter '${part.trim()}'; this server supports AND of <attribute> = '<value>' on ${Object.keys(
          COLUMN,
        ).join(', ')}`,
      );
    }
    return {
      field: field as LoggedModelClause['field'],
      value: (match[2] ?? match[3]).replace(/\\(.)/g, '$1'),
    };
  });
}

function toLoggedModel(row: any): LoggedModel {
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
    return toLoggedModel(row);
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
    for (const clause of input.clauses) {
      query.where(COLUMN[clause.field], clause.value);
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
    return {
      models: rows.slice(0, input.pageSize).map(toLoggedModel),
      nextOffset:
        rows.length > input.pageSize
          ? input.offset + input.pageSize
          : undefined,
    };
  }
}
