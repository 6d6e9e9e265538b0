import {
  MlopsObjectKind,
  MlopsRegisterPipelineRequest,
} from '@backstage-mlops/plugin-mlops-common';
import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';
import {
  ObjectReadScope,
  UNRESTRICTED_READ_SCOPE,
} from '../permissions/MlopsObjectReadAccess';
import { readJsonTags, readRequiredIso } from '../database/values';

const TABLES: Record<MlopsObjectKind, string> = {
  model: 'mlops_registered_models',
  pipeline: 'mlops_pipelines',
  experiment: 'mlops_experiments',
};

/** The fields every named MLOps object (model, pipeline, experiment) has. */
export interface MlopsObjectInput {
  name: string;
  owner?: string;
  description?: string;
}

/** Extra fields a pipeline definition carries. */
export interface PipelineObjectInput extends MlopsObjectInput {
  orchestrator?: 'prefect' | 'airflow';
  schedule?: string;
  stages?: string[];
  experimentName?: string;
}

/** Extra fields a registered model carries. */
export interface ModelObjectInput extends MlopsObjectInput {
  pipelineName?: string;
  experimentName?: string;
}

/** A stored model, experiment or pipeline, as the objects routes read it. */
export interface MlopsObjectRecord {
  kind: MlopsObjectKind;
  id: string;
  name: string;
  owner?: string;
  description?: string;
  tags: Record<string, string>;
  pipelineName?: string;
  experimentName?: string;
  orchestrator?: 'prefect' | 'airflow';
  schedule?: string;
  servingUrl?: string;
  updatedAt: string;
}

/**
 * A pipeline, its experiment and its model, registered together: the
 * request, with the owner already normalised to a full entity reference and
 * the experiment's default (named like the model) filled in.
 */
export type PipelineRegistration = MlopsRegisterPipelineRequest & {
  experiment: NonNullable<MlopsRegisterPipelineRequest['experiment']>;
};

// Thrown to roll a dry-run registration back while handing its result out.
class DryRunRollback<T> extends Error {
  constructor(readonly result: T) {
    super('dry run');
  }
}

const OBJECT_KINDS: MlopsObjectKind[] = ['model', 'pipeline', 'experiment'];

const COLUMNS: Record<MlopsObjectKind, string[]> = {
  model: [
    'id',
    'name',
    'owner',
    'description',
    'tags',
    'pipeline_name',
    'experiment_name',
    'serving_url',
    'updated_at',
  ],
  pipeline: [
    'id',
    'name',
    'owner',
    'description',
    'tags',
    'orchestrator',
    'schedule',
    'experiment_name',
    'updated_at',
  ],
  experiment: ['id', 'name', 'owner', 'description', 'tags', 'updated_at'],
};

function toRecord(kind: MlopsObjectKind, row: any): MlopsObjectRecord {
  const optional = (value: unknown) =>
    value === null || value === undefined || value === ''
      ? undefined
      : String(value);
  return {
    kind,
    id: String(row.id),
    name: row.name,
    owner: optional(row.owner),
    description: optional(row.description),
    tags: readJsonTags(row.tags),
    pipelineName: optional(row.pipeline_name),
    experimentName: optional(row.experiment_name),
    orchestrator: optional(
      row.orchestrator,
    ) as MlopsObjectRecord['orchestrator'],
    schedule: optional(row.schedule),
    servingUrl: optional(row.serving_url),
    updatedAt: readRequiredIso(row.updated_at),
  };
}

/**
 * The named objects that catalog entities point at through their
 * annotations. Capabilities that own richer state (runs, versions, stage
 * runs) keep it in their own tables keyed by these names.
 */
export class MlopsObjectStore {
  constructor(private readonly db: Knex) {}

  /** Returns the subset of `names` that exist for the given kind. */
  async existingNames(kind: MlopsObjectKind, names: string[]) {
    if (names.length === 0) {
      return new Set<string>();
    }
    const rows: Array<{ name: string }> = await this.db(TABLES[kind])
      .whereIn('name', names)
      .select('name');
    return new Set(rows.map(r => r.name));
  }

  async count(kind: MlopsObjectKind): Promise<number> {
    const [row] = await this.db(TABLES[kind]).count({ n: '*' });
    return Number(row.n);
  }

