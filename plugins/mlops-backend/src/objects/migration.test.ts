import path from 'path';
import { createTestDatabases } from '../__testUtils__/databases';
import { migrateMlopsDatabase } from '../database/migrations';

jest.setTimeout(60_000);

const directory = path.resolve(__dirname, '../../migrations');
const OBJECTS_MIGRATION = '20261125160000_objects.js';

describe('objects migration', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'adds the serving URL and pipeline tags, and takes only them away again, %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateMlopsDatabase(knex);
      expect(
        await knex.schema.hasColumn('mlops_registered_models', 'serving_url'),
      ).toBe(true);
      expect(await knex.schema.hasColumn('mlops_pipelines', 'tags')).toBe(true);
      await knex('mlops_pipelines').insert({
        name: 'p',
        created_at: new Date(),
        updated_at: new Date(),
      });
      expect((await knex('mlops_pipelines').first()).tags).toBe('{}');

      await knex.migrate.down({ directory, name: OBJECTS_MIGRATION });
      expect(
        await knex.schema.hasColumn('mlops_registered_models', 'serving_url'),
      ).toBe(false);
      expect(await knex.schema.hasColumn('mlops_pipelines', 'tags')).toBe(
        false,
      );
      // The rows and the tables of the first schema stay.
      expect(await knex('mlops_pipelines').pluck('name')).toEqual(['p']);
      await knex.destroy();
    },
  );
});
