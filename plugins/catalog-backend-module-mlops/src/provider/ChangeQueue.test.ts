import { mockServices } from '@backstage/backend-test-utils';
import { MlopsObjectChangeEvent } from '@backstage-mlops/plugin-mlops-common';
import { ChangeQueue } from './ChangeQueue';

const model = (
  name: string,
  action: MlopsObjectChangeEvent['action'] = 'upserted',
): MlopsObjectChangeEvent => ({ action, kind: 'model', name });

describe('ChangeQueue', () => {
  it('returns before the change is applied, then applies it', async () => {
    const applied: string[] = [];
    const queue = new ChangeQueue(async e => {
      applied.push(e.name);
    }, mockServices.logger.mock());
    queue.enqueue(model('churn'));
    expect(applied).toEqual([]);
    await queue.idle();
    expect(applied).toEqual(['churn']);
  });

  it('keeps only the latest change of an object that changes again while it waits', async () => {
    const applied: MlopsObjectChangeEvent[] = [];
    let release!: () => void;
    const blocked = new Promise<void>(resolve => {
      release = resolve;
    });
    const queue = new ChangeQueue(async e => {
      applied.push(e);
      if (e.name === 'first') await blocked;
    }, mockServices.logger.mock());
    queue.enqueue(model('first'));
    await new Promise(resolve => setImmediate(resolve));
    queue.enqueue(model('churn'));
    queue.enqueue(model('fraud'));
    queue.enqueue(model('churn', 'deleted'));
    release();
    await queue.idle();
    expect(applied.map(e => `${e.action} ${e.name}`)).toEqual([
      'upserted first',
      'upserted fraud',
      'deleted churn',
    ]);
  });

  it('goes on after a failed change and logs it', async () => {
    const logger = mockServices.logger.mock();
    const applied: string[] = [];
    const queue = new ChangeQueue(async e => {
      if (e.name === 'broken') throw new Error('catalog unavailable');
      applied.push(e.name);
    }, logger);
    queue.enqueue(model('broken'));
    queue.enqueue(model('fine'));
    await queue.idle();
    expect(applied).toEqual(['fine']);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('catalog unavailable'),
    );
  });

  it('leaves changes past its bound to the full refresh, warning once', async () => {
    const logger = mockServices.logger.mock();
    const applied: string[] = [];
    const queue = new ChangeQueue(
      async e => {
        applied.push(e.name);
      },
      logger,
      2,
    );
    queue.enqueue(model('a'));
    queue.enqueue(model('b'));
    queue.enqueue(model('c'));
    queue.enqueue(model('d'));
    queue.enqueue(model('a', 'deleted')); // already waiting: still taken
    await queue.idle();
    expect(applied).toEqual(['b', 'a']);
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  it('waits for a burst of changes to end, but not longer than its bound', async () => {
    const applied: Array<{ name: string; at: number }> = [];
    const started = Date.now();
    const queue = new ChangeQueue(
      async e => {
        applied.push({ name: e.name, at: Date.now() - started });
      },
      mockServices.logger.mock(),
      100,
      { quietMs: 100, maxWaitMs: 400 },
    );
    // A change every 30 ms for 300 ms: nothing is applied during the burst.
    for (let i = 0; i < 10; i++) {
      queue.enqueue(model(`m${i}`));
      await new Promise(resolve => setTimeout(resolve, 30));
    }
    expect(applied).toEqual([]);
    await queue.idle();
    expect(applied.map(a => a.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `m${i}`),
    );
    // A burst that never ends is applied once the first change waited 400 ms.
    const endless = setInterval(() => queue.enqueue(model('busy')), 20);
    const before = Date.now();
    queue.enqueue(model('first-of-endless'));
    await new Promise(resolve => setTimeout(resolve, 50));
    await queue.idle();
    clearInterval(endless);
    expect(Date.now() - before).toBeLessThan(2000);
    expect(applied.map(a => a.name)).toContain('first-of-endless');
  });
});
