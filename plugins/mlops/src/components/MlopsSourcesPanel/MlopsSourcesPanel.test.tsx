import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import type { MlopsSourceStatus } from '@backstage-mlops/plugin-mlops-common';
import { screen } from '@testing-library/react';
import { MlopsApi, mlopsApiRef } from '../../api';
import { MlopsSourcesPanel } from './MlopsSourcesPanel';

const failing: MlopsSourceStatus = {
  type: 'mlflow',
  name: 'central',
  baseUrl: 'http://mlflow.internal:5000',
  offers: ['sync', 'webhook'],
  state: 'failing',
  lastSyncAt: '2026-12-03T12:00:00Z',
  lastSuccessAt: '2026-12-03T10:00:00Z',
  lagMs: 2 * 3_600_000 + 5 * 60_000,
  lastCounts: { models: 3, runs: 0 },
  mirrored: { model: 12, run: 480 },
  lastError: 'POST /api/2.0/mlflow/experiments/search answered 503',
  lastErrorAt: '2026-12-03T12:00:00Z',
  consecutiveFailures: 4,
};

function render(getSources: MlopsApi['getSources']) {
  return renderInTestApp(
    <TestApiProvider apis={[[mlopsApiRef, { getSources }]]}>
      <MlopsSourcesPanel />
    </TestApiProvider>,
  );
}

describe('MlopsSourcesPanel', () => {
  it('shows each instance with its state, lag, counts and last error', async () => {
    await render(async () => ({ items: [failing] }));
    expect(await screen.findByText('MLflow · central')).toBeInTheDocument();
    expect(screen.getByText('http://mlflow.internal:5000')).toBeInTheDocument();
    expect(screen.getByText('failing (4 in a row)')).toBeInTheDocument();
    expect(screen.getByText('2 h 5 min')).toBeInTheDocument();
    expect(screen.getByText('12 model, 480 run')).toBeInTheDocument();
    expect(screen.getByText('3 models')).toBeInTheDocument();
    expect(
      screen.getByText(/experiments\/search answered 503/),
    ).toBeInTheDocument();
  });

  it('says how to add a source when none is configured', async () => {
    await render(async () => ({ items: [] }));
    expect(
      await screen.findByText('No sources configured'),
    ).toBeInTheDocument();
  });

  it('shows the error when the status cannot be read', async () => {
    await render(async () => {
      throw new Error('The MLOps backend answered 503');
    });
    expect(
      await screen.findByText('Error: The MLOps backend answered 503'),
    ).toBeInTheDocument();
    expect(screen.queryByText('No sources configured')).not.toBeInTheDocument();
  });
});
