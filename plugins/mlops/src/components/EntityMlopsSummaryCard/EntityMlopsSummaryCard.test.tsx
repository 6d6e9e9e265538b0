import { Entity } from '@backstage/catalog-model';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  EntityHealthSummary,
  EntityModelsResponse,
  MlopsIncident,
} from '@backstage-mlops/plugin-mlops-common';
import { screen } from '@testing-library/react';
import {
  backendError,
  mlModelEntity,
  renderEntityCard,
  unannotatedEntity,
} from '../../__testUtils__/cards';
import { MlopsApi } from '../../api';
import { EntityMlopsSummaryCard } from './EntityMlopsSummaryCard';

const modelEntity = mlModelEntity('market-master');
const pipelineEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'market-master-training',
    namespace: 'default',
    annotations: { 'backstage-mlops.dev/pipeline': 'market-master-training' },
  },
  spec: { type: 'ml-pipeline', owner: 'risk-ml', lifecycle: 'production' },
};

const summary = (
  overrides: Partial<EntityHealthSummary> = {},
): EntityHealthSummary => ({
  entityRef: 'component:default/market-master',
  status: 'degraded',
  reasons: [
    {
      symptom: 'error_rate_high',
      severity: 'warning',
      message: 'Error rate 3.1% is above the 2% threshold',
      observedAt: '2026-12-03T08:00:00Z',
    },
    {
      symptom: 'latency_high',
      severity: 'critical',
      message: 'p95 latency 812 ms is above the 500 ms threshold',
      observedAt: '2026-12-03T08:00:00Z',
    },
  ],
  links: [{ kind: 'model', name: 'market-master', known: true }],
  checkedAt: '2026-12-03T08:00:00Z',
  ...overrides,
});

const incident = (id: string, status: MlopsIncident['status']) =>
  ({
    id,
    object: { kind: 'model', name: 'market-master' },
    symptom: 'latency_high',
    severity: 'critical',
    status,
    message: 'p95 latency high',
    openedAt: '2026-12-03T08:00:00Z',
    updatedAt: '2026-12-03T08:00:00Z',
    timeline: [],
  } as MlopsIncident);

const models: EntityModelsResponse = {
  entityRef: 'component:default/market-master',
  models: [
    {
      name: 'market-master',
      known: true,
      model: {
        name: 'market-master',
        tags: {},
        latestVersion: 4,
        productionVersion: 3,
        aliases: {},
        createdAt: '2026-11-01T00:00:00Z',
        updatedAt: '2026-12-01T00:00:00Z',
      },
      versions: [],
      history: [],
    },
  ],
};

const mountedRoutes = { '/catalog/:namespace/:kind/:name': entityRouteRef };

function renderCard(entity: Entity, api: Partial<MlopsApi>) {
  return renderEntityCard(<EntityMlopsSummaryCard />, {
    entity,
    api,
    mountedRoutes,
  });
}

describe('EntityMlopsSummaryCard', () => {
  it('shows the status, the critical reason first, open incidents, the Production version and a link to the tab', async () => {
    await renderCard(modelEntity, {
      getEntitySummary: async () => summary(),
      getEntityIncidents: async () => ({
        entityRef: 'component:default/market-master',
        items: [
          incident('a', 'open'),
          incident('b', 'acknowledged'),
          incident('c', 'resolved'),
        ],
      }),
      getEntityModels: async () => models,
    });

    expect(await screen.findByText('Degraded')).toBeInTheDocument();
    expect(screen.getByTestId('mlops-summary-reason')).toHaveTextContent(
      'p95 latency 812 ms is above the 500 ms threshold',
    );
    expect(screen.getByTestId('mlops-summary-reason')).toHaveTextContent(
      '1 more',
    );
    // Acknowledged incidents are still open; resolved ones are not.
    expect(screen.getByTestId('mlops-summary-incidents')).toHaveTextContent(
      /^2$/,
    );
    expect(screen.getByTestId('mlops-summary-production')).toHaveTextContent(
      /^v3$/,
    );
    expect(
      screen.getByRole('link', { name: /Open the MLOps tab/ }),
    ).toHaveAttribute('href', '/catalog/default/component/market-master/mlops');
  });

  it('says there is nothing wrong, and shows no Production row for a pipeline', async () => {
    const getEntityModels = jest.fn();
    await renderCard(pipelineEntity, {
      getEntitySummary: async () => summary({ status: 'healthy', reasons: [] }),
      getEntityIncidents: async () => ({ entityRef: 'x', items: [] }),
      getEntityModels,
    });
    expect(await screen.findByText('Healthy')).toBeInTheDocument();
    expect(screen.getByTestId('mlops-summary-reason')).toHaveTextContent(
      /^None$/,
    );
    expect(screen.getByTestId('mlops-summary-incidents')).toHaveTextContent(
      /^0$/,
    );
    expect(screen.queryByTestId('mlops-summary-production')).toBeNull();
    expect(getEntityModels).not.toHaveBeenCalled();
  });

  it('keeps the health readable when the incidents and versions cannot be read', async () => {
    await renderCard(modelEntity, {
      getEntitySummary: async () => summary(),
      getEntityIncidents: async () => {
        throw await backendError(500, 'incidents store down');
      },
      getEntityModels: async () => {
        throw await backendError(500, 'registry down');
      },
    });
    expect(await screen.findByText('Degraded')).toBeInTheDocument();
    expect(screen.getByTestId('mlops-summary-incidents')).toHaveTextContent(
      'unavailable',
    );
    expect(screen.getByTestId('mlops-summary-production')).toHaveTextContent(
      'unavailable',
    );
  });

  it('shows the error when the health cannot be read', async () => {
    await renderCard(modelEntity, {
      getEntitySummary: async () => {
        throw await backendError(503, 'MLOps backend unavailable');
      },
      getEntityIncidents: async () => ({ entityRef: 'x', items: [] }),
      getEntityModels: async () => models,
    });
    expect(
      (await screen.findAllByText(/MLOps backend unavailable/)).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByTestId('mlops-summary-status')).toBeNull();
  });

  it('names the missing annotation on an entity without one', async () => {
    const getEntitySummary = jest.fn();
    await renderCard(unannotatedEntity(modelEntity), { getEntitySummary });
    expect(
      (await screen.findAllByText(/backstage-mlops\.dev\/model/)).length,
    ).toBeGreaterThan(0);
    expect(getEntitySummary).not.toHaveBeenCalled();
  });
});
