import { Entity } from '@backstage/catalog-model';
import {
  MlopsEntityMetrics,
  MlopsModelMetrics,
  MlopsPredictionStats,
} from '@backstage-mlops/plugin-mlops-common';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import {
  backendError,
  mlModelEntity,
  renderEntityCard,
  stubResizeObserver,
} from '../../__testUtils__/cards';
import { MlopsApi } from '../../api';
import { EntityMlopsMetricsCard } from './EntityMlopsMetricsCard';

const modelEntity = mlModelEntity('market-master');

function stats(
  overrides: Partial<MlopsPredictionStats> = {},
): MlopsPredictionStats {
  return {
    count: 0,
    errors: 0,
    throughputPerMinute: 0,
    errorRate: null,
    latencyP50Ms: null,
    latencyP95Ms: null,
    latencyP99Ms: null,
    labelled: 0,
    accuracy: null,
    meanConfidence: null,
    ...overrides,
  };
}

function model(overrides: Partial<MlopsModelMetrics> = {}): MlopsModelMetrics {
  return {
    model: 'market-master',
    totals: stats({
      count: 4320,
      errors: 43,
      throughputPerMinute: 3,
      errorRate: 0.0099,
      latencyP50Ms: 64,
      latencyP95Ms: 1240,
      latencyP99Ms: 1900,
      labelled: 3400,
      accuracy: 0.68,
    }),
    series: [
      {
        start: '2026-11-25T11:00:00.000Z',
        ...stats({ count: 180, throughputPerMinute: 3 }),
      },
    ],
    baseline: { source: 'registry', version: 3, accuracy: 0.75 },
    degradation: { accuracy: (0.75 - 0.68) / 0.75 },
    environments: ['production', 'staging'],
    ...overrides,
  };
}

function response(models: MlopsModelMetrics[]): MlopsEntityMetrics {
  return {
    entityRef: 'component:default/market-master',
    window: '24h',
    bucketMinutes: 15,
    from: '2026-11-24T12:45:00.000Z',
    to: '2026-11-25T12:45:00.000Z',
    models,
  };
}

function renderCard(entity: Entity, api: Partial<MlopsApi>) {
  return renderEntityCard(<EntityMlopsMetricsCard />, { entity, api });
}

// Selecting from MUI menus is slow in jsdom on a busy machine.
jest.setTimeout(30_000);

// recharts' ResponsiveContainer measures itself with ResizeObserver, which
// jsdom lacks; a no-op one leaves the charts empty and the numbers testable.
beforeAll(stubResizeObserver);

describe('EntityMlopsMetricsCard', () => {
  it('shows throughput, error rate, latency and accuracy against the baseline', async () => {
    const getEntityMetrics = jest.fn().mockResolvedValue(response([model()]));
    await renderCard(modelEntity, { getEntityMetrics });

    expect(await screen.findByLabelText('Latency p95')).toHaveTextContent(
      '1.2 s',
    );
    expect(screen.getByLabelText('Throughput')).toHaveTextContent('3.0/min');
    expect(screen.getByLabelText('Error rate')).toHaveTextContent('0.99 %');
    expect(screen.getByLabelText('Accuracy')).toHaveTextContent('68.0 %');
    expect(
      screen.getByText(
        /baseline 75\.0 % \(version 3 evaluation\) · 9\.3 % below baseline/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('4,320 predictions')).toBeInTheDocument();
    // The accuracy chart is there because the model has labels.
    expect(
      screen.getByText('Accuracy', { selector: 'h6' }),
    ).toBeInTheDocument();
    expect(getEntityMetrics).toHaveBeenCalledWith(
      { kind: 'Component', namespace: 'default', name: 'market-master' },
      { window: '24h', environment: undefined },
    );
  });

  it('names the monitoring instance the figures were read from', async () => {
    const getEntityMetrics = jest.fn().mockResolvedValue(
      response([
        model({
          source: { type: 'prometheus', name: 'default' },
          totals: stats({
            count: 6000,
            throughputPerMinute: 100,
            errorRate: 0.01,
            latencyP95Ms: 42,
          }),
          baseline: undefined,
          degradation: { accuracy: null },
        }),
      ]),
    );
    await renderCard(modelEntity, { getEntityMetrics });
    expect(
      await screen.findByText('from default (prometheus)'),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Latency p95')).toHaveTextContent('42');
  });

  it('says nothing about a source for pushed figures', async () => {
    const getEntityMetrics = jest.fn().mockResolvedValue(response([model()]));
    await renderCard(modelEntity, { getEntityMetrics });
    await screen.findByLabelText('Latency p95');
    expect(screen.queryByText(/^from /)).not.toBeInTheDocument();
  });

  it('asks for another window and environment when the user picks one', async () => {
    const getEntityMetrics = jest.fn().mockResolvedValue(response([model()]));
    await renderCard(modelEntity, { getEntityMetrics });
    await screen.findByLabelText('Latency p95');

    fireEvent.click(screen.getByRole('button', { name: '7 days' }));
    await waitFor(() =>
      expect(getEntityMetrics).toHaveBeenLastCalledWith(expect.anything(), {
        window: '7d',
        environment: undefined,
      }),
    );

    await screen.findByLabelText('Latency p95');
    fireEvent.mouseDown(screen.getByRole('button', { name: 'Environment' }));
    fireEvent.click(await screen.findByRole('option', { name: 'staging' }));
    await waitFor(() =>
      expect(getEntityMetrics).toHaveBeenLastCalledWith(expect.anything(), {
        window: '7d',
        environment: 'staging',
      }),
    );
  });

  it('says so when a model has no labels instead of showing an accuracy', async () => {
    const getEntityMetrics = jest.fn().mockResolvedValue(
      response([
        model({
          totals: stats({ count: 10, throughputPerMinute: 0.2, errorRate: 0 }),
          baseline: undefined,
          degradation: { accuracy: null },
        }),
      ]),
    );
    await renderCard(modelEntity, { getEntityMetrics });
    expect(await screen.findByLabelText('Accuracy')).toHaveTextContent(
      'no labels',
    );
    expect(screen.queryByText('Accuracy', { selector: 'h6' })).toBeNull();
  });

  it('shows an empty state when no predictions were reported', async () => {
    const getEntityMetrics = jest
      .fn()
      .mockResolvedValue(response([model({ totals: stats(), series: [] })]));
    await renderCard(modelEntity, { getEntityMetrics });
    expect(
      await screen.findByText('No predictions in the last 24 hours'),
    ).toBeInTheDocument();
  });

  it('shows the error when the backend fails', async () => {
    const getEntityMetrics = jest
      .fn()
      .mockRejectedValue(
        await backendError(400, 'Invalid metrics query: window'),
      );
    await renderCard(modelEntity, { getEntityMetrics });
    expect(
      (await screen.findAllByText(/Invalid metrics query: window/)).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByLabelText('Latency p95')).toBeNull();
  });

  it('explains the missing annotation and calls nothing', async () => {
    const getEntityMetrics = jest.fn();
    await renderCard(
      { ...modelEntity, metadata: { name: 'website', annotations: {} } },
      { getEntityMetrics },
    );
    expect(
      await screen.findByText('backstage-mlops.dev/model', {
        selector: 'code',
      }),
    ).toBeInTheDocument();
    expect(getEntityMetrics).not.toHaveBeenCalled();
  });
});
