import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const directory = resolvePackagePath(
  '@backstage-mlops/plugin-mlops-backend',
  'migrations',
);

const REGISTRY_MIGRATIONS = [
  '20261122090000_init.js',
  // Tracking owns the runs that versions snapshot.
  '20261125100000_tracking.js',
  '20261125110000_registry.js',
];

/**
 * Runs only the migrations the registry builds on (the initial schema,
 * tracking's runs and its own), so registry tests do not depend on other
 * capabilities' schemas.
 */
export async function migrateRegistryOnly(knex: Knex): Promise<void> {
  for (const name of REGISTRY_MIGRATIONS) {
    await knex.migrate.up({ directory, name });
  }
}

/** Undoes {@link migrateRegistryOnly}, newest first. */
export async function rollbackRegistryOnly(knex: Knex): Promise<void> {
  for (const name of [...REGISTRY_MIGRATIONS].reverse()) {
    await knex.migrate.down({ directory, name });
  }
}
