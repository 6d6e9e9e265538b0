import { MAX_SOURCE_PAGES, readSourcePages } from './sourcePaging';

const items = Array.from({ length: 25 }, (_, i) => ({ id: `r${i}` }));

describe('readSourcePages', () => {
  it('reads to the total, or to a short page when there is no total', async () => {
    const offsets: number[] = [];
    const withTotal = await readSourcePages({
      source: 'Test',
      keyOf: (i: { id: string }) => i.id,
      page: async offset => {
        offsets.push(offset);
        return { items: items.slice(offset, offset + 10), total: items.length };
      },
    });
    expect(withTotal).toHaveLength(25);
    expect(offsets).toEqual([0, 10, 20]);

    const bare = await readSourcePages({
      source: 'Test',
      keyOf: (i: { id: string }) => i.id,
      limit: 10,
      page: async offset => ({ items: items.slice(offset, offset + 10) }),
    });
    expect(bare.map(i => i.id)).toEqual(items.map(i => i.id));
  });

  it('stops with an error when a page repeats an earlier one', async () => {
    await expect(
      readSourcePages({
        source: 'Test',
        keyOf: (i: { id: string }) => i.id,
        limit: 10,
        page: async () => ({ items: items.slice(0, 10) }),
      }),
    ).rejects.toThrow(
      'Test answered offset 10 with a page it had already sent',
    );
  });

  it('gives up after the page limit and when its signal is aborted', async () => {
    let n = 0;
    await expect(
      readSourcePages({
        source: 'Test',
        keyOf: (i: { id: string }) => i.id,
        limit: 1,
        page: async () => ({ items: [{ id: `x${n++}` }] }),
      }),
    ).rejects.toThrow(`did not end after ${MAX_SOURCE_PAGES} pages`);
    const controller = new AbortController();
    controller.abort();
    await expect(
      readSourcePages({
        source: 'Test',
        signal: controller.signal,
        keyOf: (i: { id: string }) => i.id,
        page: async () => ({ items: [] }),
      }),
    ).rejects.toThrow(/time ran out/);
  });
});
