import { ConfigReader } from '@backstage/config';
import { ModelVersion } from '@backstage-mlops/plugin-mlops-common';
import { MetricDirections, compareVersions } from './compareVersions';

function version(
  number: number,
  metrics: Record<string, number>,
  params: Record<string, string>,
): ModelVersion {
  return {
    model: 'fraud-detection',
    version: number,
    stage: 'None',
    status: 'READY',
    metrics,
    params,
    tags: {},
    aliases: [],
    createdAt: '2026-11-25T10:00:00.000Z',
    updatedAt: '2026-11-25T10:00:00.000Z',
    stageChangedAt: '2026-11-25T10:00:00.000Z',
  };
}

describe('MetricDirections', () => {
  it('treats cost-like keys as lower-is-better and everything else as higher-is-better', () => {
    const directions = new MetricDirections();
    expect(directions.directionOf('auc')).toBe('higher');
    expect(directions.directionOf('f1_score')).toBe('higher');
    for (const key of [
      'val_loss',
      'error_rate',
      'RMSE',
      'mae',
      'latency_p95_ms',
    ]) {
      expect(directions.directionOf(key)).toBe('lower');
    }
  });

  it('lets configuration override the default per key', () => {
    const directions = MetricDirections.fromConfig(
      new ConfigReader({
        mlops: {
          registry: { metricDirections: { auc: 'lower', drawdown: 'lower' } },
        },
      }),
    );
    expect(directions.directionOf('auc')).toBe('lower');
    expect(directions.directionOf('drawdown')).toBe('lower');
    expect(directions.directionOf('recall')).toBe('higher');
  });

  it('refuses a configured direction other than higher or lower', () => {
    expect(() =>
      MetricDirections.fromConfig(
        new ConfigReader({
          mlops: { registry: { metricDirections: { auc: 'up' } } },
        }),
      ),
    ).toThrow(
      'mlops.registry.metricDirections.auc must be "higher" or "lower"',
    );
  });
});

describe('compareVersions', () => {
  it('names the better version per metric and marks differing params', () => {
    const comparison = compareVersions(
      version(
        1,
        { auc: 0.91, loss: 0.3, recall: 0.8, drift: NaN },
        { lr: '0.1', depth: '6' },
      ),
      version(
        2,
        { auc: 0.93, loss: 0.35, recall: 0.8, precision: 0.7 },
        { lr: '0.1', depth: '8', seed: '7' },
      ),
      new MetricDirections(),
    );
    expect(comparison.metrics).toEqual([
      { key: 'auc', a: 0.91, b: 0.93, direction: 'higher', better: 'b' },
      { key: 'drift', a: NaN, b: null, direction: 'higher', better: null },
      { key: 'loss', a: 0.3, b: 0.35, direction: 'lower', better: 'a' },
      { key: 'precision', a: null, b: 0.7, direction: 'higher', better: null },
      { key: 'recall', a: 0.8, b: 0.8, direction: 'higher', better: 'equal' },
    ]);
    expect(comparison.params).toEqual([
      { key: 'depth', a: '6', b: '8', different: true },
      { key: 'lr', a: '0.1', b: '0.1', different: false },
      { key: 'seed', a: null, b: '7', different: true },
    ]);
  });
});
