import { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { EntityHealthSummary } from '@backstage-mlops/plugin-mlops-common';
import { screen } from '@testing-library/react';
import { MlopsApi, mlopsApiRef } from '../../api';
import { EntityMlopsHealthCard } from './EntityMlopsHealthCard';

const modelEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'fraud-detection',
    namespace: 'default',
    annotations: { 'backstage-mlops.dev/model': 'fraud-detection' },
  },
  spec: { type: 'ml-model', owner: 'risk-ml', lifecycle: 'production' },
};

function renderCard(entity: Entity, api: Partial<MlopsApi>) {
  return renderInTestApp(
    <TestApiProvider apis={[[mlopsApiRef, api]]}>
      <EntityProvider entity={entity}>
        <EntityMlopsHealthCard />
      </EntityProvider>
    </TestApiProvider>,
  );
}

const summary = (
  overrides: Partial<EntityHealthSummary>,
): EntityHealthSummary => ({
  entityRef: 'component:default/fraud-detection',
  status: 'unknown',
  reasons: [],
  links: [{ kind: 'model', name: 'fraud-detection', known: true }],
  checkedAt: '2026-11-22T08:00:00Z',
  ...overrides,
});

describe('EntityMlopsHealthCard', () => {
  it('shows the status, reasons and linked objects of the entity', async () => {
    const getEntitySummary = jest.fn().mockResolvedValue(
      summary({
        status: 'unhealthy',
        reasons: [
          {
            symptom: 'latency_high',
            severity: 'critical',
            message: 'p95 latency 812 ms is above the 500 ms threshold',
            observedAt: '2026-11-22T08:00:00Z',
          },
        ],
      }),
    );
    await renderCard(modelEntity, { getEntitySummary });

    expect(await screen.findByText('Unhealthy')).toBeInTheDocument();
    expect(
      screen.getByText('p95 latency 812 ms is above the 500 ms threshold'),
    ).toBeInTheDocument();
    expect(screen.getByText('Model fraud-detection')).toBeInTheDocument();
    expect(screen.getByText('Registered in the MLOps store')).toBeInTheDocument();
    expect(getEntitySummary).toHaveBeenCalledWith({
      kind: 'Component',
      namespace: 'default',
      name: 'fraud-detection',
    });
  });

  it('says plainly when there is no data to judge health by', async () => {
    await renderCard(modelEntity, {
      getEntitySummary: async () =>
        summary({ links: [{ kind: 'model', name: 'fraud-detection', known: false }] }),
    });
    expect(await screen.findByText('Unknown')).toBeInTheDocument();
    expect(
      screen.getByText(/No monitoring data has been reported/),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Not registered in the MLOps store yet'),
    ).toBeInTheDocument();
  });

  it('shows the backend error instead of a status', async () => {
    const response = new Response(
      JSON.stringify({
        error: { name: 'NotFoundError', message: 'No entity in the catalog' },
        request: { method: 'GET', url: '/x' },
        response: { statusCode: 404 },
      }),
      { status: 404, statusText: 'Not Found', headers: { 'content-type': 'application/json' } },
    );
    const error = await ResponseError.fromResponse(response);
    await renderCard(modelEntity, {
      getEntitySummary: async () => {
        throw error;
      },
    });
    expect(
      (await screen.findAllByText(/No entity in the catalog/)).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByText('Unknown')).not.toBeInTheDocument();
  });

  it('explains which annotation is missing on entities without one', async () => {
    const getEntitySummary = jest.fn();
    await renderCard(
      { ...modelEntity, metadata: { name: 'plain', namespace: 'default' } },
      { getEntitySummary },
    );
    expect(
      (await screen.findAllByText(/backstage-mlops\.dev\/model/)).length,
    ).toBeGreaterThan(0);
    expect(getEntitySummary).not.toHaveBeenCalled();
  });

  it('shows progress while the summary loads', async () => {
    await renderCard(modelEntity, {
      getEntitySummary: () => new Promise(() => {}),
    });
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
  });
});
