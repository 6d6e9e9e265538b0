import { mockServices } from '@backstage/backend-test-utils';
import { EventParams } from '@backstage/plugin-events-node';
import { ObjectChangeNotifier } from './ObjectChangeNotifier';

function setup(window = { windowMs: 20, maxChanges: 3 }) {
  const published: EventParams[] = [];
  let failNext = false;
  const logger = mockServices.logger.mock();
  const notifier = new ObjectChangeNotifier({
    logger,
    window,
    events: {
      publish: async (params: EventParams) => {
        if (failNext) {
          failNext = false;
          throw new Error('bus unreachable');
        }
        published.push(params);
      },
      subscribe: async () => {},
    },
  });
  return {
    notifier,
    published,
    logger,
    failNextPublish: () => {
      failNext = true;
    },
  };
}

const waitFor = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe('ObjectChangeNotifier', () => {
  it('announces the changes of one window as one event, each object once with its latest action', async () => {
    const { notifier, published } = setup({ windowMs: 20, maxChanges: 100 });
    await notifier.upserted('experiment', 'churn');
    await notifier.upserted('model', 'churn');
    await notifier.upserted('model', 'churn');
    await notifier.upserted('experiment', 'gone');
    await notifier.deleted('experiment', 'gone');
    expect(published).toEqual([]);

    await waitFor(60);
    expect(published).toEqual([
      {
        topic: 'mlops.objects',
        eventPayload: {
          changes: [
            { action: 'upserted', kind: 'experiment', name: 'churn' },
            { action: 'upserted', kind: 'model', name: 'churn' },
            { action: 'deleted', kind: 'experiment', name: 'gone' },
          ],
        },
      },
    ]);

    // A later change opens a new window.
    await notifier.upserted('pipeline', 'churn-training');
    await waitFor(60);
    expect(published).toHaveLength(2);
    expect(published[1].eventPayload).toEqual({
      changes: [
        { action: 'upserted', kind: 'pipeline', name: 'churn-training' },
      ],
    });
  });

  it('publishes at once when a window is full, and flush publishes the rest', async () => {
    const { notifier, published } = setup({ windowMs: 60_000, maxChanges: 2 });
    await notifier.upserted('model', 'a');
    await notifier.upserted('model', 'b');
    await notifier.upserted('model', 'c');
    await notifier.flush();
    expect(published.map(p => p.eventPayload)).toEqual([
      {
        changes: [
          { action: 'upserted', kind: 'model', name: 'a' },
          { action: 'upserted', kind: 'model', name: 'b' },
        ],
      },
      { changes: [{ action: 'upserted', kind: 'model', name: 'c' }] },
    ]);
  });

  it('logs an announcement the events service refuses and goes on announcing', async () => {
    const { notifier, published, logger, failNextPublish } = setup();
    failNextPublish();
    await notifier.upserted('model', 'lost');
    await notifier.flush();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('bus unreachable'),
    );
    await notifier.upserted('model', 'next');
    await notifier.flush();
    expect(published.map(p => p.eventPayload)).toEqual([
      { changes: [{ action: 'upserted', kind: 'model', name: 'next' }] },
    ]);
  });

  it('does nothing without an events service', async () => {
    const notifier = new ObjectChangeNotifier({
      logger: mockServices.logger.mock(),
    });
    await notifier.upserted('model', 'churn');
    await expect(notifier.flush()).resolves.toBeUndefined();
  });
});
