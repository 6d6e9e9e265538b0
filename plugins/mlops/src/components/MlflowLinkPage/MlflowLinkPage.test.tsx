import { Entity } from '@backstage/catalog-model';
import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { Route, Routes, useLocation } from 'react-router-dom';
import { MlflowLinkPage, parseMlflowRoute } from './MlflowLinkPage';

const RUN = 'b'.repeat(32);

function Landed() {
  const location = useLocation();
  return <div>landed at {`${location.pathname}${location.search}`}</div>;
}

async function open(route: string, entities: Entity[]) {
  const catalogApi = {
    getEntities: jest.fn(async () => ({ items: entities })),
  };
  const fetchApi = {
    fetch: jest.fn(async (input: RequestInfo | URL) =>
      String(input).endsWith('/experiments/3')
        ? new Response(JSON.stringify({ id: '3', name: 'churn: xgb (v2)' }), {
            headers: { 'Content-Type': 'application/json' },
          })
        : new Response('{}', { status: 404 }),
    ),
  };
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [catalogApiRef, catalogApi],
        [fetchApiRef, fetchApi],
        [
          discoveryApiRef,
          { getBaseUrl: async () => 'http://backend/api/mlops' },
        ],
      ]}
    >
      <Routes>
        <Route path="/mlflow" element={<MlflowLinkPage />} />
        <Route path="/catalog/*" element={<Landed />} />
      </Routes>
    </TestApiProvider>,
    {
      routeEntries: [`/mlflow?route=${encodeURIComponent(route)}`],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
  return catalogApi;
}

describe('MlflowLinkPage', () => {
  it('opens the run’s experiment on its entity page', async () => {
    const catalogApi = await open(`/experiments/3/runs/${RUN}`, [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: { name: 'churn-xgb-v2-1a2b3c4d', namespace: 'default' },
      },
    ]);
    expect(
      await screen.findByText(
        `landed at /catalog/default/resource/churn-xgb-v2-1a2b3c4d/mlops?run=${RUN}`,
      ),
    ).toBeInTheDocument();
    expect(catalogApi.getEntities).toHaveBeenCalledWith(
      expect.objectContaining({
        filter: {
          'metadata.annotations.backstage-mlops.dev/experiment':
            'churn: xgb (v2)',
        },
      }),
    );
  });

  it('says so when no entity shows the experiment yet', async () => {
    await open('/experiments/3', []);
    expect(
      await screen.findByText(
        'No catalog entity shows experiment churn: xgb (v2)',
      ),
    ).toBeInTheDocument();
  });

  it('refuses what is not a run link', async () => {
    await open('/models/x', []);
    expect(
      await screen.findByText('Not an MLflow run link'),
    ).toBeInTheDocument();
    expect(parseMlflowRoute(`experiments/12/runs/${RUN}`)).toEqual({
      experimentId: '12',
      runId: RUN,
    });
    expect(parseMlflowRoute('/experiments/../x')).toBeUndefined();
  });
});
