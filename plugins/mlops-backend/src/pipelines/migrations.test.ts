import { createTestDatabases } from '../__testUtils__/databases';
import { migrateDownOnly, migrateOnly } from '../deployments/migrateForTests';

jest.setTimeout(60_000);

const MIGRATIONS = [
  '20261122090000_init.js',
  '20261125140000_deployments.js',
  '20261125140500_pipelines.js',
];

describe('deployments and pipelines migrations', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'add their tables and the SLA column, and remove them again, %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateOnly(knex, MIGRATIONS);
      for (const table of [
        'mlops_deployments',
        'mlops_pipeline_runs',
        'mlops_pipeline_run_stages',
      ]) {
        expect(await knex.schema.hasTable(table)).toBe(true);
      }
      expect(
        await knex.schema.hasColumn('mlops_pipelines', 'sla_minutes'),
      ).toBe(true);

      await migrateDownOnly(knex, MIGRATIONS);
      expect(await knex.schema.hasTable('mlops_pipeline_runs')).toBe(false);
      expect(await knex.schema.hasTable('mlops_pipeline_run_stages')).toBe(
        false,
      );
      expect(
        await knex.schema.hasColumn('mlops_pipelines', 'sla_minutes'),
      ).toBe(false);
      expect(
        await knex.schema.hasColumn('mlops_pipelines', 'stale_since'),
      ).toBe(false);
      expect(await knex.schema.hasTable('mlops_deployments')).toBe(true);

      await migrateDownOnly(knex, MIGRATIONS);
      expect(await knex.schema.hasTable('mlops_deployments')).toBe(false);
      expect(await knex.schema.hasTable('mlops_pipelines')).toBe(true);
      await knex.destroy();
    },
  );
});
