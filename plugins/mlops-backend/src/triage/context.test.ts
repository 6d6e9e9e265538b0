import { Entity } from '@backstage/catalog-model';
import { mlopsLinksOf } from '../shared/EntityResolver';
import { buildTriageContext } from './context';

function entity(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'x', namespace: 'default', annotations },
    spec: {},
  };
}

const noFacts = { models: new Map(), pipelines: new Map() };

describe('buildTriageContext', () => {
  it('leaves the model open when a service serves two models', () => {
    const e = entity({
      'backstage-mlops.dev/model': 'fraud-detection, market-master',
      'backstage.io/kubernetes-namespace': 'payments-ml',
    });
    const context = buildTriageContext(e, mlopsLinksOf(e), noFacts);
    expect(context).toEqual({ namespace: 'payments-ml' });
  });

  it('derives the label selector the Kubernetes plugin uses from kubernetes-id', () => {
    const e = entity({
      'backstage-mlops.dev/model': 'fraud-detection',
      'backstage.io/kubernetes-id': 'fraud-api',
    });
    expect(buildTriageContext(e, mlopsLinksOf(e), noFacts)).toMatchObject({
      labelSelector: 'backstage.io/kubernetes-id=fraud-api',
      model: 'fraud-detection',
    });
  });

  it('prefers an explicit label selector and takes the environment from the annotation unless the caller names one', () => {
    const e = entity({
      'backstage-mlops.dev/model': 'fraud-detection',
      'backstage.io/kubernetes-id': 'fraud-api',
      'backstage.io/kubernetes-label-selector': 'app=fraud',
      'backstage-mlops.dev/environment': 'staging',
      'backstage-mlops.dev/mlflow-url': 'https://mlflow.example.com///',
    });
    const links = mlopsLinksOf(e);
    expect(buildTriageContext(e, links, noFacts)).toMatchObject({
      labelSelector: 'app=fraud',
      environment: 'staging',
      trackingUrl: 'https://mlflow.example.com',
    });
    expect(
      buildTriageContext(e, links, noFacts, { environment: 'production' })
        .environment,
    ).toBe('production');
  });

  it('takes pipeline, experiment and orchestrator from what the store knows of the model', () => {
    const e = entity({ 'backstage-mlops.dev/model': 'fraud-detection' });
    const context = buildTriageContext(e, mlopsLinksOf(e), {
      models: new Map([
        [
          'fraud-detection',
          { pipeline: 'fraud-detection-training', experiment: 'fraud-exp' },
        ],
      ]),
      pipelines: new Map([
        ['fraud-detection-training', { orchestrator: 'airflow' }],
      ]),
    });
    expect(context).toEqual({
      model: 'fraud-detection',
      pipeline: 'fraud-detection-training',
      experiment: 'fraud-exp',
      orchestrator: 'airflow',
    });
  });
});
