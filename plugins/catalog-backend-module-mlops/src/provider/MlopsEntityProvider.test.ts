import { mockServices } from '@backstage/backend-test-utils';
import {
  componentEntityV1alpha1Validator,
  Entity,
  resourceEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import { FakeObjectsSource, storeObject } from '../__testUtils__/fakes';
import { DeclaredEntityIndex } from './DeclaredEntityIndex';
import { MlopsEntityProvider } from './MlopsEntityProvider';

const declaredModel: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'fraud-detection',
    namespace: 'default',
    annotations: {
      'backstage-mlops.dev/model': 'fraud-detection',
      'backstage.io/managed-by-location':
        'url:https://git.test/catalog-info.yaml',
    },
  },
  spec: { type: 'ml-model', lifecycle: 'production', owner: 'risk-ml' },
};

const declaredExperiment: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'fraud-detection-experiments',
    namespace: 'default',
    annotations: { 'backstage-mlops.dev/experiment': 'fraud-detection' },
  },
  spec: { type: 'ml-experiment', owner: 'risk-ml' },
};

function churnObjects() {
  return [
    storeObject('model', 'churn', {
      description: 'Predicts churn',
      pipelineName: 'churn-training',
      experimentName: 'churn',
      inProduction: true,
      productionVersion: 3,
      tags: { Tabular: 'true', 'mlflow.user': 'x', 'team/risk': '1' },
      links: {
        mlopsPage: 'http://portal.test/mlops/models/churn',
        servingUrl: 'https://churn.test/predict',
        trackingUi: 'http://portal.test/mlops/experiments/churn',
      },
    }),
    storeObject('pipeline', 'churn-training', {
      experimentName: 'churn',
      orchestrator: 'airflow',
      inProduction: true,
    }),
    storeObject('experiment', 'churn'),
  ];
}

function setup(
  options: {
    entities?: Entity[];
    objects?: ReturnType<typeof churnObjects>;
  } = {},
) {
  const source = new FakeObjectsSource(options.objects ?? churnObjects());
  const catalog = catalogServiceMock({ entities: options.entities ?? [] });
  const index = new DeclaredEntityIndex({
    catalog,
    auth: mockServices.auth(),
  });
  const provider = new MlopsEntityProvider({
    objects: source,
    declared: index,
    logger: mockServices.logger.mock(),
  });
  const applyMutation = jest.fn();
  const connection: EntityProviderConnection = {
    applyMutation,
    refresh: jest.fn(),
  };
  return { source, provider, connection, applyMutation };
}

function fullEntities(applyMutation: jest.Mock): Entity[] {
  const call = applyMutation.mock.calls.find(([m]) => m.type === 'full');
  return call[0].entities.map((e: { entity: Entity }) => e.entity);
}

