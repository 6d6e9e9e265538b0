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
    await withMigrationLock(knex, () =>
      knex.migrate.latest({ directory: migrationsDir }),
    );
  }
  return knex;
}

// Any constant works: advisory locks are scoped to the plugin's database.
const MIGRATION_LOCK_KEY = 0x6d6c6f7073; // "mlops"

/**
 * knex creates its migration tables without a lock, so two replicas starting
 * together on an empty PostgreSQL database both try to and one of them fails
 * to start ("relation knex_migrations already exists"). A transaction-scoped
 * advisory lock, held on one pooled connection while the migrations run on
 * others, lets one replica migrate while the other waits and then finds
 * nothing to do. SQLite has a single writer per file and needs none.
 */
async function withMigrationLock<T>(
  knex: Knex,
  fn: () => Promise<T>,
): Promise<T> {
  if (String(knex.client.config.client) !== 'pg') {
    return fn();
  }
  return knex.transaction(async tx => {
    await tx.raw('select pg_advisory_xact_lock(?)', [MIGRATION_LOCK_KEY]);
    return fn();
  });
}

/** Runs the plugin's migrations on a bare knex client (tests, tools). */
export async function migrateMlopsDatabase(knex: Knex): Promise<void> {
  await knex.migrate.latest({ directory: migrationsDir });
}

/** Rolls every migration back (migration tests). */
export async function rollbackMlopsDatabase(knex: Knex): Promise<void> {
  await knex.migrate.rollback({ directory: migrationsDir }, true);
}
