import { Knex } from 'knex';

/*
 * Transactions that span stores. A service that writes through several
 * stores in one commit (the sources' sync) holds the database only as a
 * `Transactor`: it can open a transaction and hand it to the store methods
 * that take one, but not query through it (stores own the SQL).
 */

/** The part of the database a service may hold: opening a transaction. */
export type Transactor = Pick<Knex, 'transaction'>;

/** An open transaction, for the store methods that write inside one. */
export type StoreTransaction = Knex.Transaction;

/**
 * Runs `work` in one transaction: committed when it resolves, rolled back
 * when it rejects.
 */
export function inTransaction<T>(
  db: Transactor,
  work: (tx: StoreTransaction) => Promise<T>,
): Promise<T> {
  return db.transaction(work);
}