describe('MlopsEntityProvider', () => {
  it('emits models, pipelines and experiments in one full mutation, per the entity model', async () => {
    const { provider, connection, applyMutation } = setup();
    await provider.connect(connection);
    await provider.refresh();

    const entities = fullEntities(applyMutation);
    expect(entities).toHaveLength(3);
    // Without a location key a catalog-info.yaml declaring the same ref takes
    // it over instead of being rejected as a conflict.
    for (const deferred of applyMutation.mock.calls[0][0].entities) {
      expect(deferred.locationKey).toBeUndefined();
    }
    const model = entities.find(e => e.spec?.type === 'ml-model')!;
    expect(model).toMatchObject({
      kind: 'Component',
      metadata: {
        name: 'churn',
        description: 'Predicts churn',
        annotations: {
          'backstage-mlops.dev/model': 'churn',
          'backstage-mlops.dev/serving-url': 'https://churn.test/predict',
          'backstage.io/managed-by-location':
            'mlops:http://backend.test/api/mlops/objects/model/churn',
          'backstage.io/managed-by-origin-location':
            'mlops:http://backend.test/api/mlops/objects/model/churn',
        },
        links: [
          { title: 'MLOps', url: 'http://portal.test/mlops/models/churn' },
          { title: 'Serving endpoint', url: 'https://churn.test/predict' },
          {
            title: 'Tracking UI',
            url: 'http://portal.test/mlops/experiments/churn',
          },
        ],
      },
      spec: {
        lifecycle: 'production',
        owner: 'group:default/risk-ml',
        dependsOn: ['component:default/churn-training'],
      },
    });
    expect(model.metadata.tags).toEqual([
      'ml',
      'model',
      'tabular',
      'team-risk',
    ]);

    const pipeline = entities.find(e => e.spec?.type === 'ml-pipeline')!;
    expect(pipeline.spec).toMatchObject({
      dependsOn: ['resource:default/churn'],
      lifecycle: 'production',
    });
    expect(pipeline.metadata.annotations).toMatchObject({
      'backstage-mlops.dev/pipeline': 'churn-training',
      'backstage-mlops.dev/orchestrator': 'airflow',
    });
    const experiment = entities.find(e => e.kind === 'Resource')!;
    expect(experiment.spec).toMatchObject({
      type: 'ml-experiment',
      lifecycle: 'experimental',
    });

    // The catalog would reject an entity its own validators refuse.
    for (const entity of entities) {
      const validator =
        entity.kind === 'Resource'
          ? resourceEntityV1alpha1Validator
          : componentEntityV1alpha1Validator;
      await expect(validator.check(entity)).resolves.toBe(true);
    }
  });

  it('gives store names that are not entity names a valid, distinct name and keeps the original as title', async () => {
    const { provider, connection, applyMutation } = setup({
      objects: [
        storeObject('model', 'Kundenabwanderung / Schätzer'),
        storeObject('model', 'Kundenabwanderung . Schätzer'),
      ],
    });
    await provider.connect(connection);
    await provider.refresh();
    const entities = fullEntities(applyMutation);
    const names = entities.map(e => e.metadata.name);
    expect(new Set(names).size).toBe(2);
    for (const entity of entities) {
      expect(entity.metadata.name).toMatch(
        /^[A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9]$/,
      );
      expect(entity.metadata.name.length).toBeLessThanOrEqual(63);
      await expect(
        componentEntityV1alpha1Validator.check(entity),
      ).resolves.toBe(true);
    }
    expect(entities.map(e => e.metadata.title).sort()).toEqual([
      'Kundenabwanderung . Schätzer',
      'Kundenabwanderung / Schätzer',
    ]);
  });

  it('does not emit objects a catalog-info.yaml declares, and depends on the declared entity instead', async () => {
    const { provider, connection, applyMutation } = setup({
      entities: [declaredModel, declaredExperiment],
      objects: [
        storeObject('model', 'fraud-detection', {
          pipelineName: 'fraud-detection-training',
        }),
        storeObject('pipeline', 'fraud-detection-training', {
          experimentName: 'fraud-detection',
        }),
        storeObject('experiment', 'fraud-detection'),
      ],
    });
    await provider.connect(connection);
    const result = await provider.refresh();
    expect(result).toEqual({ emitted: 1, declared: 2 });
    const entities = fullEntities(applyMutation);
    expect(entities.map(e => e.metadata.name)).toEqual([
      'fraud-detection-training',
    ]);
    expect(entities[0].spec?.dependsOn).toEqual([
      'resource:default/fraud-detection-experiments',
    ]);
  });

  it('treats an entity annotated only with MLflow names as the declaration of a mirrored model and experiment', async () => {
    const mlflowOnly: Entity = {
      ...declaredModel,
      metadata: {
        name: 'fraud-service',
        namespace: 'default',
        annotations: {
          'mlflow.org/registered-model': 'fraud-detection',
          'mlflow.org/experiment-name': 'fraud-detection',
        },
      },
    };
    const { provider, connection, applyMutation } = setup({
      entities: [mlflowOnly],
      objects: [
        storeObject('model', 'fraud-detection'),
        storeObject('experiment', 'fraud-detection'),
      ],
    });
    await provider.connect(connection);
    expect(await provider.refresh()).toEqual({ emitted: 0, declared: 2 });
    expect(fullEntities(applyMutation)).toEqual([]);
    await provider.handleChanges([
      { action: 'upserted', kind: 'model', name: 'fraud-detection' },
    ]);
    expect(applyMutation.mock.calls[1][0].added).toEqual([]);
  });

  it('applies a delta for a created object and removes a deleted one', async () => {
    const { provider, connection, applyMutation, source } = setup({
      objects: [],
    });
    await provider.connect(connection);
    await provider.refresh();
    applyMutation.mockClear();

    source.put(
      storeObject('model', 'churn', { owner: 'group:default/support-ml' }),
    );
    await provider.handleChanges([
      { action: 'upserted', kind: 'model', name: 'churn' },
    ]);
    expect(applyMutation).toHaveBeenCalledTimes(1);
    const [added] = applyMutation.mock.calls[0];
    expect(added.type).toBe('delta');
    expect(added.removed).toEqual([]);
    expect(added.added[0].entity).toMatchObject({
      kind: 'Component',
      metadata: { name: 'churn' },
      spec: { owner: 'group:default/support-ml', lifecycle: 'experimental' },
    });

    source.remove('model', 'churn');
    await provider.handleChanges([
      { action: 'deleted', kind: 'model', name: 'churn' },
    ]);
    expect(applyMutation.mock.calls[1][0]).toEqual({
      type: 'delta',
      added: [],
      removed: [{ entityRef: 'component:default/churn' }],
    });
  });

  it('applies a burst of changes as one delta from one read of the store', async () => {
    const { provider, connection, applyMutation, source } = setup({
      entities: [declaredModel],
      objects: [],
    });
    await provider.connect(connection);
    await provider.refresh();
    applyMutation.mockClear();
    source.objectReads = 0;

    source.put(storeObject('model', 'churn'));
    source.put(storeObject('experiment', 'churn'));
    source.put(storeObject('model', 'fraud-detection'));
    await provider.handleChanges([
      { action: 'upserted', kind: 'model', name: 'churn' },
      { action: 'upserted', kind: 'experiment', name: 'churn' },
      // Declared by a catalog-info.yaml: not mirrored.
      { action: 'upserted', kind: 'model', name: 'fraud-detection' },
      { action: 'deleted', kind: 'pipeline', name: 'old-training' },
      // Announced, but gone again before the catalog read it.
      { action: 'upserted', kind: 'pipeline', name: 'short-lived' },
    ]);

    expect(source.objectReads).toBe(1);
    expect(applyMutation).toHaveBeenCalledTimes(1);
    const [delta] = applyMutation.mock.calls[0];
    expect(
      delta.added.map(
        (d: { entity: Entity }) => `${d.entity.kind}:${d.entity.metadata.name}`,
      ),
    ).toEqual(['Component:churn', 'Resource:churn']);
    expect(delta.removed).toEqual([
      { entityRef: 'component:default/fraud-detection' },
      { entityRef: 'component:default/old-training' },
      { entityRef: 'component:default/short-lived' },
    ]);
  });

  it('treats an upsert event for an object that is gone as a removal', async () => {
    const { provider, connection, applyMutation } = setup({ objects: [] });
    await provider.connect(connection);
    await provider.handleChanges([
      { action: 'upserted', kind: 'pipeline', name: 'late' },
    ]);
    expect(applyMutation.mock.calls[0][0].removed).toEqual([
      { entityRef: 'component:default/late' },
    ]);
  });

  it('does not add a delta for an object that is declared in the catalog', async () => {
    const { provider, connection, applyMutation } = setup({
      entities: [declaredModel],
      objects: [storeObject('model', 'fraud-detection')],
    });
    await provider.connect(connection);
    await provider.handleChanges([
      { action: 'upserted', kind: 'model', name: 'fraud-detection' },
    ]);
    expect(applyMutation).toHaveBeenCalledTimes(1);
    expect(applyMutation.mock.calls[0][0].added).toEqual([]);
  });

  it('finds a declaration in a comma-separated annotation value when applying a delta', async () => {
    const { provider, connection, applyMutation } = setup({
      entities: [
        {
          ...declaredModel,
          metadata: {
            name: 'scoring-service',
            namespace: 'default',
            annotations: {
              'backstage-mlops.dev/model': 'other-model, fraud-detection',
            },
          },
        },
      ],
      objects: [storeObject('model', 'fraud-detection')],
    });
    await provider.connect(connection);
    await provider.handleChanges([
      { action: 'upserted', kind: 'model', name: 'fraud-detection' },
    ]);
    expect(applyMutation.mock.calls[0][0]).toMatchObject({
      type: 'delta',
      added: [],
    });
  });

  it('withdraws an emitted entity as soon as a declaration of the same object is seen', async () => {
    const { provider, connection, applyMutation } = setup();
    await provider.connect(connection);
    await provider.refresh();
    applyMutation.mockClear();

    await provider.declarationSeen('experiment', 'unrelated');
    expect(applyMutation).not.toHaveBeenCalled();

    await provider.declarationSeen('model', 'churn');
    expect(applyMutation).toHaveBeenCalledWith({
      type: 'delta',
      added: [],
      removed: [{ entityRef: 'component:default/churn' }],
    });
    // Only once: it is no longer emitted.
    await provider.declarationSeen('model', 'churn');
    expect(applyMutation).toHaveBeenCalledTimes(1);
  });

  it('withdraws at the next full refresh when a declaration appeared meanwhile', async () => {
    const source = new FakeObjectsSource(churnObjects());
    const entities: Entity[] = [];
    const catalog = catalogServiceMock({ entities });
    const provider = new MlopsEntityProvider({
      objects: source,
      declared: new DeclaredEntityIndex({ catalog, auth: mockServices.auth() }),
      logger: mockServices.logger.mock(),
    });
    const applyMutation = jest.fn();
    await provider.connect({ applyMutation, refresh: jest.fn() });
    await provider.refresh();
    expect(fullEntities(applyMutation)).toHaveLength(3);

    const laterCatalog = catalogServiceMock({
      entities: [
        {
          ...declaredModel,
          metadata: {
            name: 'churn-service',
            namespace: 'default',
            annotations: { 'backstage-mlops.dev/model': 'churn, other' },
          },
        },
      ],
    });
    const laterProvider = new MlopsEntityProvider({
      objects: source,
      declared: new DeclaredEntityIndex({
        catalog: laterCatalog,
        auth: mockServices.auth(),
      }),
      logger: mockServices.logger.mock(),
    });
    const laterMutation = jest.fn();
    await laterProvider.connect({
      applyMutation: laterMutation,
      refresh: jest.fn(),
    });
    await laterProvider.refresh();
    const names = fullEntities(laterMutation).map(e => e.metadata.name);
    // The model is declared by the service now; pipeline and experiment stay.
    expect(names.sort()).toEqual(['churn', 'churn-training']);
    expect(
      fullEntities(laterMutation)
        .map(e => `${e.kind}:${e.metadata.name}`)
        .sort(),
    ).toEqual(['Component:churn-training', 'Resource:churn']);
  });

  it('schedules its refresh under a stable task id and survives a failing refresh', async () => {
    const run = jest.fn();
    const logger = mockServices.logger.mock();
    const provider = new MlopsEntityProvider({
      objects: {
        baseUrl: async () => 'http://x',
        listObjects: async () => {
          throw new Error('store unreachable');
        },
        getObjects: async () => [],
      },
      declared: new DeclaredEntityIndex({
        catalog: catalogServiceMock({ entities: [] }),
        auth: mockServices.auth(),
      }),
      logger,
      taskRunner: { run },
    });
    expect(provider.getProviderName()).toBe('mlops');
    await provider.connect({ applyMutation: jest.fn(), refresh: jest.fn() });
    expect(run).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'mlops:refresh' }),
    );
    await expect(run.mock.calls[0][0].fn()).resolves.toBeUndefined();
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('store unreachable'),
    );
  });
});
