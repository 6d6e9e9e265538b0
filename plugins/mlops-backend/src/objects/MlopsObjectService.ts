import {
  MlopsObjectKind,
  MlopsObjectLinks,
  MlopsStoreObject,
} from '@backstage-mlops/plugin-mlops-common';
import { NotFoundError } from '@backstage/errors';
import {
  MlopsObjectRecord,
  MlopsObjectStore,
  PipelineRegistration,
} from './MlopsObjectStore';
import { ObjectChangeNotifier } from '../shared/ObjectChangeNotifier';
import {
  ObjectReadScope,
  UNRESTRICTED_READ_SCOPE,
} from '../permissions/MlopsObjectReadAccess';

/**
 * Where the version of a model that is in Production comes from: the
 * registry's `RegistrySource.productionVersion`, joined structurally when the
 * plugin wires the registry in.
 */
export interface ProductionVersionSource {
  productionVersion(
    model: string,
  ): Promise<{ version: number; metrics: Record<string, number> } | undefined>;
}

// Registry lookups run a few at a time: enough to hide round trips to
// PostgreSQL, few enough not to starve the connection pool.
const PRODUCTION_LOOKUP_CONCURRENCY = 8;

/**
 * Lists and registers the objects that the catalog mirrors, with the
 * Production status and links that the catalog entities need.
 */
export class MlopsObjectService {
  private readonly store: MlopsObjectStore;
  private readonly notifier: ObjectChangeNotifier;
  private readonly appBaseUrl: string;
  private registry?: ProductionVersionSource;

  constructor(options: {
    store: MlopsObjectStore;
    notifier: ObjectChangeNotifier;
    /** The frontend's base URL (`app.baseUrl`), for links to MLOps pages. */
    appBaseUrl: string;
    registry?: ProductionVersionSource;
  }) {
    this.store = options.store;
    this.notifier = options.notifier;
    this.appBaseUrl = options.appBaseUrl.replace(/\/+$/, '');
    this.registry = options.registry;
  }

  /** Connects the registry once it exists (wiring order in plugin.ts). */
  setRegistry(registry: ProductionVersionSource): void {
    this.registry = registry;
  }

  /** Every model, experiment and pipeline. */
  async listObjects(
    scope: ObjectReadScope = UNRESTRICTED_READ_SCOPE,
  ): Promise<MlopsStoreObject[]> {
    const records = await this.store.list(undefined, scope);
    const models = records.filter(r => r.kind === 'model');
    const production = await this.productionVersions(models.map(m => m.name));
    const pipelinesInProduction = new Set<string>();
    const experimentsInProduction = new Set<string>();
    for (const model of models) {
      if (production.has(model.name)) {
        if (model.pipelineName) pipelinesInProduction.add(model.pipelineName);
        if (model.experimentName) {
          experimentsInProduction.add(model.experimentName);
        }
      }
    }
    const experimentOfPipeline = new Map(
      records
        .filter(r => r.kind === 'pipeline' && r.experimentName)
        .map(r => [r.name, r.experimentName!]),
    );
    for (const pipeline of pipelinesInProduction) {
      const experiment = experimentOfPipeline.get(pipeline);
      if (experiment) experimentsInProduction.add(experiment);
    }
    return records.map(record => {
      if (record.kind === 'model') {
        return this.toObject(record, production.get(record.name));
      }
      const inProduction =
        record.kind === 'pipeline'
          ? pipelinesInProduction.has(record.name)
          : experimentsInProduction.has(record.name);
      return this.toObject(record, undefined, inProduction);
    });
  }

  /** One object, with its Production status. */
  async getObject(
    kind: MlopsObjectKind,
    name: string,
    scope: ObjectReadScope = UNRESTRICTED_READ_SCOPE,
  ): Promise<MlopsStoreObject> {
    const record = await this.store.get(kind, name, scope);
    if (!record) {
      throw new NotFoundError(`No ${kind} named "${name}"`);
    }
    return this.describe(record);
  }

