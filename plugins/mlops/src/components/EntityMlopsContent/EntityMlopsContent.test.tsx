import { Entity } from '@backstage/catalog-model';
import { screen } from '@testing-library/react';
import {
  mlModelEntity,
  renderEntityCard,
  stubResizeObserver,
} from '../../__testUtils__/cards';
import { MlopsApi } from '../../api';
import { EntityMlopsContent, XL_ROW_HEIGHTS } from './EntityMlopsContent';

// Every card asks the backend; answers that never come keep each card in
// its progress state, which is all the layout test needs.
const pending = () => new Promise<never>(() => {});
const api = new Proxy({} as Partial<MlopsApi>, {
  get: (_target, key) => (key === 'then' ? undefined : pending),
});

function entityOf(
  name: string,
  kind: string,
  type: string,
  annotations: Record<string, string>,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, namespace: 'default', annotations },
    spec: { type, owner: 'risk-ml' },
  };
}

function cellsInOrder(): string[] {
  return screen
    .getAllByTestId(/^mlops-tab-/)
    .map(cell => cell.getAttribute('data-testid')!.replace('mlops-tab-', ''));
}

describe('EntityMlopsContent', () => {
  beforeAll(stubResizeObserver);

  it('lays out a model: health and incidents, triage, metrics and drift, deployments and versions, then runs', async () => {
    await renderEntityCard(<EntityMlopsContent />, {
      entity: mlModelEntity('market-master'),
      api,
      permission: false,
    });
    expect(cellsInOrder()).toEqual([
      'health',
      'incidents',
      'triage',
      'metrics',
      'drift',
      'deployments',
      'versions',
      'experiment-runs',
    ]);
    expect(screen.getByText('MLOps health')).toBeInTheDocument();
    expect(screen.getByText('Model versions')).toBeInTheDocument();
    // Pairs sit side by side on wide screens, each half of the row.
    expect(screen.getByTestId('mlops-tab-metrics').className).toMatch(
      /MuiGrid-grid-lg-6/,
    );
    expect(screen.getByTestId('mlops-tab-health').className).toMatch(
      /MuiGrid-grid-md-6/,
    );
    // From 1920 px: health over incidents in one column, then triage and
    // metrics in the first row; drift and deployments in the next; versions
    // and runs in the last.
    const xl = (cell: string) =>
      Number(
        /MuiGrid-grid-xl-(\d+)/.exec(
          screen.getByTestId(`mlops-tab-${cell}`).className,
        )?.[1],
      );
    expect([xl('health'), xl('incidents')]).toEqual([12, 12]);
    expect(
      screen.getByTestId('mlops-tab-health').parentElement!.parentElement!
        .className,
    ).toMatch(/MuiGrid-grid-xl-3/);
    expect(
      [
        ['triage', 'metrics'],
        ['drift', 'deployments'],
        ['versions', 'experiment-runs'],
      ].map(row => row.reduce((sum, cell) => sum + xl(cell), 0)),
    ).toEqual([9, 12, 12]);
    expect(screen.getByTestId('mlops-tab-triage').className).not.toMatch(
      /MuiGrid-grid-(md|lg)-/,
    );
    // Each row is capped from 1920 px; the card's body scrolls beyond it.
    expect(
      screen
        .getByTestId('mlops-tab-triage')
        .style.getPropertyValue('--mlops-row-height'),
    ).toBe(`${XL_ROW_HEIGHTS.first}px`);
    expect(
      screen
        .getByTestId('mlops-tab-experiment-runs')
        .style.getPropertyValue('--mlops-row-height'),
    ).toBe(`${XL_ROW_HEIGHTS.third}px`);
  });

  it('lays out a pipeline with its pipeline runs and no model cards', async () => {
    await renderEntityCard(<EntityMlopsContent />, {
      entity: entityOf('market-master-training', 'Component', 'ml-pipeline', {
        'backstage-mlops.dev/pipeline': 'market-master-training',
      }),
      api,
      permission: false,
    });
    expect(cellsInOrder()).toEqual([
      'health',
      'incidents',
      'triage',
      'pipeline-runs',
    ]);
  });

  it('lays out an experiment with its runs', async () => {
    await renderEntityCard(<EntityMlopsContent />, {
      entity: entityOf(
        'market-master-experiments',
        'Resource',
        'ml-experiment',
        {
          'backstage-mlops.dev/experiment': 'market-master',
        },
      ),
      api,
      permission: false,
    });
    expect(cellsInOrder()).toEqual([
      'health',
      'incidents',
      'triage',
      'experiment-runs',
    ]);
    expect(screen.queryByText('Prediction metrics')).toBeNull();
  });
});
