import { Entity } from '@backstage/catalog-model';
import { MlopsIncident } from '@backstage-mlops/plugin-mlops-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import {
  backendError,
  mlModelEntity,
  renamedEntity,
  renderEntityCard,
  unannotatedEntity,
} from '../../__testUtils__/cards';
import { MlopsApi } from '../../api';
import { EntityMlopsIncidentsCard } from './EntityMlopsIncidentsCard';

const modelEntity = mlModelEntity('market-master');

const latencyIncident: MlopsIncident = {
  id: 'inc-1',
  object: { kind: 'model', name: 'market-master' },
  symptom: 'latency_high',
  severity: 'critical',
  status: 'open',
  message: 'p95 latency 812 ms is above the 500 ms threshold (4210 predictions in 15 min)',
  evidence: {
    values: { latencyP95Ms: 812, count: 4210 },
    threshold: 500,
    windowMinutes: 15,
  },
  openedAt: '2026-11-25T10:00:00Z',
  updatedAt: '2026-11-25T10:05:00Z',
  timeline: [
    {
      type: 'opened',
      at: '2026-11-25T10:00:00Z',
      message: 'p95 latency 700 ms is above the 500 ms threshold',
    },
    {
      type: 'evidence_updated',
      at: '2026-11-25T10:05:00Z',
      message: 'p95 latency 812 ms is above the 500 ms threshold',
    },
  ],
};

const resolvedIncident: MlopsIncident = {
  id: 'inc-0',
  object: { kind: 'pipeline', name: 'market-master-training' },
  symptom: 'pipeline_failed',
  severity: 'critical',
  status: 'resolved',
  message: 'Run r-7 failed (oom_killed): OOMKilled',
  openedAt: '2026-11-24T02:00:00Z',
  updatedAt: '2026-11-24T05:00:00Z',
  resolvedAt: '2026-11-24T05:00:00Z',
  timeline: [
    { type: 'opened', at: '2026-11-24T02:00:00Z', message: 'Run r-7 failed' },
    {
      type: 'resolved',
      at: '2026-11-24T05:00:00Z',
      message: 'Resolved automatically: the symptom stayed clear for 15 minutes',
    },
  ],
};

function renderCard(
  api: Partial<MlopsApi>,
  options: { entity?: Entity; allow?: boolean } = {},
) {
  return renderEntityCard(<EntityMlopsIncidentsCard />, {
    entity: options.entity ?? modelEntity,
    api,
    permission: options.allow !== false,
  });
}

const response = (items: MlopsIncident[]) => ({
  entityRef: 'component:default/market-master',
  items,
});

describe('EntityMlopsIncidentsCard', () => {
  it('shows open and resolved incidents with evidence and timeline', async () => {
    const getEntityIncidents = jest
      .fn()
      .mockResolvedValue(response([latencyIncident, resolvedIncident]));
    await renderCard({ getEntityIncidents });

    expect(await screen.findByText('1 open incident')).toBeInTheDocument();
    expect(
      screen.getByText('High latency on model market-master'),
    ).toBeInTheDocument();
    expect(screen.getByText('Open · critical')).toBeInTheDocument();
    expect(
      screen.getByText(
        'latencyP95Ms 812 ms · count 4210 · threshold 500 · window 15 min',
      ),
    ).toBeInTheDocument();
    const timeline = screen.getByRole('list', {
      name: 'Timeline of High latency on model market-master',
    });
    expect(within(timeline).getByText(/^Evidence updated/)).toBeInTheDocument();

    expect(
      screen.getByText('Pipeline failed on pipeline market-master-training'),
    ).toBeInTheDocument();
    expect(screen.getByText(/resolved .* automatically/)).toBeInTheDocument();
    expect(getEntityIncidents).toHaveBeenCalledWith({
      kind: 'Component',
      namespace: 'default',
      name: 'market-master',
    });
  });

  it('acknowledges an incident and shows the refreshed state', async () => {
    const acknowledged: MlopsIncident = {
      ...latencyIncident,
      status: 'acknowledged',
      acknowledgedBy: 'user:default/alice',
      acknowledgedAt: '2026-11-25T10:06:00Z',
      timeline: [
        ...latencyIncident.timeline,
        {
          type: 'acknowledged',
          at: '2026-11-25T10:06:00Z',
          actor: 'user:default/alice',
          message: 'Acknowledged',
        },
      ],
    };
    const getEntityIncidents = jest
      .fn()
      .mockResolvedValueOnce(response([latencyIncident]))
      .mockResolvedValue(response([acknowledged]));
    const acknowledgeIncident = jest.fn().mockResolvedValue(acknowledged);
    await renderCard({ getEntityIncidents, acknowledgeIncident });

    fireEvent.click(await screen.findByRole('button', { name: 'Acknowledge' }));

    expect(
      await screen.findByText(/acknowledged by user:default\/alice/),
    ).toBeInTheDocument();
    expect(acknowledgeIncident).toHaveBeenCalledWith('inc-1');
    expect(
      screen.queryByRole('button', { name: 'Acknowledge' }),
    ).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Resolve' })).toBeEnabled();
  });

  it('shows why a resolve failed and keeps the incident', async () => {
    const getEntityIncidents = jest
      .fn()
      .mockResolvedValue(response([latencyIncident]));
    const resolveIncident = jest
      .fn()
      .mockRejectedValue(new Error('Incident inc-1 is already resolved'));
    await renderCard({ getEntityIncidents, resolveIncident });

    fireEvent.click(await screen.findByRole('button', { name: 'Resolve' }));
    expect(
      await screen.findByText('Incident inc-1 is already resolved'),
    ).toBeInTheDocument();
    expect(screen.getByText('Open · critical')).toBeInTheDocument();
  });

  it('disables the actions for those who may not change incidents', async () => {
    await renderCard(
      { getEntityIncidents: async () => response([latencyIncident]) },
      // usePermission caches decisions per resource, so this test uses an
      // entity no other test has asked about.
      {
        allow: false,
        entity: renamedEntity(modelEntity, 'market-master-prod'),
      },
    );
    await screen.findByText('1 open incident');
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Acknowledge' })).toBeDisabled(),
    );
    expect(screen.getByRole('button', { name: 'Resolve' })).toBeDisabled();
  });

  it('says so when there are no incidents', async () => {
    await renderCard({ getEntityIncidents: async () => response([]) });
    expect(await screen.findByText('No incidents')).toBeInTheDocument();
  });

  it('shows the backend error', async () => {
    const error = await backendError(404, 'No entity in the catalog');
    await renderCard({
      getEntityIncidents: async () => {
        throw error;
      },
    });
    expect(
      (await screen.findAllByText(/No entity in the catalog/)).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByText('No incidents')).not.toBeInTheDocument();
  });

  it('explains the missing annotation without calling the backend', async () => {
    const getEntityIncidents = jest.fn();
    await renderCard(
      { getEntityIncidents },
      { entity: unannotatedEntity(modelEntity) },
    );
    expect(
      (await screen.findAllByText(/backstage-mlops\.dev\/model/)).length,
    ).toBeGreaterThan(0);
    expect(getEntityIncidents).not.toHaveBeenCalled();
  });
});
