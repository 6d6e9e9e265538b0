import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import path from 'path';

/** The migrations tracking depends on: the first schema and its own. */
const TRACKING_MIGRATIONS = ['20261122090000_init.js', '20261125100000_tracking.js'];

/**
 * Brings a test database up to the tracking schema only, so the tracking
 * tests exercise the tracking tables whatever state other capabilities'
 * migrations are in.
 */
export async function migrateTracking(knex: Knex): Promise<void> {
  const dir = resolvePackagePath('@backstage-mlops/plugin-mlops-backend', 'migrations');
  await knex.migrate.latest({
    migrationSource: {
      getMigrations: async () => TRACKING_MIGRATIONS,
      getMigrationName: (name: string) => name,
      getMigration: async (name: string) => require(path.join(dir, name)),
    },
  });
}
