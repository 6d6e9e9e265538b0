import { hasMlopsAnnotation, mlopsObjectLinksOf } from './annotations';

const entity = (annotations: Record<string, string>) => ({
  metadata: { annotations },
});

describe('orchestrator annotations', () => {
  it('link an entity to the pipeline its DAG or Prefect deployment names', () => {
    expect(
      mlopsObjectLinksOf(
        entity({ 'airflow.apache.org/dag-id': 'fraud_training, churn' }),
      ),
    ).toEqual([
      { kind: 'pipeline', name: 'fraud_training' },
      { kind: 'pipeline', name: 'churn' },
    ]);
    expect(
      mlopsObjectLinksOf(
        entity({ 'prefect.io/deployment': 'train-fraud/nightly' }),
      ),
    ).toEqual([{ kind: 'pipeline', name: 'train-fraud/nightly' }]);
    expect(hasMlopsAnnotation(entity({ 'prefect.io/flow-name': 'x' }))).toBe(
      true,
    );
  });

  it('give way to backstage-mlops.dev/pipeline, the name the runs are written under then', () => {
    expect(
      mlopsObjectLinksOf(
        entity({
          'airflow.apache.org/dag-id': 'fraud_training',
          'backstage-mlops.dev/pipeline': 'fraud-detection-training',
        }),
      ),
    ).toEqual([{ kind: 'pipeline', name: 'fraud-detection-training' }]);
  });
});
