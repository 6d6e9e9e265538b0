import { mockServices } from '@backstage/backend-test-utils';
import { evaluateObject } from './evaluate';
import { readThresholds } from './thresholds';
import { MirrorSource } from '../sources';
import { ConfigReader } from '@backstage/config';

describe('the source unreachable detector', () => {
  const failing: MirrorSource = {
    async unreachableSourceOf(kind, name) {
      return name === 'fraud-detector' || kind === 'pipeline'
        ? {
            type: 'mlflow',
            name: 'central',
            lastSuccessAt: '2026-12-03T10:00:00.000Z',
            lastError: 'POST /api/2.0/mlflow/experiments/search answered 503',
            lastErrorAt: '2026-12-03T11:00:00.000Z',
            consecutiveFailures: 4,
          }
        : undefined;
    },
  };

  async function evaluate(kind: 'model' | 'pipeline', name: string) {
    return evaluateObject({
      kind,
      name,
      sources: { mirrors: failing },
      thresholds: readThresholds(new ConfigReader({})),
      now: new Date('2026-12-03T12:00:00Z'),
      logger: mockServices.logger.mock(),
    });
  }

  it('names the instance, its last success and the upstream error for a mirrored object', async () => {
    const evaluation = await evaluate('model', 'fraud-detector');
    expect(evaluation.judged).toContain('source_unreachable');
    expect(evaluation.findings).toEqual([
      expect.objectContaining({
        symptom: 'source_unreachable',
        severity: 'warning',
        message:
          'MLflow instance "central" is unreachable (4 failed syncs, last successful sync 2026-12-03T10:00:00.000Z): POST /api/2.0/mlflow/experiments/search answered 503',
      }),
    ]);
  });

  it('judges an object with a reachable or no source clear', async () => {
    const evaluation = await evaluate('model', 'pushed-model');
    expect(evaluation.judged).toContain('source_unreachable');
    expect(evaluation.findings).toEqual([]);
  });
});
