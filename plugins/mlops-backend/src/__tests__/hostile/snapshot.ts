import { createHash } from 'crypto';
import { Knex } from 'knex';

/** Row count and content hash of one table. */
export interface TableSnapshot {
  rows: number;
  sha256: string;
}

/** Names of every `mlops_*` table of the database. */
export async function mlopsTables(knex: Knex): Promise<string[]> {
  const client = knex.client.config.client as string;
  const rows: Array<{ name: string }> = client.includes('sqlite')
    ? await knex('sqlite_master')
        .where('type', 'table')
        .andWhere('name', 'like', 'mlops%')
        .select('name')
    : await knex('information_schema.tables')
        .whereRaw('table_schema = current_schema()')
        .andWhere('table_name', 'like', 'mlops%')
        .select({ name: 'table_name' });
  return rows
    .map(r => r.name)
    .filter(n => n.startsWith('mlops_'))
    .sort();
}

function canonical(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Buffer.isBuffer(value)) return JSON.stringify(value.toString('base64'));
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && !Number.isFinite(value))
    return String(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map(k => `${JSON.stringify(k)}:${canonical((value as any)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/**
 * Every `mlops_*` table's row count and a hash of its rows in a fixed order
 * (rows are serialised with sorted keys, then sorted), so any insert, update
 * or delete shows.
 */
export async function snapshotDatabase(
  knex: Knex,
): Promise<Record<string, TableSnapshot>> {
  const result: Record<string, TableSnapshot> = {};
  for (const table of await mlopsTables(knex)) {
    const rows = (await knex(table).select()).map(canonical).sort();
    result[table] = {
      rows: rows.length,
      sha256: createHash('sha256').update(rows.join('\n')).digest('hex'),
    };
  }
  return result;
}

/**
 * Waits until the database stops changing and returns its snapshot. Writes
 * such as prediction ingest ask the incidents capability for a debounced
 * health re-evaluation (2 s later), which records a check: the suite must
 * compare states with no such write still in flight.
 */
export async function settledSnapshot(
  knex: Knex,
  quietMs = 2_500,
): Promise<Record<string, TableSnapshot>> {
  let previous = await snapshotDatabase(knex);
  for (let attempt = 0; attempt < 8; attempt++) {
    await new Promise(resolve => setTimeout(resolve, quietMs));
    const current = await snapshotDatabase(knex);
    if (JSON.stringify(current) === JSON.stringify(previous)) {
      return current;
    }
    previous = current;
  }
  throw new Error(
    'The database kept changing while the suite waited for it to settle',
  );
}