  /** Creates the object, or updates its descriptive fields when it exists. */
  async upsert(kind: 'experiment', input: MlopsObjectInput): Promise<void>;
  async upsert(kind: 'pipeline', input: PipelineObjectInput): Promise<void>;
  async upsert(kind: 'model', input: ModelObjectInput): Promise<void>;
  async upsert(
    kind: MlopsObjectKind,
    input: MlopsObjectInput & Partial<PipelineObjectInput & ModelObjectInput>,
  ): Promise<void> {
    const now = new Date();
    const row: Record<string, unknown> = {
      name: input.name,
      owner: input.owner ?? null,
      description: input.description ?? null,
      updated_at: now,
    };
    if (kind === 'pipeline') {
      row.orchestrator = input.orchestrator ?? null;
      row.schedule = input.schedule ?? null;
      row.stages = JSON.stringify(input.stages ?? []);
      row.experiment_name = input.experimentName ?? null;
    }
    if (kind === 'model') {
      row.pipeline_name = input.pipelineName ?? null;
      row.experiment_name = input.experimentName ?? null;
    }
    await this.db(TABLES[kind])
      .insert({ ...row, created_at: now })
      .onConflict('name')
      .merge(Object.keys(row));
  }

  /** Every object of the given kinds, ordered by kind and name. */
  async list(
    kinds: MlopsObjectKind[] = OBJECT_KINDS,
    scope: ObjectReadScope = UNRESTRICTED_READ_SCOPE,
  ): Promise<MlopsObjectRecord[]> {
    const records: MlopsObjectRecord[] = [];
    for (const kind of kinds) {
      const rows = await scope.restrict(
        this.db(TABLES[kind]).select(COLUMNS[kind]).orderBy('name'),
        kind,
        'name',
      );
      for (const row of rows) {
        records.push(toRecord(kind, row));
      }
    }
    return records;
  }

  /** One object by kind and name, or undefined when none in `scope` has it. */
  async get(
    kind: MlopsObjectKind,
    name: string,
    scope: ObjectReadScope = UNRESTRICTED_READ_SCOPE,
  ): Promise<MlopsObjectRecord | undefined> {
    const row = await scope
      .restrict(this.db(TABLES[kind]).where({ name }), kind, 'name')
      .first(COLUMNS[kind]);
    return row ? toRecord(kind, row) : undefined;
  }

  /** The named objects of one kind that `scope` lets through, by name. */
  async getMany(
    kind: MlopsObjectKind,
    names: string[],
    scope: ObjectReadScope = UNRESTRICTED_READ_SCOPE,
  ): Promise<MlopsObjectRecord[]> {
    if (names.length === 0) {
      return [];
    }
    const rows = await scope.restrict(
      this.db(TABLES[kind]).whereIn('name', names).select(COLUMNS[kind]),
      kind,
      'name',
    );
    return rows.map((row: Record<string, unknown>) => toRecord(kind, row));
  }

  /**
   * The owner recorded on one object, whoever asks (incident notifications
   * fall back to it when no catalog entity claims the object).
   */
  async storedOwnerOf(
    kind: MlopsObjectKind,
    name: string,
  ): Promise<string | undefined> {
    const row = await this.db(TABLES[kind]).where({ name }).first('owner');
    return row?.owner ?? undefined;
  }

  /**
   * The pipeline and experiment each named model is trained by, and each
   * pipeline's orchestrator and experiment (with the models' pipelines
   * added), in two small queries: what triage fills its commands from.
   */
  async lineageOf(
    links: Array<{ kind: MlopsObjectKind; name: string }>,
  ): Promise<{
    models: Map<string, { pipeline?: string; experiment?: string }>;
    pipelines: Map<string, { orchestrator?: string; experiment?: string }>;
  }> {
    const modelNames = links.filter(l => l.kind === 'model').map(l => l.name);
    const pipelineNames = links
      .filter(l => l.kind === 'pipeline')
      .map(l => l.name);
    const lineage = {
      models: new Map<string, { pipeline?: string; experiment?: string }>(),
      pipelines: new Map<
        string,
        { orchestrator?: string; experiment?: string }
      >(),
    };

    if (modelNames.length > 0) {
      const rows: Array<{
        name: string;
        pipeline_name: string | null;
        experiment_name: string | null;
      }> = await this.db(TABLES.model)
        .whereIn('name', modelNames)
        .select('name', 'pipeline_name', 'experiment_name');
      for (const row of rows) {
        lineage.models.set(row.name, {
          pipeline: row.pipeline_name ?? undefined,
          experiment: row.experiment_name ?? undefined,
        });
        if (row.pipeline_name) {
          pipelineNames.push(row.pipeline_name);
        }
      }
    }
    if (pipelineNames.length > 0) {
      const rows: Array<{
        name: string;
        orchestrator: string | null;
        experiment_name: string | null;
      }> = await this.db(TABLES.pipeline)
        .whereIn('name', Array.from(new Set(pipelineNames)))
        .select('name', 'orchestrator', 'experiment_name');
      for (const row of rows) {
        lineage.pipelines.set(row.name, {
          orchestrator: row.orchestrator ?? undefined,
          experiment: row.experiment_name ?? undefined,
        });
      }
    }
    return lineage;
  }

