import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { LunrSearchEngine } from '@backstage/plugin-search-backend-node';
// The real MLOps backend answers the collator in these tests (a dev dependency).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import mlopsPlugin from '@backstage-mlops/plugin-mlops-backend';
import { TRIAGE_ENTRIES } from '@backstage-mlops/plugin-mlops-common';
import { pipeline } from 'stream/promises';
import { MlopsApiReader } from './MlopsApiReader';
import {
  MlopsCollatorFactory,
  MlopsIndexableDocument,
} from './MlopsCollatorFactory';

jest.setTimeout(120_000);

const entities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'fraud-detection',
      namespace: 'default',
      title: 'Fraud detection',
      description: 'Scores card payments for fraud',
      annotations: { 'backstage-mlops.dev/model': 'fraud-detection' },
    },
    spec: { type: 'ml-model', lifecycle: 'production', owner: 'risk-ml' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'fraud-detection-training',
      namespace: 'default',
      annotations: {
        'backstage-mlops.dev/pipeline': 'fraud-detection-training',
      },
    },
    spec: { type: 'ml-pipeline', lifecycle: 'production', owner: 'risk-ml' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: 'fraud-detection-experiments',
      namespace: 'default',
      annotations: { 'backstage-mlops.dev/experiment': 'fraud-detection' },
    },
    spec: { type: 'ml-experiment', owner: 'risk-ml' },
  },
  // No MLOps annotation: not indexed by this collator.
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments-api', namespace: 'default' },
    spec: { type: 'service', lifecycle: 'production', owner: 'payments' },
  },
];

describe('MlopsCollatorFactory', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  async function collate(source?: MlopsApiReader) {
    const knex = await databases.init('SQLITE_3');
    const { server } = await startTestBackend({
      features: [
        mlopsPlugin,
        mockServices.database.factory({ knex }),
        catalogServiceMock.factory({ entities }),
      ],
    });
    const port = (server.address() as { port: number }).port;
    // What a training job reports: the model, two versions, the second
    // promoted to Production.
    const post = async (url: string, body: object) => {
      const response = await fetch(`http://localhost:${port}/api/mlops${url}`, {
        method: 'POST',
        headers: {
          Authorization: mockCredentials.user.header(),
          'Content-Type': 'application/json',
        },
        body: JSON.stringify(body),
      });
      expect(response.status).toBeLessThan(300);
    };
    await post('/models', {
      name: 'fraud-detection',
      owner: 'group:default/risk-ml',
    });
    await post('/models/fraud-detection/versions', {});
    await post('/models/fraud-detection/versions', {});
    await post('/models/fraud-detection/versions/2/stage', {
      stage: 'Production',
    });
    const auth = mockServices.auth();
    const factory = new MlopsCollatorFactory({
      auth,
      catalog: catalogServiceMock({ entities }),
      logger: mockServices.logger.mock(),
      source:
        source ??
        new MlopsApiReader({
          auth,
          discovery: {
            getBaseUrl: async () => `http://localhost:${port}/api/mlops`,
            getExternalBaseUrl: async () =>
              `http://localhost:${port}/api/mlops`,
          },
        }),
    });
    const documents: MlopsIndexableDocument[] = [];
    for await (const doc of await factory.getCollator()) {
      documents.push(doc);
    }
    return { factory, documents, server };
  }

  async function searchIndexOf(factory: MlopsCollatorFactory) {
    const engine = new LunrSearchEngine({
      logger: mockServices.logger.mock(),
    });
    await pipeline(
      await factory.getCollator(),
      await engine.getIndexer('mlops'),
    );
    return async (term: string) =>
      (await engine.query({ term, types: ['mlops'] })).results.map(
        r => r.document.title,
      );
  }

  it('indexes every annotated entity with health and Production version, linking to its MLOps tab', async () => {
    const { documents } = await collate();
    const entityDocs = documents.filter(d => d.entityRef);
    expect(entityDocs.map(d => d.entityRef).sort()).toEqual([
      'component:default/fraud-detection',
      'component:default/fraud-detection-training',
      'resource:default/fraud-detection-experiments',
    ]);
    const model = entityDocs.find(d => d.mlopsKind === 'model')!;
    expect(model).toMatchObject({
      title: 'Fraud detection',
      location: '/catalog/default/component/fraud-detection/mlops',
      owner: 'group:default/risk-ml',
      authorization: { resourceRef: 'component:default/fraud-detection' },
    });
    expect(typeof model.productionVersion).toBe('number');
    expect(model.text).toContain(
      `Production version v${model.productionVersion}`,
    );
    expect(model.health).toEqual(expect.any(String));
    const pipelineDoc = entityDocs.find(d => d.mlopsKind === 'pipeline')!;
    expect(pipelineDoc.location).toBe(
      '/catalog/default/component/fraud-detection-training/mlops',
    );
    // Pipelines are not in the fleet: their health comes from the summary route.
    expect(pipelineDoc.health).toEqual(expect.any(String));
    expect(entityDocs.find(d => d.mlopsKind === 'experiment')!.location).toBe(
      '/catalog/default/resource/fraud-detection-experiments/mlops',
    );
  });

  it('indexes every triage guide entry, linking to it on the MLOps page', async () => {
    const { documents } = await collate();
    const entries = documents.filter(d => d.mlopsKind === 'triage-entry');
    expect(entries).toHaveLength(TRIAGE_ENTRIES.length);
    expect(
      entries.find(d => d.triageEntryId === 'pod-crash-loop-backoff'),
    ).toMatchObject({
      title: 'Pod in CrashLoopBackOff',
      location: '/mlops?tab=guide&entry=pod-crash-loop-backoff',
      category: 'kubernetes',
    });
  });

  it('lets the search engine find a failure reason and a model by name', async () => {
    const { factory } = await collate();
    const search = await searchIndexOf(factory);
    expect((await search('CrashLoopBackOff'))[0]).toBe(
      'Pod in CrashLoopBackOff',
    );
    expect(await search('fraud-detection')).toContain('Fraud detection');
    expect(await search('OOMKilled')).not.toEqual([]);
  });

  it('still indexes entities and the guide when the MLOps backend is down', async () => {
    const down = {
      fleet: async () => {
        throw new Error('connect ECONNREFUSED');
      },
      health: async () => {
        throw new Error('connect ECONNREFUSED');
      },
    } as unknown as MlopsApiReader;
    const { documents } = await collate(down);
    const model = documents.find(d => d.mlopsKind === 'model')!;
    expect(model.title).toBe('Fraud detection');
    expect(model.health).toBeUndefined();
    expect(documents.filter(d => d.mlopsKind === 'triage-entry')).toHaveLength(
      TRIAGE_ENTRIES.length,
    );
  });
});
