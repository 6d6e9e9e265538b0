import { Entity } from '@backstage/catalog-model';
import {
  EntityDriftView,
  StoredDriftReport,
} from '@backstage-mlops/plugin-mlops-common';
import { screen, within } from '@testing-library/react';
import {
  backendError,
  mlModelEntity,
  renderEntityCard,
  stubResizeObserver,
  unannotatedEntity,
} from '../../__testUtils__/cards';
import { MlopsApi } from '../../api';
import { EntityMlopsDriftCard } from './EntityMlopsDriftCard';

const modelEntity = mlModelEntity('fraud-detection');

function renderCard(entity: Entity, api: Partial<MlopsApi>) {
  return renderEntityCard(<EntityMlopsDriftCard />, { entity, api });
}

const quality = {
  rowCount: 1000,
  columnCount: 3,
  missingRatio: 0.01,
  duplicateRatio: 0,
  columnMissingRatio: { amount: 0.03, merchant_category: 0, card_present: 0 },
  requiredColumns: ['amount', 'merchant_category', 'card_present'],
  missingRequiredColumns: [],
  score: 0.99,
  threshold: 0.8,
  passed: true,
};

const driftedReport: StoredDriftReport = {
  id: 'r-2',
  model: 'fraud-detection',
  version: 2,
  source: 'schedule',
  datasetDrift: true,
  driftShare: 2 / 3,
  driftedCount: 2,
  featureCount: 3,
  driftShareThreshold: 0.5,
  driftedFeatures: ['amount', 'card_present'],
  features: [
    {
      feature: 'amount',
      type: 'numeric',
      test: 'wasserstein',
      statistic: 0.6123,
      pValue: null,
      distance: 0.6123,
      threshold: 0.1,
      drifted: true,
      missingRatio: { reference: 0, current: 0.03 },
      referenceCount: 3000,
      currentCount: 970,
    },
    {
      feature: 'merchant_category',
      type: 'categorical',
      test: 'chisquare',
      statistic: 3.2,
      pValue: 0.5249,
      distance: null,
      threshold: 0.05,
      drifted: false,
      missingRatio: { reference: 0, current: 0 },
      referenceCount: 3000,
      currentCount: 1000,
    },
    {
      feature: 'card_present',
      type: 'categorical',
      test: 'ztest',
      statistic: 7.5,
      pValue: 6.4e-14,
      distance: null,
      threshold: 0.05,
      drifted: true,
      missingRatio: { reference: 0, current: 0 },
      referenceCount: 3000,
      currentCount: 1000,
    },
  ],
  skippedFeatures: [],
  quality,
  referenceRows: 3000,
  currentRows: 1000,
  windowMinutes: 60,
  createdAt: '2026-11-25T12:00:00.000Z',
};

const driftView: EntityDriftView = {
  entityRef: 'component:default/fraud-detection',
  models: [
    {
      model: 'fraud-detection',
      baselineVersions: [2],
      latest: driftedReport,
      history: [
        {
          id: 'r-1',
          version: 2,
          driftShare: 0,
          datasetDrift: false,
          createdAt: '2026-11-24T12:00:00.000Z',
        },
        {
          id: 'r-2',
          version: 2,
          driftShare: 2 / 3,
          datasetDrift: true,
          createdAt: '2026-11-25T12:00:00.000Z',
        },
      ],
    },
  ],
};

// recharts' ResponsiveContainer measures itself with ResizeObserver, which
// browsers have and jsdom lacks.
beforeAll(stubResizeObserver);

describe('EntityMlopsDriftCard', () => {
  it('shows the verdict, a plain explanation and every feature of the latest report', async () => {
    const getEntityDrift = jest.fn().mockResolvedValue(driftView);
    await renderCard(modelEntity, { getEntityDrift });

    expect(
      await screen.findByText('Dataset drift detected'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /2 of 3 input features \(amount, card_present\) no longer look like the data version 2 of fraud-detection was checked against/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Data quality 0\.99 \(threshold 0\.8\) passes/),
    ).toBeInTheDocument();

    const table = screen.getByRole('table', {
      name: 'Drift per feature of fraud-detection',
    });
    const amountRow = within(table).getByText('amount').closest('tr')!;
    expect(
      within(amountRow).getByText('Wasserstein (normed)'),
    ).toBeInTheDocument();
    expect(within(amountRow).getByText('d = 0.612')).toBeInTheDocument();
    expect(within(amountRow).getByText('d ≥ 0.1')).toBeInTheDocument();
    expect(within(amountRow).getByText('Drifted')).toBeInTheDocument();

    const merchantRow = within(table)
      .getByText('merchant_category')
      .closest('tr')!;
    expect(within(merchantRow).getByText('p = 0.525')).toBeInTheDocument();
    expect(within(merchantRow).getByText('p < 0.05')).toBeInTheDocument();
    expect(within(merchantRow).getByText('Stable')).toBeInTheDocument();

    const cardRow = within(table).getByText('card_present').closest('tr')!;
    expect(within(cardRow).getByText('p = 6.40e-14')).toBeInTheDocument();

    expect(screen.getByText('Drift share over time')).toBeInTheDocument();
    expect(
      screen.getByRole('img', { name: 'Drift share over time' }),
    ).toBeInTheDocument();
    expect(getEntityDrift).toHaveBeenCalledWith({
      kind: 'Component',
      namespace: 'default',
      name: 'fraud-detection',
    });
  });

  it('says so plainly when nothing drifted', async () => {
    const stable: StoredDriftReport = {
      ...driftedReport,
      datasetDrift: false,
      driftShare: 0,
      driftedCount: 0,
      driftedFeatures: [],
      features: driftedReport.features.map(f => ({ ...f, drifted: false })),
    };
    await renderCard(modelEntity, {
      getEntityDrift: async () => ({
        ...driftView,
        models: [{ ...driftView.models[0], latest: stable, history: [] }],
      }),
    });
    expect(await screen.findByText('No dataset drift')).toBeInTheDocument();
    expect(
      screen.getByText(
        'The recent data looks like the reference data of version 2: none of the 3 input features changed noticeably.',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText('Drifted')).not.toBeInTheDocument();
  });

  it('explains how to get a first report when no check has run', async () => {
    await renderCard(modelEntity, {
      getEntityDrift: async () => ({
        entityRef: 'component:default/fraud-detection',
        models: [
          {
            model: 'fraud-detection',
            baselineVersions: [],
            latest: null,
            history: [],
          },
        ],
      }),
    });
    expect(await screen.findByText('No drift checks yet')).toBeInTheDocument();
    expect(
      screen.getByText(
        /upload a reference baseline for a version of fraud-detection/,
      ),
    ).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('shows the backend error instead of a report', async () => {
    const error = await backendError(404, 'No entity in the catalog');
    await renderCard(modelEntity, {
      getEntityDrift: async () => {
        throw error;
      },
    });
    expect(
      (await screen.findAllByText(/No entity in the catalog/)).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('names the model annotation on entities without it', async () => {
    const getEntityDrift = jest.fn();
    await renderCard(unannotatedEntity(modelEntity), { getEntityDrift });
    expect(
      (await screen.findAllByText(/backstage-mlops\.dev\/model/)).length,
    ).toBeGreaterThan(0);
    expect(getEntityDrift).not.toHaveBeenCalled();
  });

  it('shows progress while the report loads', async () => {
    await renderCard(modelEntity, {
      getEntityDrift: () => new Promise(() => {}),
    });
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
  });
});
