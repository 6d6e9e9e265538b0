import { plainMetricsBatch } from './parsing';

const RUN = 'a'.repeat(32);
const NOW = 1_700_000_000_000;

describe('plainMetricsBatch', () => {
  it('takes the usual log-batch body as the store writes it', () => {
    expect(
      plainMetricsBatch(
        {
          run_id: RUN,
          metrics: [
            { key: 'loss', value: 0.25, step: 3, timestamp: 1000 },
            { key: 'acc', value: 'NaN', step: '4', timestamp: '2000' },
            { key: 'x/y', value: '-Infinity' },
          ],
          params: [],
          unknown: 'ignored, as the schema strips it',
        },
        NOW,
      ),
    ).toEqual({
      runId: RUN,
      metrics: [
        { key: 'loss', value: 0.25, step: 3, timestamp: 1000 },
        { key: 'acc', value: NaN, step: 4, timestamp: 2000 },
        { key: 'x/y', value: -Infinity, step: 0, timestamp: NOW },
      ],
    });
  });

  // Each of these goes through the route's zod schemas instead, which
  // either accept it (params, tags, run_uuid) or word the error.
  it.each([
    ['no body', undefined],
    ['a run id that is not one', { run_id: 'nope', metrics: [] }],
    ['the older run_uuid', { run_uuid: RUN, metrics: [] }],
    [
      'params',
      { run_id: RUN, metrics: [], params: [{ key: 'a', value: 'b' }] },
    ],
    ['tags', { run_id: RUN, metrics: [], tags: [{ key: 'a', value: 'b' }] }],
    ['null params', { run_id: RUN, metrics: [], params: null }],
    ['no metrics list', { run_id: RUN }],
    [
      'too many metrics',
      { run_id: RUN, metrics: Array(1001).fill({ key: 'k', value: 1 }) },
    ],
    ['a bad key', { run_id: RUN, metrics: [{ key: '../x', value: 1 }] }],
    [
      'a key that is not text',
      { run_id: RUN, metrics: [{ key: 7, value: 1 }] },
    ],
    [
      'a value that is text',
      { run_id: RUN, metrics: [{ key: 'k', value: '1' }] },
    ],
    [
      'a fractional step',
      { run_id: RUN, metrics: [{ key: 'k', value: 1, step: 1.5 }] },
    ],
    [
      'a step beyond int64 precision',
      {
        run_id: RUN,
        metrics: [{ key: 'k', value: 1, step: '99999999999999999999' }],
      },
    ],
    [
      'a timestamp that is null',
      { run_id: RUN, metrics: [{ key: 'k', value: 1, timestamp: null }] },
    ],
    ['a metric that is not an object', { run_id: RUN, metrics: [1] }],
  ])('leaves %s to the schemas', (_, body) => {
    expect(plainMetricsBatch(body, NOW)).toBeUndefined();
  });
});
