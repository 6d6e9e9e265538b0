import { createTestDatabases } from '../__testUtils__/databases';
import { migrateMlopsDatabase } from '../database/migrations';
import { MlopsObjectStore } from './MlopsObjectStore';

jest.setTimeout(60_000);

describe('MlopsObjectStore', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'upserts objects by name and reports which exist, %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateMlopsDatabase(knex);
      const store = new MlopsObjectStore(knex);

      await store.upsert('model', {
        name: 'fraud-detection',
        owner: 'group:default/risk-ml',
        pipelineName: 'fraud-detection-training',
      });
      await store.upsert('model', {
        name: 'fraud-detection',
        owner: 'group:default/support-ml',
        description: 'changed owner',
      });
      await store.upsert('pipeline', {
        name: 'fraud-detection-training',
        orchestrator: 'prefect',
        stages: ['ingest', 'train'],
      });

      expect(await store.count('model')).toBe(1);
      const row = await knex('mlops_registered_models').first();
      expect(row.owner).toBe('group:default/support-ml');
      expect(row.description).toBe('changed owner');
      expect(
        JSON.parse((await knex('mlops_pipelines').first()).stages),
      ).toEqual(['ingest', 'train']);
      expect(
        await store.existingNames('model', ['fraud-detection', 'nope']),
      ).toEqual(new Set(['fraud-detection']));
      expect(await store.existingNames('experiment', [])).toEqual(new Set());
      await knex.destroy();
    },
  );
});
