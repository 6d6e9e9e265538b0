/**
 * Reads a timestamp column: PostgreSQL returns a Date, SQLite the epoch
 * milliseconds knex wrote (or an ISO string for values written as text).
 */
export function readTimestamp(value: unknown): Date | undefined {
  if (value === null || value === undefined) {
    return undefined;
  }
  if (value instanceof Date) {
    return value;
  }
  if (typeof value === 'number') {
    return new Date(value);
  }
  const text = String(value);
  return /^\d+$/.test(text) ? new Date(Number(text)) : new Date(text);
}

/** {@link readTimestamp} as an ISO 8601 string. */
export function readIso(value: unknown): string | undefined {
  return readTimestamp(value)?.toISOString();
}

/**
 * True when a write failed on a unique constraint (PostgreSQL 23505, SQLite
 * SQLITE_CONSTRAINT_UNIQUE or PRIMARYKEY).
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}