  /**
   * The named objects, in the order asked, with undefined where the store
   * has none (or none that `scope` lets through). The catalog reads the
   * objects of a burst of changes with it, in one request.
   */
  async getObjects(
    refs: Array<{ kind: MlopsObjectKind; name: string }>,
    scope: ObjectReadScope = UNRESTRICTED_READ_SCOPE,
  ): Promise<Array<MlopsStoreObject | undefined>> {
    const found = new Map<string, MlopsObjectRecord>();
    for (const kind of new Set(refs.map(ref => ref.kind))) {
      const names = refs.filter(ref => ref.kind === kind).map(ref => ref.name);
      for (const record of await this.store.getMany(kind, names, scope)) {
        found.set(`${kind}:${record.name}`, record);
      }
    }
    const records = [...found.values()];
    // Models' Production versions in one bounded round; experiments and
    // pipelines derive theirs from the models that reference them.
    const production = await this.productionVersions(
      records.filter(r => r.kind === 'model').map(r => r.name),
    );
    const described = new Map<string, MlopsStoreObject>();
    for (const [key, record] of found) {
      described.set(
        key,
        record.kind === 'model'
          ? this.toObject(record, production.get(record.name))
          : await this.describe(record),
      );
    }
    return refs.map(ref => described.get(`${ref.kind}:${ref.name}`));
  }

  /**
   * Registers a pipeline with its experiment and model, then announces all
   * three. A dry run checks and describes the result without storing it.
   */
  async registerPipeline(
    input: PipelineRegistration,
    options?: { dryRun?: boolean },
  ) {
    const stored = await this.store.registerPipeline(input, options);
    if (!options?.dryRun) {
      await this.notifier.upserted('experiment', stored.experiment.name);
      await this.notifier.upserted('pipeline', stored.pipeline.name);
      await this.notifier.upserted('model', stored.model.name);
    }
    return {
      experiment: await this.describe(stored.experiment),
      pipeline: await this.describe(stored.pipeline),
      model: await this.describe(stored.model),
    };
  }

  /** Deletes an object and announces it; NotFoundError when there was none. */
  async deleteObject(kind: MlopsObjectKind, name: string): Promise<void> {
    if (!(await this.store.delete(kind, name))) {
      throw new NotFoundError(`No ${kind} named "${name}"`);
    }
    await this.notifier.deleted(kind, name);
  }

  private async describe(record: MlopsObjectRecord): Promise<MlopsStoreObject> {
    if (record.kind === 'model') {
      const production = await this.productionVersions([record.name]);
      return this.toObject(record, production.get(record.name));
    }
    const models = await this.store.modelsReferencing(record.kind, record.name);
    if (record.kind === 'experiment') {
      // An experiment also serves production through the pipelines logging to it.
      for (const pipeline of await this.store.pipelinesLoggingTo(record.name)) {
        models.push(
          ...(await this.store.modelsReferencing('pipeline', pipeline)),
        );
      }
    }
    const production = await this.productionVersions([...new Set(models)]);
    return this.toObject(record, undefined, production.size > 0);
  }

  private async productionVersions(
    models: string[],
  ): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    const registry = this.registry;
    if (!registry || models.length === 0) {
      return result;
    }
    let next = 0;
    const worker = async () => {
      while (next < models.length) {
        const model = models[next++];
        const found = await registry.productionVersion(model);
        if (found) {
          result.set(model, found.version);
        }
      }
    };
    await Promise.all(
      Array.from(
        { length: Math.min(PRODUCTION_LOOKUP_CONCURRENCY, models.length) },
        worker,
      ),
    );
    return result;
  }

  private toObject(
    record: MlopsObjectRecord,
    productionVersion?: number,
    inProduction = productionVersion !== undefined,
  ): MlopsStoreObject {
    const object: MlopsStoreObject = {
      kind: record.kind,
      id: record.id,
      name: record.name,
      owner: record.owner,
      description: record.description,
      tags: record.tags,
      inProduction,
      productionVersion,
      pipelineName: record.pipelineName,
      experimentName: record.experimentName,
      orchestrator: record.orchestrator,
      schedule: record.schedule,
      links: this.linksOf(record),
      updatedAt: record.updatedAt,
    };
    // Leave undefined fields out of the JSON rather than sending nulls.
    return JSON.parse(JSON.stringify(object));
  }

  private linksOf(record: MlopsObjectRecord): MlopsObjectLinks {
    const page = (kind: MlopsObjectKind, name: string) =>
      `${this.appBaseUrl}/mlops/${kind}s/${encodeURIComponent(name)}`;
    const experiment =
      record.kind === 'experiment' ? record.name : record.experimentName;
    return {
      mlopsPage: page(record.kind, record.name),
      servingUrl: record.servingUrl,
      trackingUi: experiment ? page('experiment', experiment) : undefined,
    };
  }
}
