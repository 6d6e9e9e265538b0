import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const directory = resolvePackagePath(
  '@backstage-mlops/plugin-mlops-backend',
  'migrations',
);

/**
 * Runs only the migrations the registry builds on (the initial schema and its
 * own), so registry tests do not depend on other capabilities' schemas.
 */
export async function migrateRegistryOnly(knex: Knex): Promise<void> {
  for (const name of ['20261122090000_init.js', '20261125110000_registry.js']) {
    await knex.migrate.up({ directory, name });
  }
}

/** Undoes {@link migrateRegistryOnly}, newest first. */
export async function rollbackRegistryOnly(knex: Knex): Promise<void> {
  for (const name of ['20261125110000_registry.js', '20261122090000_init.js']) {
    await knex.migrate.down({ directory, name });
  }
}
