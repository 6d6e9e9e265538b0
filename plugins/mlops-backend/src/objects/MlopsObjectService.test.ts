import { mockServices } from '@backstage/backend-test-utils';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { createTestDatabases } from '../__testUtils__/databases';
import { migrateMlopsDatabase } from '../database/migrations';
import { MlopsObjectService } from './MlopsObjectService';
import { MlopsObjectStore } from './MlopsObjectStore';
import { ObjectChangeNotifier } from '../shared/ObjectChangeNotifier';

jest.setTimeout(60_000);

const registration = {
  owner: 'group:default/risk-ml',
  pipeline: {
    name: 'churn-training',
    orchestrator: 'airflow' as const,
    schedule: '0 3 * * *',
    stages: ['extract', 'train'],
  },
  experiment: { name: 'churn', description: 'Churn experiments' },
  model: {
    name: 'churn',
    description: 'Predicts churn',
    servingUrl: 'https://churn.example.com',
    tags: { tabular: 'true' },
  },
};

describe('MlopsObjectService', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    async function setup() {
      const knex = await databases.init(databaseId);
      await migrateMlopsDatabase(knex);
      const store = new MlopsObjectStore(knex);
      const published: unknown[] = [];
      const notifier = new ObjectChangeNotifier({
        logger: mockServices.logger.mock(),
        events: {
          publish: async (params: any) => {
            published.push(params);
          },
          subscribe: async () => {},
        },
      });
      const production = new Map<string, number>();
      const service = new MlopsObjectService({
        store,
        notifier,
        appBaseUrl: 'http://portal.example.com/',
        registry: {
          productionVersion: async (model: string) =>
            production.has(model)
              ? { version: production.get(model)!, metrics: {} }
              : undefined,
        },
      });
      return { knex, store, service, notifier, published, production };
    }

    it('registers pipeline, experiment and model once, however often it is called', async () => {
      const { knex, service, notifier, published } = await setup();
      const first = await service.registerPipeline(registration);
      const second = await service.registerPipeline(registration);

      expect(second.model.id).toBe(first.model.id);
      expect(second.pipeline.id).toBe(first.pipeline.id);
      expect(second.experiment.id).toBe(first.experiment.id);
      expect(
        Number((await knex('mlops_registered_models').count({ n: '*' }))[0].n),
      ).toBe(1);
      expect(first.model).toMatchObject({
        kind: 'model',
        name: 'churn',
        owner: 'group:default/risk-ml',
        description: 'Predicts churn',
        tags: { tabular: 'true' },
        pipelineName: 'churn-training',
        experimentName: 'churn',
        inProduction: false,
        links: {
          mlopsPage: 'http://portal.example.com/mlops/models/churn',
          servingUrl: 'https://churn.example.com',
          trackingUi: 'http://portal.example.com/mlops/experiments/churn',
        },
      });
      expect(first.pipeline).toMatchObject({
        orchestrator: 'airflow',
        schedule: '0 3 * * *',
        experimentName: 'churn',
      });
      // Both registrations' announcements went out as one event, each
      // object once, in the order registration wrote them.
      await notifier.flush();
      expect(published).toEqual([
        {
          topic: 'mlops.objects',
          eventPayload: {
            changes: [
              { action: 'upserted', kind: 'experiment', name: 'churn' },
              { action: 'upserted', kind: 'pipeline', name: 'churn-training' },
              { action: 'upserted', kind: 'model', name: 'churn' },
            ],
          },
        },
      ]);
    });

    it('keeps stored fields that a later registration leaves out', async () => {
      const { service } = await setup();
      await service.registerPipeline(registration);
      const again = await service.registerPipeline({
        owner: registration.owner,
        pipeline: { name: 'churn-training' },
        experiment: { name: 'churn' },
        model: { name: 'churn', tags: { owner_team: 'risk' } },
      });
      expect(again.model.description).toBe('Predicts churn');
      expect(again.model.tags).toEqual({ tabular: 'true', owner_team: 'risk' });
      expect(again.pipeline.orchestrator).toBe('airflow');
    });

    it('refuses to take over an object another team owns, changing nothing', async () => {
      const { service, store } = await setup();
      await store.upsert('model', {
        name: 'churn',
        owner: 'group:default/support-ml',
      });
      await expect(service.registerPipeline(registration)).rejects.toThrow(
        ConflictError,
      );
      expect(await store.get('pipeline', 'churn-training')).toBeUndefined();
      expect(await store.get('experiment', 'churn')).toBeUndefined();
    });

    it('marks a model with a Production version and what trains it as in production', async () => {
      const { service, production, store } = await setup();
      await service.registerPipeline(registration);
      await store.upsert('model', { name: 'idle', owner: 'group:default/x' });
      production.set('churn', 4);

      const objects = await service.listObjects();
      const byKey = new Map(objects.map(o => [`${o.kind}:${o.name}`, o]));
      expect(byKey.get('model:churn')).toMatchObject({
        inProduction: true,
        productionVersion: 4,
      });
      expect(byKey.get('pipeline:churn-training')!.inProduction).toBe(true);
      expect(byKey.get('experiment:churn')!.inProduction).toBe(true);
      expect(byKey.get('model:idle')!.inProduction).toBe(false);
      expect(
        (await service.getObject('experiment', 'churn')).inProduction,
      ).toBe(true);
      expect(
        (await service.getObject('pipeline', 'churn-training')).inProduction,
      ).toBe(true);
    });

    it('deletes an object and announces it, or answers not found', async () => {
      const { service, notifier, published } = await setup();
      await service.registerPipeline(registration);
      await notifier.flush();
      published.length = 0;
      await service.deleteObject('pipeline', 'churn-training');
      await notifier.flush();
      expect(published).toEqual([
        {
          topic: 'mlops.objects',
          eventPayload: {
            changes: [
              { action: 'deleted', kind: 'pipeline', name: 'churn-training' },
            ],
          },
        },
      ]);
      await expect(
        service.getObject('pipeline', 'churn-training'),
      ).rejects.toThrow(NotFoundError);
      await expect(
        service.deleteObject('pipeline', 'churn-training'),
      ).rejects.toThrow(NotFoundError);
    });
  });
});
