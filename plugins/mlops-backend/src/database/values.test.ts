import { createTestDatabases } from '../__testUtils__/databases';
import {
  isUniqueViolation,
  readIso,
  readJsonTags,
  readTimestamp,
} from './values';

jest.setTimeout(60_000);

/*
 * What the stores read back from each database: a time written by knex, by
 * the database itself, and the errors of its constraints.
 */
describe('reading values back', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'reads the times and constraint errors of %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await knex.schema.createTable('values_probe', table => {
        table.string('name').primary();
        table.string('kind').notNullable();
        table.timestamp('written_at', { useTz: true }).nullable();
        table
          .timestamp('defaulted_at', { useTz: true })
          .notNullable()
          .defaultTo(knex.fn.now());
      });
      const written = new Date('2026-03-04T05:06:07.089Z');
      const before = Date.now();
      await knex('values_probe').insert({
        name: 'a',
        kind: 'model',
        written_at: written,
      });
      const row = await knex('values_probe').where({ name: 'a' }).first();

      expect(readIso(row.written_at)).toBe(written.toISOString());
      // The database's own clock, written in its own format (SQLite's has
      // no zone and means UTC): within a few seconds of the insert.
      const defaulted = readTimestamp(row.defaulted_at)!.getTime();
      expect(Math.abs(defaulted - before)).toBeLessThan(5_000);

      const duplicate = await knex('values_probe')
        .insert({ name: 'a', kind: 'model' })
        .catch(error => error);
      expect(isUniqueViolation(duplicate)).toBe(true);
      const missingKind = await knex('values_probe')
        .insert({ name: 'b', kind: null })
        .catch(error => error);
      // A NOT NULL failure (instanceof would not do: the driver's error
      // classes come from outside Jest's realm).
      expect(String(missingKind?.code)).toMatch(
        /^(?:23502|SQLITE_CONSTRAINT_NOTNULL)$/,
      );
      expect(isUniqueViolation(missingKind)).toBe(false);
    },
  );

  it('reads what is not a time as no time, and bad tags as no tags', () => {
    expect(readTimestamp('not a time')).toBeUndefined();
    expect(readTimestamp(null)).toBeUndefined();
    expect(readIso('1767225600000')).toBe('2026-01-01T00:00:00.000Z');
    expect(readJsonTags('{"team":"risk","n":3}')).toEqual({
      team: 'risk',
      n: '3',
    });
    expect(readJsonTags('[1,2]')).toEqual({});
    expect(readJsonTags('{not json')).toEqual({});
  });
});
