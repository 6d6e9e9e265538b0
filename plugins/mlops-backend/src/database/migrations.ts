import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@backstage-mlops/plugin-mlops-backend',
  'migrations',
);

/**
 * Opens the plugin's database and brings its schema up to date, unless the
 * operator manages migrations outside the backend
 * (`backend.database.migrations.skip`).
 */
export async function openMlopsDatabase(
  database: DatabaseService,
): Promise<Knex> {
  const knex = await database.getClient();
  if (!database.migrations?.skip) {
    await knex.migrate.latest({ directory: migrationsDir });
  }
  return knex;
}

/** Runs the plugin's migrations on a bare knex client (tests, tools). */
export async function migrateMlopsDatabase(knex: Knex): Promise<void> {
  await knex.migrate.latest({ directory: migrationsDir });
}

/** Rolls every migration back (migration tests). */
export async function rollbackMlopsDatabase(knex: Knex): Promise<void> {
  await knex.migrate.rollback({ directory: migrationsDir }, true);
}
