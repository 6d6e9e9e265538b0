import { Entity } from '@backstage/catalog-model';
import {
  EntityExperimentsResponse,
  Run,
  RunComparison,
} from '@backstage-mlops/plugin-mlops-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  backendError,
  renderEntityCard,
  stubResizeObserver,
  unannotatedEntity,
} from '../../__testUtils__/cards';
import { MlopsApi } from '../../api';
import { EntityMlopsExperimentRunsCard } from './EntityMlopsExperimentRunsCard';
import { isMlopsExperimentAvailable } from '../../conditions';

const experimentEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'fraud-detection-experiment',
    namespace: 'default',
    annotations: { 'backstage-mlops.dev/experiment': 'fraud-detection' },
  },
  spec: { type: 'ml-experiment', owner: 'risk-ml' },
};

const experiment = {
  id: '1',
  name: 'fraud-detection',
  tags: {},
  lifecycleStage: 'active' as const,
  createdAt: '2026-11-01T00:00:00Z',
  updatedAt: '2026-11-01T00:00:00Z',
};

function run(id: string, overrides: Partial<Run>): Run {
  return {
    id: id.repeat(32).slice(0, 32),
    experimentId: '1',
    experimentName: 'fraud-detection',
    status: 'FINISHED',
    startTime: '2026-11-20T10:00:00Z',
    endTime: '2026-11-20T10:42:05Z',
    user: 'user:default/ada',
    deleted: false,
    params: {},
    tags: {},
    metrics: {},
    ...overrides,
  };
}

const metric = (key: string, value: number | 'NaN') => ({
  key,
  value,
  step: 39,
  timestamp: 1,
});

const runs: Run[] = [
  run('a', {
    name: 'fraud-detection-tuned',
    params: { learning_rate: '0.1', max_depth: '8', n_estimators: '400' },
    metrics: {
      val_auc: metric('val_auc', 0.9712),
      train_loss: metric('train_loss', 0.1123),
    },
  }),
  run('b', {
    name: 'fraud-detection-baseline',
    params: { learning_rate: '0.05', max_depth: '6', n_estimators: '400' },
    metrics: {
      val_auc: metric('val_auc', 0.9304),
      train_loss: metric('train_loss', 0.1501),
    },
  }),
  run('c', {
    name: 'fraud-detection-tuning-6',
    status: 'FAILED',
    endTime: '2026-11-20T10:04:00Z',
    params: { learning_rate: '0.6', max_depth: '12', n_estimators: '400' },
    metrics: {
      val_auc: metric('val_auc', 0.61),
      train_loss: metric('train_loss', 'NaN'),
    },
  }),
];

const response: EntityExperimentsResponse = {
  entityRef: 'resource:default/fraud-detection-experiment',
  experiments: [{ experiment, runs }],
  missing: [],
};

function renderCard(entity: Entity, api: Partial<MlopsApi>) {
  return renderEntityCard(<EntityMlopsExperimentRunsCard />, { entity, api });
}

// userEvent interactions on a shared 2-core machine can take seconds.
jest.setTimeout(30_000);

// jsdom has no ResizeObserver, which recharts' ResponsiveContainer needs.
beforeAll(stubResizeObserver);

