import { Entity } from '@backstage/catalog-model';
import { EntityHealthSummary } from '@backstage-mlops/plugin-mlops-common';
import { screen } from '@testing-library/react';
import {
  backendError,
  mlModelEntity,
  renderEntityCard,
  unannotatedEntity,
} from '../../__testUtils__/cards';
import { MlopsApi } from '../../api';
import { EntityMlopsHealthCard } from './EntityMlopsHealthCard';

const modelEntity = mlModelEntity('fraud-detection');

function renderCard(entity: Entity, api: Partial<MlopsApi>) {
  return renderEntityCard(<EntityMlopsHealthCard />, { entity, api });
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

  it('shows each reason with its evidence and the key metrics with sparklines', async () => {
    const series = [120, 130, 640, 812].map((latencyP95Ms, i) => ({
      at: `2026-11-25T10:${String(i * 5).padStart(2, '0')}:00Z`,
      count: 4000 + i,
      errorRate: 0.01,
      latencyP95Ms,
      accuracy: null,
    }));
    await renderCard(modelEntity, {
      getEntitySummary: async () =>
        summary({
          status: 'unhealthy',
          evaluatedAt: '2026-11-25T10:15:00Z',
          reasons: [
            {
              symptom: 'latency_high',
              severity: 'critical',
              message: 'p95 latency 812 ms is above the 500 ms threshold',
              subject: 'model:fraud-detection',
              observedAt: '2026-11-25T10:15:00Z',
              incidentId: 'inc-1',
              evidence: {
                values: { latencyP95Ms: 812, count: 4003 },
                threshold: 500,
                windowMinutes: 15,
              },
            },
          ],
          metrics: [
            {
              model: 'fraud-detection',
              windowMinutes: 15,
              baselineAccuracy: null,
              ...series[3],
              series,
            },
          ],
        }),
    });
    expect(await screen.findByText('Unhealthy')).toBeInTheDocument();
    expect(
      screen.getByText(
        /latencyP95Ms 812 ms · count 4003 · threshold 500 · window 15 min/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText(/High latency · model:fraud-detection/)).toBeInTheDocument();
    expect(screen.getByText(/incident open/)).toBeInTheDocument();
    expect(
      screen.getByText('Model fraud-detection, last 15 minutes'),
    ).toBeInTheDocument();
    expect(screen.getByText('812 ms')).toBeInTheDocument();
    expect(screen.getByText('1%')).toBeInTheDocument();
    expect(
      screen.getByRole('img', {
        name: 'p95 latency of fraud-detection over the last 4 checks',
      }),
    ).toBeInTheDocument();
    // Accuracy was never measured: no empty chart for it.
    expect(
      screen.queryByRole('img', { name: /^Accuracy of/ }),
    ).not.toBeInTheDocument();
  });

  it('says healthy when the detectors judged and found nothing', async () => {
    await renderCard(modelEntity, {
      getEntitySummary: async () =>
        summary({ status: 'healthy', evaluatedAt: '2026-11-25T10:15:00Z' }),
    });
    expect(await screen.findByText('Healthy')).toBeInTheDocument();
    expect(screen.getByText(/^No problems detected \(checked/)).toBeInTheDocument();
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
    const error = await backendError(404, 'No entity in the catalog');
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
    await renderCard(unannotatedEntity(modelEntity), { getEntitySummary });
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
