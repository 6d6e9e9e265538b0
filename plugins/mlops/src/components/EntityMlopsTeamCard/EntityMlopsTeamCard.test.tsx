import userEvent from '@testing-library/user-event';
import { Entity } from '@backstage/catalog-model';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  EntityHealthSummary,
  EntityIncidentsResponse,
  HealthStatus,
} from '@backstage-mlops/plugin-mlops-common';
import { screen, within } from '@testing-library/react';
import { backendError, renderEntityCard } from '../../__testUtils__/cards';
import { MlopsApi } from '../../api';
import { EntityMlopsTeamCard } from './EntityMlopsTeamCard';

const group: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'risk-ml', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

function owned(
  kind: string,
  name: string,
  type: string,
  annotation: string,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: {
      name,
      namespace: 'default',
      annotations: { [`backstage-mlops.dev/${annotation}`]: name },
    },
    spec: { type },
  };
}

const model = owned('Component', 'fraud-detection', 'ml-model', 'model');
const pipeline = owned(
  'Component',
  'fraud-detection-training',
  'ml-pipeline',
  'pipeline',
);
const experiment = owned(
  'Resource',
  'fraud-detection-experiments',
  'ml-experiment',
  'experiment',
);
const plainService: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'website', namespace: 'default' },
  spec: { type: 'service' },
};

function summary(
  entityRef: string,
  status: HealthStatus,
  message?: string,
): EntityHealthSummary {
  return {
    entityRef,
    status,
    reasons: message
      ? [
          {
            symptom: 'latency_high',
            severity: status === 'unhealthy' ? 'critical' : 'warning',
            message,
            observedAt: '2026-11-25T10:00:00Z',
          },
        ]
      : [],
    links: [],
    checkedAt: '2026-11-25T10:00:00Z',
  };
}

function incidents(count: number): EntityIncidentsResponse {
  return {
    entityRef: 'x',
    items: Array.from({ length: count + 1 }, (_, i) => ({
      id: String(i),
      object: { kind: 'model', name: 'x' },
      symptom: 'latency_high',
      severity: 'critical',
      // One resolved incident each, which must not count.
      status: i === count ? 'resolved' : 'open',
      message: 'm',
      openedAt: '2026-11-25T10:00:00Z',
      updatedAt: '2026-11-25T10:00:00Z',
      timeline: [],
    })),
  };
}

function renderCard(catalogApi: object, mlopsApi: Partial<MlopsApi>) {
  return renderEntityCard(<EntityMlopsTeamCard />, {
    entity: group,
    api: mlopsApi,
    apis: [[catalogApiRef, catalogApi]],
    mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
  });
}