describe('EntityMlopsExperimentRunsCard', () => {
  it('lists the runs with status, duration, differing params and quality metrics', async () => {
    const getEntityExperiments = jest.fn().mockResolvedValue(response);
    await renderCard(experimentEntity, { getEntityExperiments });

    const table = await screen.findByRole('table', {
      name: 'Runs of fraud-detection',
    });
    expect(getEntityExperiments).toHaveBeenCalledWith({
      kind: 'Resource',
      namespace: 'default',
      name: 'fraud-detection-experiment',
    });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(4);
    // Params that differ between runs and AUC/loss metrics are the default columns.
    const header = within(rows[0]);
    expect(header.getByText('learning_rate')).toBeInTheDocument();
    expect(header.getByText('max_depth')).toBeInTheDocument();
    expect(header.getByText('val_auc')).toBeInTheDocument();
    expect(header.getByText('train_loss')).toBeInTheDocument();

    const tuned = within(rows[1]);
    expect(tuned.getByText('fraud-detection-tuned')).toBeInTheDocument();
    expect(tuned.getByText('Finished')).toBeInTheDocument();
    expect(tuned.getByText('42m 05s')).toBeInTheDocument();
    expect(tuned.getByText('0.9712')).toBeInTheDocument();
    const failed = within(rows[3]);
    expect(failed.getByText('Failed')).toBeInTheDocument();
    expect(failed.getByText('NaN')).toBeInTheDocument();
  });

  it('compares the selected runs: differences marked and one history per run for the chart', async () => {
    const user = userEvent.setup();
    const comparison: RunComparison = {
      runs: runs.slice(0, 2).map(r => ({
        id: r.id,
        name: r.name,
        status: r.status,
        experimentName: r.experimentName,
      })),
      params: [
        {
          key: 'learning_rate',
          values: { [runs[0].id]: '0.1', [runs[1].id]: '0.05' },
          differs: true,
        },
        {
          key: 'n_estimators',
          values: { [runs[0].id]: '400', [runs[1].id]: '400' },
          differs: false,
        },
      ],
      metrics: [
        {
          key: 'val_auc',
          values: { [runs[0].id]: 0.9712, [runs[1].id]: 0.9304 },
          differs: true,
        },
      ],
    };
    const compareRuns = jest.fn().mockResolvedValue(comparison);
    const getMetricHistory = jest.fn(async (runId: string, key: string) => ({
      runId,
      key,
      points: [
        { step: 0, value: 0.5, timestamp: 1 },
        { step: 1, value: 0.8, timestamp: 2 },
      ],
    }));
    await renderCard(experimentEntity, {
      getEntityExperiments: async () => response,
      compareRuns,
      getMetricHistory,
    });

    const compare = await screen.findByRole('button', { name: /Compare/ });
    expect(compare).toBeDisabled();
    await user.click(
      screen.getByRole('checkbox', {
        name: 'Select run fraud-detection-tuned',
      }),
    );
    expect(compare).toBeDisabled();
    await user.click(
      screen.getByRole('checkbox', {
        name: 'Select run fraud-detection-baseline',
      }),
    );
    expect(compare).toBeEnabled();
    await user.click(compare);

    expect(await screen.findByText('Comparing 2 runs')).toBeInTheDocument();
    expect(compareRuns).toHaveBeenCalledWith([runs[0].id, runs[1].id]);
    const paramTable = screen.getByRole('table', { name: 'Param' });
    const differing = within(paramTable)
      .getByText('learning_rate (differs)')
      .closest('tr')!;
    expect(differing).toHaveAttribute('data-differs', 'true');
    expect(
      within(paramTable).getByText('n_estimators').closest('tr'),
    ).toHaveAttribute('data-differs', 'false');
    expect(screen.getByRole('table', { name: 'Metric' })).toBeInTheDocument();
    // The chart plots the first metric column for each selected run.
    expect(
      await screen.findByRole('img', { name: 'val_auc over steps' }),
    ).toBeInTheDocument();
    expect(getMetricHistory).toHaveBeenCalledTimes(2);
    expect(getMetricHistory).toHaveBeenCalledWith(runs[0].id, 'val_auc');
    expect(getMetricHistory).toHaveBeenCalledWith(runs[1].id, 'val_auc');
  });

  it('says when the linked experiment has no runs yet', async () => {
    await renderCard(experimentEntity, {
      getEntityExperiments: async () => ({
        ...response,
        experiments: [{ experiment, runs: [] }],
      }),
    });
    expect(
      await screen.findByText('No runs in fraud-detection yet'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('says when the experiment is not in the store', async () => {
    await renderCard(experimentEntity, {
      getEntityExperiments: async () => ({
        ...response,
        experiments: [],
        missing: ['fraud-detection'],
      }),
    });
    expect(await screen.findByText('No experiment found')).toBeInTheDocument();
    expect(
      screen.getByText(/fraud-detection is not in the MLOps store yet/),
    ).toBeInTheDocument();
  });

  it('shows the backend error instead of runs', async () => {
    const error = await backendError(
      404,
      'No entity resource:default/x in the catalog',
    );
    await renderCard(experimentEntity, {
      getEntityExperiments: async () => {
        throw error;
      },
    });
    expect(
      (await screen.findAllByText(/No entity resource:default\/x/)).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('names the missing annotation on entities it does not apply to, without calling the backend', async () => {
    const getEntityExperiments = jest.fn();
    const plain = unannotatedEntity(experimentEntity);
    expect(isMlopsExperimentAvailable(plain)).toBe(false);
    await renderCard(plain, { getEntityExperiments });
    expect(
      (await screen.findAllByText(/backstage-mlops\.dev\/experiment/)).length,
    ).toBeGreaterThan(0);
    expect(getEntityExperiments).not.toHaveBeenCalled();
  });

  it('applies to ML model components through their model annotation', () => {
    expect(
      isMlopsExperimentAvailable({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: 'fraud',
          annotations: { 'backstage-mlops.dev/model': 'fraud' },
        },
        spec: { type: 'ml-model' },
      }),
    ).toBe(true);
  });

  it('shows progress while the runs load', async () => {
    await renderCard(experimentEntity, {
      getEntityExperiments: () => new Promise(() => {}),
    });
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
  });
});
