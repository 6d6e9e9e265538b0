import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';

/**
 * The databases every store test runs on: SQLite always, PostgreSQL when
 * `BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING` points at a server
 * (`npm test` sets it when one answers on 127.0.0.1:5432).
 */
export function createTestDatabases(): TestDatabases {
  const ids: TestDatabaseId[] = ['SQLITE_3'];
  if (process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING) {
    ids.push('POSTGRES_15');
  }
  return TestDatabases.create({ ids });
}
