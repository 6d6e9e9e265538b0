import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import path from 'path';

const migrationsDir = resolvePackagePath(
  '@backstage-mlops/plugin-mlops-backend',
  'migrations',
);

// Only the migrations this capability depends on, so its tests do not break
// while other capabilities' migrations are being written.
const NEEDED = [
  '20261122090000_init.js',
  '20261125150000_incidents.js',
  '20261203144500_health_latest_checks.js',
  '20261203151500_incident_notifications.js',
];

/** Brings a test database to the schema the incidents code needs. */
export async function migrateForIncidents(knex: Knex): Promise<void> {
  await knex.migrate.latest({
    migrationSource: {
      getMigrations: async () => NEEDED,
      getMigrationName: (name: string) => name,
      getMigration: async (name: string) =>
        require(path.join(migrationsDir, name)),
    },
  });
}
