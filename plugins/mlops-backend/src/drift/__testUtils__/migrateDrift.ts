import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const directory = resolvePackagePath(
  '@backstage-mlops/plugin-mlops-backend',
  'migrations',
);

/**
 * Applies only the migrations the drift capability depends on (the objects'
 * first schema and its own), so its tests do not depend on the state of
 * other capabilities' migrations.
 */
export async function migrateDriftTables(knex: Knex): Promise<void> {
  for (const name of ['20261122090000_init.js', '20261125120000_drift.js']) {
    await knex.migrate.up({ directory, name });
  }
}

/** Registers models the way the registry would, for tests. */
export async function insertModels(knex: Knex, names: string[]) {
  const now = new Date();
  for (const name of names) {
    await knex('mlops_registered_models').insert({
      name,
      created_at: now,
      updated_at: now,
    });
  }
}

/** Reverts the drift migration only. */
export async function rollbackDriftMigration(knex: Knex): Promise<void> {
  await knex.migrate.down({ directory, name: '20261125120000_drift.js' });
}
