import { Knex } from 'knex';
import { readJsonTags } from '../database/values';

/** A dataset as MLflow's `runs/log-inputs` sends it. */
export interface RunDataset {
  name: string;
  digest: string;
  sourceType: string;
  source: string;
  schema?: string;
  profile?: string;
}

/** A dataset a run used, with the input's tags (`mlflow.data.context`…). */
export interface RunDatasetInput {
  dataset: RunDataset;
  tags: Record<string, string>;
}

/**
 * The datasets runs logged: one row per (experiment, name, digest), as
 * MLflow's SQL store keeps them, and the link from each run to the datasets
 * it used.
 */
export class DatasetStore {
  constructor(private readonly db: Knex) {}

  async logInputs(
    runId: string,
    experimentId: string,
    inputs: RunDatasetInput[],
  ): Promise<void> {
    await this.db.transaction(async tx => {
      for (const input of inputs) {
        const identity = {
          experiment_id: experimentId,
          name: input.dataset.name,
          digest: input.dataset.digest,
        };
        // A concurrent run may log the same dataset: the unique identity
        // keeps one row, and both runs link to it.
        await tx('mlops_datasets')
          .insert({
            ...identity,
            source_type: input.dataset.sourceType,
            source: input.dataset.source,
            schema: input.dataset.schema ?? null,
            profile: input.dataset.profile ?? null,
          })
          .onConflict(['experiment_id', 'name', 'digest'])
          .ignore();
        const row = await tx('mlops_datasets').where(identity).first('id');
        const link = { run_id: runId, dataset_id: row.id };
        const existing = await tx('mlops_run_inputs').where(link).first();
        const tags = JSON.stringify({
          ...readJsonTags(existing?.tags),
          ...input.tags,
        });
        await tx('mlops_run_inputs')
          .insert({ ...link, tags })
          .onConflict(['run_id', 'dataset_id'])
          .merge(['tags']);
      }
    });
  }

  /** The inputs of each run, for runs/get and runs/search. */
  async inputsOf(runIds: string[]): Promise<Map<string, RunDatasetInput[]>> {
    const result = new Map<string, RunDatasetInput[]>();
    if (runIds.length === 0) return result;
    const rows = await this.db('mlops_run_inputs as i')
      .join('mlops_datasets as d', 'd.id', 'i.dataset_id')
      .whereIn('i.run_id', runIds)
      .orderBy(['i.run_id', 'd.name', 'd.id'])
      .select(
        'i.run_id',
        'i.tags',
        'd.name',
        'd.digest',
        'd.source_type',
        'd.source',
        'd.schema',
        'd.profile',
      );
    for (const row of rows) {
      const list = result.get(row.run_id) ?? [];
      list.push({
        dataset: {
          name: row.name,
          digest: row.digest,
          sourceType: row.source_type,
          source: row.source,
          schema: row.schema ?? undefined,
          profile: row.profile ?? undefined,
        },
        tags: readJsonTags(row.tags),
      });
      result.set(row.run_id, list);
    }
    return result;
  }
}
