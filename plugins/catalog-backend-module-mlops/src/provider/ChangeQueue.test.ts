import { mockServices } from '@backstage/backend-test-utils';
import { MlopsObjectChangeEvent } from '@backstage-mlops/plugin-mlops-common';
import { ChangeQueue } from './ChangeQueue';

const model = (
  name: string,
  action: MlopsObjectChangeEvent['action'] = 'upserted',
): MlopsObjectChangeEvent => ({ action, kind: 'model', name });

/** A queue that records each batch it applies as `action name` lines. */
function recordingQueue(
  options: {
    fail?: (batch: MlopsObjectChangeEvent[]) => boolean;
    maxPending?: number;
    timing?: { quietMs: number; maxWaitMs: number };
  } = {},
) {
  const batches: string[][] = [];
  const logger = mockServices.logger.mock();
  const queue = new ChangeQueue(
    async batch => {
      if (options.fail?.(batch)) throw new Error('catalog unavailable');
      batches.push(batch.map(c => `${c.action} ${c.name}`));
    },
    logger,
    options.maxPending,
    options.timing,
  );
  return { queue, batches, logger, applied: () => batches.flat() };
}

describe('ChangeQueue', () => {
  it('returns before the change is applied, then applies it', async () => {
    const { queue, applied } = recordingQueue();
    queue.enqueue(model('churn'));
    expect(applied()).toEqual([]);
    await queue.idle();
    expect(applied()).toEqual(['upserted churn']);
  });

  it('keeps only the latest change of an object that changes again while it waits', async () => {
    const { queue, batches } = recordingQueue();
    queue.enqueue(model('churn'));
    queue.enqueue(model('fraud'));
    queue.enqueue(model('churn', 'deleted'));
    await queue.idle();
    expect(batches).toEqual([['upserted fraud', 'deleted churn']]);
  });

  it('applies a large burst a hundred changes at a time, in order', async () => {
    const { queue, batches, applied } = recordingQueue();
    const names = Array.from({ length: 250 }, (_, i) => `m${i}`);
    names.forEach(name => queue.enqueue(model(name)));
    await queue.idle();
    expect(batches.map(b => b.length)).toEqual([100, 100, 50]);
    expect(applied()).toEqual(names.map(name => `upserted ${name}`));
  });

  it('goes on after a failed batch and logs it', async () => {
    const { queue, applied, logger } = recordingQueue({
      fail: batch => batch[0].name === 'm0',
    });
    for (let i = 0; i < 150; i++) queue.enqueue(model(`m${i}`));
    await queue.idle();
    expect(applied()).toEqual(
      Array.from({ length: 50 }, (_, i) => `upserted m${i + 100}`),
    );
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('catalog unavailable'),
    );
  });

  it('leaves changes past its bound to the full refresh, warning once', async () => {
    const { queue, applied, logger } = recordingQueue({ maxPending: 2 });
    queue.enqueue(model('a'));
    queue.enqueue(model('b'));
    queue.enqueue(model('c'));
    queue.enqueue(model('d'));
    queue.enqueue(model('a', 'deleted')); // already waiting: still taken
    await queue.idle();
    expect(applied()).toEqual(['upserted b', 'deleted a']);
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  it('waits for a burst of changes to end, but not longer than its bound', async () => {
    const { queue, applied } = recordingQueue({
      maxPending: 100,
      timing: { quietMs: 100, maxWaitMs: 400 },
    });
    // A change every 30 ms for 300 ms: nothing is applied during the burst.
    for (let i = 0; i < 10; i++) {
      queue.enqueue(model(`m${i}`));
      await new Promise(resolve => setTimeout(resolve, 30));
    }
    expect(applied()).toEqual([]);
    await queue.idle();
    expect(applied()).toEqual(
      Array.from({ length: 10 }, (_, i) => `upserted m${i}`),
    );
    // A burst that never ends is applied once the first change waited 400 ms.
    const endless = setInterval(() => queue.enqueue(model('busy')), 20);
    const before = Date.now();
    queue.enqueue(model('first-of-endless'));
    await new Promise(resolve => setTimeout(resolve, 50));
    await queue.idle();
    clearInterval(endless);
    expect(Date.now() - before).toBeLessThan(2000);
    expect(applied()).toContain('upserted first-of-endless');
  });
});
