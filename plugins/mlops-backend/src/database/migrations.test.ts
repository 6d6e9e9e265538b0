import { createTestDatabases } from '../__testUtils__/databases';
import { migrateMlopsDatabase, rollbackMlopsDatabase } from './migrations';

jest.setTimeout(60_000);

describe('migrations', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'create the store tables and remove them again, %p',
    async databaseId => {
      const knex = await databases.init(databaseId);

      await migrateMlopsDatabase(knex);
      for (const table of [
        'mlops_experiments',
        'mlops_pipelines',
        'mlops_registered_models',
      ]) {
        expect(await knex.schema.hasTable(table)).toBe(true);
      }

      await rollbackMlopsDatabase(knex);
      expect(await knex.schema.hasTable('mlops_registered_models')).toBe(
        false,
      );
      await knex.destroy();
    },
  );
});