describe('EntityMlopsTeamCard', () => {
  it('lists what the team owns with health and open incidents, worst first', async () => {
    const getEntities = jest.fn().mockResolvedValue({
      items: [experiment, plainService, model, pipeline],
    });
    const getEntitySummary = jest.fn(async ref => {
      switch (ref.name) {
        case 'fraud-detection':
          return summary('m', 'degraded', 'Accuracy dropped 7% below baseline');
        case 'fraud-detection-training':
          return summary('p', 'unhealthy', 'Last 3 runs failed: OOMKilled');
        default:
          return summary('e', 'healthy');
      }
    });
    const getEntityIncidents = jest.fn(async ref =>
      incidents(ref.name === 'fraud-detection-training' ? 2 : 0),
    );
    await renderCard({ getEntities }, { getEntitySummary, getEntityIncidents });

    const table = await screen.findByRole('table', {
      name: 'Owned MLOps entities',
    });
    const rows = within(table).getAllByRole('row').slice(1);
    // The name cell holds the link, then the kind and the worst problem.
    expect(rows.map(r => within(r).getByRole('link').textContent)).toEqual([
      'fraud-detection-training',
      'fraud-detection',
      'fraud-detection-experiments',
    ]);
    expect(within(rows[0]).getByText('Unhealthy')).toBeInTheDocument();
    expect(within(rows[0]).getByText('2')).toBeInTheDocument();
    expect(
      within(rows[0]).getByText('Pipeline · Last 3 runs failed: OOMKilled'),
    ).toBeInTheDocument();
    expect(within(rows[1]).getByText('Degraded')).toBeInTheDocument();
    expect(within(rows[2]).getByText('Healthy')).toBeInTheDocument();
    expect(within(rows[2]).getByText('Experiment')).toBeInTheDocument();
    // Counts by status come first, worst status first, with the incidents.
    const counts = screen.getByLabelText('Owned entities by health');
    expect(counts.textContent).toBe(
      '1Unhealthy1Degraded0Unknown1Healthy2open incidents',
    );
    expect(screen.queryByText('website')).not.toBeInTheDocument();

    expect(getEntities).toHaveBeenCalledWith(
      expect.objectContaining({
        filter: { 'relations.ownedBy': 'group:default/risk-ml' },
      }),
    );
    expect(getEntitySummary).toHaveBeenCalledTimes(3);
  });

  it('still lists an entity whose health cannot be read, as unknown with the reason', async () => {
    const getEntities = jest.fn().mockResolvedValue({ items: [model] });
    const getEntitySummary = jest
      .fn()
      .mockRejectedValue(new Error('MLOps backend unavailable'));
    await renderCard({ getEntities }, { getEntitySummary });
    const table = await screen.findByRole('table', {
      name: 'Owned MLOps entities',
    });
    expect(within(table).getByText('Unknown')).toBeInTheDocument();
    expect(
      within(table).getByText(
        'Model · Health not available: MLOps backend unavailable',
      ),
    ).toBeInTheDocument();
    expect(screen.getByTestId('mlops-team-count-unknown')).toHaveTextContent(
      '1Unknown',
    );
    // Without an incidents API the column and the count are left out, not
    // shown as zero.
    expect(screen.queryByText('Open incidents')).not.toBeInTheDocument();
    expect(screen.queryByTestId('mlops-team-count-incidents')).toBeNull();
  });

  it('says so when the team owns nothing with an MLOps annotation', async () => {
    const getEntities = jest.fn().mockResolvedValue({ items: [plainService] });
    const getEntitySummary = jest.fn();
    await renderCard({ getEntities }, { getEntitySummary });
    expect(
      await screen.findByText('No ML models, pipelines or experiments'),
    ).toBeInTheDocument();
    expect(getEntitySummary).not.toHaveBeenCalled();
  });

  it('shows the error when the catalog cannot be queried', async () => {
    const getEntities = jest
      .fn()
      .mockRejectedValue(
        await backendError(503, 'catalog is down', '/entities'),
      );
    await renderCard({ getEntities }, { getEntitySummary: jest.fn() });
    expect(
      (await screen.findAllByText(/catalog is down/)).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('shows the worst ten first and the rest on request', async () => {
    const models = Array.from({ length: 12 }, (_, i) =>
      owned(
        'Component',
        `model-${String(i).padStart(2, '0')}`,
        'ml-model',
        'model',
      ),
    );
    const getEntities = jest.fn().mockResolvedValue({ items: models });
    // model-11 is the one unhealthy model: it must be in the first ten.
    const getEntitySummary = jest.fn(async ref =>
      summary('m', ref.name === 'model-11' ? 'unhealthy' : 'healthy', 'x'),
    );
    await renderCard({ getEntities }, { getEntitySummary });
    const table = await screen.findByRole('table', {
      name: 'Owned MLOps entities',
    });
    const links = () =>
      within(table)
        .getAllByRole('link')
        .map(l => l.textContent);
    expect(links()).toHaveLength(10);
    expect(links()[0]).toBe('model-11');
    expect(screen.getByTestId('mlops-team-count-healthy')).toHaveTextContent(
      '11Healthy',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Show all 12' }));
    expect(links()).toHaveLength(12);
  });
});
