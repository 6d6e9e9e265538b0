import { Run } from '@backstage-mlops/plugin-mlops-common';
import {
  chartRows,
  defaultColumns,
  formatDuration,
  formatMetric,
} from './runsTable';

const run = (overrides: Partial<Run>): Run => ({
  id: 'a'.repeat(32),
  experimentId: '1',
  experimentName: 'e',
  status: 'FINISHED',
  startTime: '2026-11-20T10:00:00Z',
  deleted: false,
  params: {},
  tags: {},
  metrics: {},
  ...overrides,
});

describe('runs table helpers', () => {
  it('merges metric histories by step and leaves gaps for NaN and infinities', () => {
    expect(
      chartRows([
        {
          runId: 'a',
          points: [
            { step: 0, value: 1 },
            { step: 1, value: 0.5 },
          ],
        },
        {
          runId: 'b',
          points: [
            { step: 1, value: 'NaN' },
            { step: 2, value: 0.2 },
          ],
        },
      ]),
    ).toEqual([
      { step: 0, a: 1 },
      { step: 1, a: 0.5, b: null },
      { step: 2, b: 0.2 },
    ]);
  });

  it('formats durations and metric values for reading', () => {
    expect(formatDuration(run({ endTime: '2026-11-20T11:05:00Z' }))).toBe(
      '1h 05m',
    );
    expect(formatDuration(run({ endTime: '2026-11-20T10:00:45Z' }))).toBe(
      '45s',
    );
    expect(formatDuration(run({}), Date.parse('2026-11-20T10:03:07Z'))).toBe(
      '3m 07s',
    );
    expect(formatMetric(0.971234)).toBe('0.9712');
    expect(formatMetric(12)).toBe('12');
    expect(formatMetric('-Infinity')).toBe('-∞');
    expect(formatMetric(null)).toBe('—');
  });

  it('starts with params that differ and metrics that look like scores', () => {
    const runs = [
      run({
        params: { seed: '1', lr: '0.1', depth: '6' },
        metrics: {
          zeta: { key: 'zeta', value: 1, step: 0, timestamp: 0 },
          val_auc: { key: 'val_auc', value: 0.9, step: 0, timestamp: 0 },
        },
      }),
      run({ params: { seed: '1', lr: '0.2', depth: '8' } }),
    ];
    const columns = defaultColumns(runs);
    expect(columns.params).toEqual(['depth', 'lr', 'seed']);
    expect(columns.metrics).toEqual(['val_auc', 'zeta']);
  });
});