  /** Names of the models that a pipeline or an experiment trains. */
  async modelsReferencing(
    kind: 'pipeline' | 'experiment',
    name: string,
  ): Promise<string[]> {
    return this.db(TABLES.model)
      .where(kind === 'pipeline' ? 'pipeline_name' : 'experiment_name', name)
      .pluck('name');
  }

  /** Names of the pipelines that log to an experiment. */
  async pipelinesLoggingTo(experiment: string): Promise<string[]> {
    return this.db(TABLES.pipeline)
      .where('experiment_name', experiment)
      .pluck('name');
  }

  /** Deletes an object; false when there was none. */
  async delete(kind: MlopsObjectKind, name: string): Promise<boolean> {
    const deleted = await this.db(TABLES[kind]).where({ name }).delete();
    return deleted > 0;
  }

  /**
   * Creates or updates a pipeline, the experiment it logs to and the model it
   * trains in one transaction. Registering the same input again changes
   * nothing but the update time. Fields left out keep their stored values, and
   * an object that another owner already holds is refused, so a template run
   * can never take over someone else's model. A dry run does all of it,
   * conflict checks included, and rolls back, so what it returns is what a
   * real run would store (ids of new objects aside).
   */
  async registerPipeline(
    input: PipelineRegistration,
    options?: { dryRun?: boolean },
  ): Promise<{
    experiment: MlopsObjectRecord;
    pipeline: MlopsObjectRecord;
    model: MlopsObjectRecord;
  }> {
    try {
      return await this.registerInTransaction(input, options?.dryRun ?? false);
    } catch (error) {
      if (error instanceof DryRunRollback) {
        return error.result;
      }
      throw error;
    }
  }

  private async registerInTransaction(
    input: PipelineRegistration,
    dryRun: boolean,
  ) {
    return this.db.transaction(async tx => {
      const now = new Date();
      const write = async (
        kind: MlopsObjectKind,
        name: string,
        fields: Record<string, unknown>,
        tags: Record<string, string> | undefined,
      ) => {
        const existing = await tx(TABLES[kind])
          .where({ name })
          .first(['owner', 'tags']);
        if (existing?.owner && existing.owner !== input.owner) {
          throw new ConflictError(
            `The ${kind} "${name}" already exists and is owned by ${existing.owner}`,
          );
        }
        const row: Record<string, unknown> = { owner: input.owner };
        for (const [key, value] of Object.entries(fields)) {
          if (value !== undefined) {
            row[key] = value;
          }
        }
        if (tags) {
          row.tags = JSON.stringify({
            ...readJsonTags(existing?.tags),
            ...tags,
          });
        }
        row.updated_at = now;
        await tx(TABLES[kind])
          .insert({ name, created_at: now, ...row })
          .onConflict('name')
          .merge(Object.keys(row));
      };

      await write(
        'experiment',
        input.experiment.name,
        { description: input.experiment.description },
        input.experiment.tags,
      );
      await write(
        'pipeline',
        input.pipeline.name,
        {
          description: input.pipeline.description,
          orchestrator: input.pipeline.orchestrator,
          schedule: input.pipeline.schedule,
          stages: input.pipeline.stages
            ? JSON.stringify(input.pipeline.stages)
            : undefined,
          experiment_name: input.experiment.name,
        },
        input.pipeline.tags,
      );
      await write(
        'model',
        input.model.name,
        {
          description: input.model.description,
          serving_url: input.model.servingUrl,
          pipeline_name: input.pipeline.name,
          experiment_name: input.experiment.name,
        },
        input.model.tags,
      );

      const read = async (kind: MlopsObjectKind, name: string) =>
        toRecord(
          kind,
          await tx(TABLES[kind]).where({ name }).first(COLUMNS[kind]),
        );
      const result = {
        experiment: await read('experiment', input.experiment.name),
        pipeline: await read('pipeline', input.pipeline.name),
        model: await read('model', input.model.name),
      };
      if (dryRun) {
        throw new DryRunRollback(result);
      }
      return result;
    });
  }
}
