import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { DeclaredEntityIndex } from '../provider/DeclaredEntityIndex';
import { MlopsAnnotationProcessor } from './MlopsAnnotationProcessor';

const location = { type: 'url', target: 'https://git.test/catalog-info.yaml' };

function component(
  name: string,
  annotations: Record<string, string>,
  type = 'service',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type, lifecycle: 'production', owner: 'risk-ml' },
  };
}

const fraudModel = component(
  'fraud-detection',
  { 'backstage-mlops.dev/model': 'fraud-detection' },
  'ml-model',
);
const mirroredPipeline = component(
  'churn-training',
  {
    'backstage-mlops.dev/pipeline': 'churn-training',
    'backstage.io/managed-by-location':
      'mlops:http://backend.test/api/mlops/objects/pipeline/churn-training',
  },
  'ml-pipeline',
);

async function process(processor: MlopsAnnotationProcessor, entity: Entity) {
  const emit = jest.fn();
  const result = await processor.postProcessEntity(entity, location, emit);
  expect(result).toBe(entity);
  return emit.mock.calls.map(([r]) => r);
}

describe('MlopsAnnotationProcessor', () => {
  it('reports each malformed annotation as an input error in the entity status', async () => {
    const results = await process(
      new MlopsAnnotationProcessor(),
      component('bad', {
        'backstage-mlops.dev/model': 'ok-model, ../escape',
        'backstage-mlops.dev/orchestrator': 'cron',
        'backstage-mlops.dev/serving-url': 'ftp://host/x',
        'backstage-mlops.dev/latency-p95-ms': '-3',
        'backstage-mlops.dev/colour': 'blue',
      }),
    );
    const messages = results
      .filter(r => r.type === 'error')
      .map(r => r.error.message);
    expect(results.every(r => r.type === 'error')).toBe(true);
    expect(results.every(r => r.error.name === 'InputError')).toBe(true);
    expect(messages).toEqual([
      expect.stringContaining('"../escape"'),
      expect.stringContaining('must be prefect or airflow'),
      expect.stringContaining('http or https'),
      expect.stringContaining('positive number'),
      'Unknown MLOps annotation backstage-mlops.dev/colour',
    ]);
  });

  it('emits nothing for a well-formed entity without an index', async () => {
    expect(await process(new MlopsAnnotationProcessor(), fraudModel)).toEqual(
      [],
    );
  });

  it('relates an entity that names a model to the entity representing it, both ways', async () => {
    const service = component('fraud-api', {
      'backstage-mlops.dev/model': 'fraud-detection',
    });
    const index = new DeclaredEntityIndex({
      catalog: catalogServiceMock({
        entities: [fraudModel, service, mirroredPipeline],
      }),
      auth: mockServices.auth(),
    });
    const processor = new MlopsAnnotationProcessor({ index });

    const results = await process(processor, service);
    expect(results).toEqual([
      {
        type: 'relation',
        relation: {
          source: {
            kind: 'component',
            namespace: 'default',
            name: 'fraud-api',
          },
          type: 'dependsOn',
          target: {
            kind: 'component',
            namespace: 'default',
            name: 'fraud-detection',
          },
        },
      },
      {
        type: 'relation',
        relation: {
          source: {
            kind: 'component',
            namespace: 'default',
            name: 'fraud-detection',
          },
          type: 'dependencyOf',
          target: {
            kind: 'component',
            namespace: 'default',
            name: 'fraud-api',
          },
        },
      },
    ]);
    // The model's own entity is its representative: no self relation.
    expect(await process(processor, fraudModel)).toEqual([]);

    // An entity naming a pipeline that only the provider mirrors relates to
    // the mirrored entity.
    const job = component('churn-job', {
      'backstage-mlops.dev/pipeline': 'churn-training',
    });
    const relations = await process(processor, job);
    expect(relations.map(r => r.relation.target.name)).toEqual([
      'churn-training',
      'churn-job',
    ]);
  });

  it('tells the provider about declarations, but not about its own entities', async () => {
    const listener = { declarationSeen: jest.fn(async () => {}) };
    const processor = new MlopsAnnotationProcessor({ listener });
    await process(
      processor,
      component('svc', { 'backstage-mlops.dev/model': 'a, b' }),
    );
    expect(listener.declarationSeen.mock.calls).toEqual([
      ['model', 'a'],
      ['model', 'b'],
    ]);
    listener.declarationSeen.mockClear();
    await process(processor, mirroredPipeline);
    expect(listener.declarationSeen).not.toHaveBeenCalled();
  });

  it('keeps processing the entity when the catalog lookup fails', async () => {
    const logger = mockServices.logger.mock();
    const index = new DeclaredEntityIndex({
      catalog: {
        ...catalogServiceMock({ entities: [] }),
        getEntities: async () => {
          throw new Error('catalog busy');
        },
      } as any,
      auth: mockServices.auth(),
    });
    const processor = new MlopsAnnotationProcessor({ index, logger });
    expect(await process(processor, fraudModel)).toEqual([]);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('catalog busy'),
    );
  });
});
