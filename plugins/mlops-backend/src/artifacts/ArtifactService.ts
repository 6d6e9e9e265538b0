import { MlopsArtifactStore } from '@backstage-mlops/plugin-mlops-node';
import { Experiment } from '@backstage-mlops/plugin-mlops-common';
import { NotFoundError } from '@backstage/errors';
import { TrackingStore } from '../tracking';
import { ArtifactLocations } from './ArtifactLocations';
import { DatasetStore, RunDatasetInput } from './DatasetStore';
import { LoggedModelStore } from './LoggedModelStore';

/** MLflow's limit on a tag value, which `mlflow.log-model.history` is. */
const MODEL_HISTORY_LIMIT = 8000;

/**
 * What the artifacts capability offers the others: the store and its limit,
 * where experiments' and runs' artifacts live, the datasets runs used, and
 * MLflow 3's logged models.
 */
export class ArtifactService {
  readonly locations: ArtifactLocations;

  constructor(
    readonly store: MlopsArtifactStore,
    readonly maxFileBytes: number,
    private readonly tracking: TrackingStore,
    readonly datasets: DatasetStore,
    readonly loggedModels: LoggedModelStore,
    locations: ArtifactLocations,
  ) {
    this.locations = locations;
  }

  /** See {@link ArtifactLocations.storePathOf}. */
  storePathOf(uri: string): string | undefined {
    return ArtifactLocations.storePathOf(uri);
  }

  /** See {@link ArtifactLocations.checkRequested}. */
  checkRequestedLocation(location: string): string {
    return ArtifactLocations.checkRequested(location);
  }

  async requireExperiment(id: string): Promise<Experiment> {
    const experiment = await this.tracking.findExperimentById(id);
    if (!experiment) throw new NotFoundError(`No experiment with id ${id}`);
    return experiment;
  }

  /**
   * Where a model version's files can be read, from the source it was
   * registered with, as MLflow's server answers `get-download-uri`: a
   * `runs:/<run>/<path>` source is resolved to the run's artifact root, a
   * `models:/m-…` source (MLflow 3) to the logged model's, and the scheme
   * this portal once answered to MLflow's.
   */
  async downloadUriOf(source: string): Promise<string> {
    const runs = /^runs:\/([0-9a-f]{32})(?:\/(.*))?$/i.exec(source);
    if (runs) {
      const run = await this.tracking.getRun(runs[1]);
      const root = await this.locations.runUri(run.experimentId, run.id);
      return runs[2] ? `${root}/${runs[2].replace(/^\/+/, '')}` : root;
    }
    const logged = /^models:\/(m-[0-9a-f]{32})(?:\/(.*))?$/.exec(source);
    if (logged) {
      const model = await this.loggedModels.require(logged[1]);
      return logged[2]
        ? `${model.artifactUri}/${logged[2]}`
        : model.artifactUri;
    }
    return ArtifactLocations.normalize(source);
  }

  /** Each run's artifact root, reading each experiment's location once. */
  async runUris(
    runs: Array<{ id: string; experimentId: string }>,
  ): Promise<Map<string, string>> {
    const locations = await this.locations.experimentLocations(
      runs.map(r => r.experimentId),
    );
    return new Map(
      runs.map(r => [
        r.id,
        ArtifactLocations.runUriIn(locations.get(r.experimentId)!, r.id),
      ]),
    );
  }

  inputsOf(runIds: string[]): Promise<Map<string, RunDatasetInput[]>> {
    return this.datasets.inputsOf(runIds);
  }

  /**
   * `mlflow.log-model.history` with `model` appended, as MLflow's server
   * records `runs/log-model`. The oldest entries give way when the list
   * would outgrow a tag value.
   */
  appendModelHistory(current: string | undefined, model: unknown): string {
    let history: unknown[] = [];
    try {
      const parsed = current ? JSON.parse(current) : [];
      history = Array.isArray(parsed) ? parsed : [];
    } catch {
      history = [];
    }
    history.push(model);
    let value = JSON.stringify(history);
    while (value.length > MODEL_HISTORY_LIMIT && history.length > 1) {
      history.shift();
      value = JSON.stringify(history);
    }
    return value;
  }
}
