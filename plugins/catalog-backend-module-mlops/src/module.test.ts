import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  catalogProcessingExtensionPoint,
  EntityProvider,
} from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
// The MLOps backend joins only this wiring test, to prove that its events
// reach the provider.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import mlopsPlugin from '@backstage-mlops/plugin-mlops-backend';
import request from 'supertest';
import { catalogModuleMlops } from './module';
import { MlopsAnnotationProcessor } from './processor/MlopsAnnotationProcessor';
import { MlopsEntityProvider } from './provider/MlopsEntityProvider';

jest.setTimeout(60_000);

const declaredModel: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'fraud-detection',
    namespace: 'default',
    annotations: { 'backstage-mlops.dev/model': 'fraud-detection' },
  },
  spec: { type: 'ml-model', lifecycle: 'production', owner: 'risk-ml' },
};

function fakeCatalogProcessing() {
  const providers: EntityProvider[] = [];
  const processors: unknown[] = [];
  return {
    providers,
    processors,
    extensionPoint: {
      addProcessor: (...p: unknown[]) => processors.push(...p.flat()),
      addEntityProvider: (...p: EntityProvider[]) =>
        providers.push(...p.flat()),
      addPlaceholderResolver: jest.fn(),
      setOnProcessingErrorHandler: jest.fn(),
    },
  };
}

describe('catalogModuleMlops', () => {
  it('registers the provider and the processor with the catalog', async () => {
    const catalogProcessing = fakeCatalogProcessing();
    await startTestBackend({
      extensionPoints: [
        [catalogProcessingExtensionPoint, catalogProcessing.extensionPoint],
      ],
      features: [
        catalogModuleMlops,
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              providers: {
                mlops: {
                  schedule: {
                    frequency: { minutes: 5 },
                    timeout: { minutes: 1 },
                  },
                },
              },
            },
          },
        }),
      ],
    });
    expect(catalogProcessing.providers).toEqual([
      expect.any(MlopsEntityProvider),
    ]);
    expect(catalogProcessing.providers[0].getProviderName()).toBe('mlops');
    expect(catalogProcessing.processors).toEqual([
      expect.any(MlopsAnnotationProcessor),
    ]);
  });

  it('puts a model registered through the MLOps API into the catalog moments after the request', async () => {
    const catalogProcessing = fakeCatalogProcessing();
    const { server } = await startTestBackend({
      extensionPoints: [
        [catalogProcessingExtensionPoint, catalogProcessing.extensionPoint],
      ],
      features: [
        catalogModuleMlops,
        mlopsPlugin,
        eventsServiceFactory,
        catalogServiceMock.factory({ entities: [declaredModel] }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://portal.test' },
            events: { useEventBus: 'never' },
          },
        }),
      ],
    });
    const applyMutation = jest.fn();
    await catalogProcessing.providers[0].connect({
      applyMutation,
      refresh: jest.fn(),
    });

    await request(server)
      .post('/api/mlops/objects/register')
      .set('Authorization', mockCredentials.service.header())
      .send({
        owner: 'group:default/risk-ml',
        pipeline: { name: 'churn-training', orchestrator: 'prefect' },
        model: { name: 'churn', description: 'Predicts churn' },
      })
      .expect(200);

    // The deltas follow the response (ChangeQueue): wait for all three.
    const deltas = () =>
      applyMutation.mock.calls
        .filter(([m]) => m.type === 'delta')
        .flatMap(([m]) => m.added.map((d: { entity: Entity }) => d.entity));
    for (let i = 0; i < 100 && deltas().length < 3; i++) {
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    const added = deltas();
    expect(added.map(e => `${e.kind}:${e.metadata.name}`)).toEqual([
      'Resource:churn',
      'Component:churn-training',
      'Component:churn',
    ]);
    expect(added[2]).toMatchObject({
      metadata: {
        description: 'Predicts churn',
        links: [
          { title: 'MLOps', url: 'http://portal.test/mlops/models/churn' },
          {
            title: 'Tracking UI',
            url: 'http://portal.test/mlops/experiments/churn',
          },
        ],
      },
      spec: {
        type: 'ml-model',
        owner: 'group:default/risk-ml',
        dependsOn: ['component:default/churn-training'],
      },
    });

    // A full refresh reads the same objects over HTTP, leaving out the model
    // that a catalog-info.yaml declares.
    await request(server)
      .post('/api/mlops/objects/register')
      .set('Authorization', mockCredentials.service.header())
      .send({
        owner: 'group:default/risk-ml',
        pipeline: { name: 'fraud-detection-training' },
        model: { name: 'fraud-detection' },
      })
      .expect(200);
    applyMutation.mockClear();
    await (catalogProcessing.providers[0] as MlopsEntityProvider).refresh();
    // The second registration's deltas may land before or after the refresh
    // (they follow the request in the background): look at the full one.
    const full = applyMutation.mock.calls
      .map(([m]) => m)
      .find(m => m.type === 'full');
    expect(full).toBeDefined();
    expect(
      full.entities
        .map(
          (d: { entity: Entity }) =>
            `${d.entity.kind}:${d.entity.metadata.name}`,
        )
        .sort(),
    ).toEqual([
      'Component:churn',
      'Component:churn-training',
      'Component:fraud-detection-training',
      'Resource:churn',
      'Resource:fraud-detection',
    ]);
  });
});
