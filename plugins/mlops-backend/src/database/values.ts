/*
 * Reading values back from the two databases every store runs on: they
 * return the same column in different shapes, so each idea is read in one
 * place here rather than once per store.
 */

const ZONED = /(?:[zZ]|[+-]\d\d:?\d\d)$/;
const SQL_DATETIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/;

/**
 * Reads a timestamp column: PostgreSQL returns a Date; SQLite returns what
 * was written, the epoch milliseconds knex writes (as a number or digits) or
 * text. Text without a zone, as SQLite's CURRENT_TIMESTAMP writes it, is UTC.
 * Undefined for null and for anything that is not a time.
 */
export function readTimestamp(value: unknown): Date | undefined {
  if (value === null || value === undefined) {
    return undefined;
  }
  if (value instanceof Date) {
    return value;
  }
  let date: Date;
  if (typeof value === 'number') {
    date = new Date(value);
  } else {
    const text = String(value).trim();
    if (/^\d+(?:\.\d+)?$/.test(text)) {
      date = new Date(Number(text));
    } else if (SQL_DATETIME.test(text) && !ZONED.test(text)) {
      date = new Date(`${text.replace(' ', 'T')}Z`);
    } else {
      date = new Date(text);
    }
  }
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** {@link readTimestamp} as an ISO 8601 string. */
export function readIso(value: unknown): string | undefined {
  return readTimestamp(value)?.toISOString();
}

/**
 * A NOT NULL timestamp column as an ISO 8601 string. The stores always write
 * one; a row edited by hand into something else reads as the epoch, so one
 * bad row does not fail a whole list.
 */
export function readRequiredIso(value: unknown): string {
  return (readTimestamp(value) ?? new Date(0)).toISOString();
}

/**
 * True when a write failed on a unique constraint (PostgreSQL 23505, SQLite
 * SQLITE_CONSTRAINT_UNIQUE or PRIMARYKEY), and on no other constraint: a
 * NOT NULL or foreign key failure is not "already exists".
 */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    /UNIQUE constraint failed/.test(String(e?.message))
  );
}

/**
 * A tags column: a JSON object of strings. Anything else (empty, not JSON,
 * not an object) reads as no tags rather than failing the read.
 */
export function readJsonTags(value: unknown): Record<string, string> {
  if (typeof value !== 'string' || value === '') {
    return {};
  }
  try {
    const parsed = JSON.parse(value);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return Object.fromEntries(
        Object.entries(parsed).map(([k, v]) => [k, String(v ?? '')]),
      );
    }
  } catch {
    // Not JSON: no tags, as above.
  }
  return {};
}

/**
 * Most values one `whereIn` binds. SQLite caps bound variables per statement
 * (32,766 in the build better-sqlite3 ships, 999 in older ones) and long IN
 * lists plan badly on PostgreSQL, so bulk lookups ask in slices of this size.
 */
export const WHERE_IN_CHUNK = 500;

/** `items` in consecutive slices of at most `size` (for bulk lookups). */
export function inChunks<T>(items: readonly T[], size = WHERE_IN_CHUNK): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    chunks.push(items.slice(start, start + size));
  }
  return chunks;
}
