import { InputError } from '@backstage/errors';
import { createHash } from 'crypto';

/*
 * Page tokens of the searches that page by offset. A token names the search
 * it was issued for, so a token replayed with another filter or order is a
 * clear 400 instead of a page of some other result. Clients treat tokens as
 * opaque, as MLflow's own are.
 */

/** A short digest of a search's defining parts. */
export function searchFingerprint(parts: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(parts))
    .digest('base64url')
    .slice(0, 16);
}

/** An offset page token bound to one search, as in the registry searches. */
export function encodeOffset(fingerprint: string, offset: number): string {
  return Buffer.from(JSON.stringify({ f: fingerprint, o: offset })).toString(
    'base64url',
  );
}

/** Reads a token of {@link encodeOffset}; a token of another search is refused. */
export function decodeOffset(token: string, fingerprint: string): number {
  let cursor: any;
  try {
    cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    cursor = undefined;
  }
  if (!cursor || !Number.isSafeInteger(cursor.o) || cursor.o < 0) {
    throw new InputError('The page token is not one this server issued');
  }
  if (cursor.f !== fingerprint) {
    throw new InputError(
      'The page token belongs to a different search; start again without it',
    );
  }
  return cursor.o;
}
