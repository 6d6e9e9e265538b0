import { createTestDatabases } from '../__testUtils__/databases';
import {
  migrateRegistryOnly,
  rollbackRegistryOnly,
} from './__testUtils__/migrateRegistry';

jest.setTimeout(60_000);

describe('registry migration', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'adds the registry tables and the version counter, and removes them again, %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateRegistryOnly(knex);
      for (const table of [
        'mlops_model_versions',
        'mlops_model_aliases',
        'mlops_model_history',
      ]) {
        expect(await knex.schema.hasTable(table)).toBe(true);
      }
      expect(
        await knex.schema.hasColumn(
          'mlops_registered_models',
          'latest_version',
        ),
      ).toBe(true);

      await rollbackRegistryOnly(knex);
      expect(await knex.schema.hasTable('mlops_model_versions')).toBe(false);
      expect(await knex.schema.hasTable('mlops_registered_models')).toBe(false);
      await knex.destroy();
    },
  );
});
