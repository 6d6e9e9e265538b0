/** Pages a listing is read for at most before the read gives up. */
export const MAX_SOURCE_PAGES = 1_000;

/**
 * Reads every page of an offset-paged listing of a source, for the source
 * modules (Airflow, Prefect…). It stops at the end (`total` reached, an
 * empty page, or a page shorter than `limit` when the upstream gives no
 * total), and throws when a page brings nothing new — a server that ignores
 * the offset would otherwise be read forever — or after
 * {@link MAX_SOURCE_PAGES} pages. Items are kept by `keyOf`, so an item that
 * moved between two pages is read once.
 *
 * @public
 */
export async function readSourcePages<T>(options: {
  /** Names the upstream in errors, e.g. `Airflow`. */
  source: string;
  signal?: AbortSignal;
  keyOf: (item: T) => string;
  /** Items per page the caller asks for; a shorter page is the last. */
  limit?: number;
  page: (offset: number) => Promise<{ items: T[]; total?: number }>;
}): Promise<T[]> {
  const seen = new Map<string, T>();
  let offset = 0;
  for (let pages = 0; pages < MAX_SOURCE_PAGES; pages++) {
    if (options.signal?.aborted) {
      throw new Error(`${options.source} sync stopped: its time ran out`);
    }
    const { items, total } = await options.page(offset);
    let fresh = 0;
    for (const item of items) {
      const key = options.keyOf(item);
      if (!seen.has(key)) {
        fresh++;
      }
      seen.set(key, item);
    }
    offset += items.length;
    const ended =
      items.length === 0 ||
      (total !== undefined
        ? offset >= total
        : options.limit === undefined || items.length < options.limit);
    if (ended) {
      return [...seen.values()];
    }
    if (fresh === 0) {
      throw new Error(
        `${options.source} answered offset ${
          offset - items.length
        } with a page it had already sent; stopped reading`,
      );
    }
  }
  throw new Error(
    `${options.source} listing did not end after ${MAX_SOURCE_PAGES} pages`,
  );
}
