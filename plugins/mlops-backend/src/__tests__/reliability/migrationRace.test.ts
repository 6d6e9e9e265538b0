import { DatabaseService } from '@backstage/backend-plugin-api';
import createKnex, { Knex } from 'knex';
import { createTestDatabases } from '../../__testUtils__/databases';
import { openMlopsDatabase } from '../../database/migrations';

jest.setTimeout(120_000);

const databases = createTestDatabases();

function databaseService(knex: Knex): DatabaseService {
  return { getClient: async () => knex, migrations: { skip: false } };
}

async function migrationRows(knex: Knex) {
  const rows: Array<{ name: string }> = await knex('knex_migrations').select(
    'name',
  );
  return rows.map(row => row.name);
}

describe('openMlopsDatabase', () => {
  it.each(databases.eachSupportedId())(
    'migrates an empty database once and is a no-op the second time, %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await openMlopsDatabase(databaseService(knex));
      const first = await migrationRows(knex);
      await openMlopsDatabase(databaseService(knex));
      const second = await migrationRows(knex);
      expect(first.length).toBeGreaterThan(0);
      expect(second).toEqual(first);
      expect(await knex.schema.hasTable('mlops_incidents')).toBe(true);
    },
  );

  // Two replicas starting together on one PostgreSQL database: two
  // separate connection pools run the migrations at the same moment. knex
  // alone lets one of them fail on creating its migration tables.
  const postgres = databases
    .eachSupportedId()
    .filter(([id]) => id.startsWith('POSTGRES'));
  if (postgres.length > 0) {
    it.each(postgres)(
      'lets two replicas migrate one empty database at once, %p',
      async databaseId => {
        const knex = await databases.init(databaseId);
        const { connection } = knex.client.config;
        const replicas = [1, 2, 3].map(() =>
          createKnex({ client: 'pg', connection, pool: { min: 0, max: 4 } }),
        );
        try {
          const outcomes = await Promise.allSettled(
            replicas.map(replica =>
              openMlopsDatabase(databaseService(replica)),
            ),
          );
          expect(outcomes.map(o => o.status)).toEqual([
            'fulfilled',
            'fulfilled',
            'fulfilled',
          ]);
          const names = await migrationRows(knex);
          expect(new Set(names).size).toBe(names.length);
          expect(await knex.schema.hasTable('mlops_incidents')).toBe(true);
        } finally {
          await Promise.all(replicas.map(replica => replica.destroy()));
        }
      },
    );
  }
});
