import { Knex } from 'knex';

/** Asks the database a trivial question; throws when it cannot answer. */
export async function pingDatabase(db: Knex): Promise<void> {
  await db.raw('select 1');
}
