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
});
