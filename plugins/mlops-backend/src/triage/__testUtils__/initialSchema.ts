import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

/**
 * Applies only the first migration (the object tables triage and the fleet
 * read), so these tests do not depend on the schema of other capabilities.
 */
export async function migrateInitialSchema(knex: Knex): Promise<void> {
  await knex.migrate.up({
    directory: resolvePackagePath(
      '@backstage-mlops/plugin-mlops-backend',
      'migrations',
    ),
    name: '20261122090000_init.js',
  });
}
