import { MlopsObjectKind } from '@backstage-mlops/plugin-mlops-common';
import { Knex } from 'knex';

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
}
