import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import path from 'path';

const migrationsDir = resolvePackagePath(
  '@backstage-mlops/plugin-mlops-backend',
  'migrations',
);

/**
 * Runs only the named migrations (tests): the deployments and pipelines tests
 * need the objects schema and their own tables, and should not fail because
 * an unrelated capability's migration is half-written.
 */
export async function migrateOnly(knex: Knex, names: string[]): Promise<void> {
  await knex.migrate.latest({ migrationSource: sourceOf(names) });
}

/** Undoes the newest of the named migrations (tests). */
export async function migrateDownOnly(
  knex: Knex,
  names: string[],
): Promise<void> {
  await knex.migrate.down({ migrationSource: sourceOf(names) });
}

function sourceOf(names: string[]) {
  return {
    getMigrations: async () => names,
    getMigrationName: (name: string) => name,
    getMigration: async (name: string) =>
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(path.join(migrationsDir, name)),
  };
}

/** The migrations the deployments and pipelines capabilities stand on. */
export const DEPLOYMENT_MIGRATIONS = [
  '20261122090000_init.js',
  '20261125140000_deployments.js',
];

/** The migrations the pipelines capability stands on. */
export const PIPELINE_MIGRATIONS = [
  '20261122090000_init.js',
  '20261125140500_pipelines.js',
  '20261203153000_observed_pipeline_runs.js',
];
