import { Entity } from '@backstage/catalog-model';
import { EntityDeploymentsResponse } from '@backstage-mlops/plugin-mlops-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  backendError,
  mlModelEntity,
  renamedEntity,
  renderEntityCard,
} from '../../__testUtils__/cards';
import { MlopsApi } from '../../api';
import { EntityMlopsDeploymentsCard } from './EntityMlopsDeploymentsCard';

// userEvent typing is slow on the shared 2-core machine.
jest.setTimeout(30_000);

const modelEntity = mlModelEntity('fraud-detection');

const withDeployments: EntityDeploymentsResponse = {
  entityRef: 'component:default/fraud-detection',
  models: [
    {
      model: 'fraud-detection',
      known: true,
      current: [
        {
          id: '11',
          environment: 'production',
          version: 2,
          status: 'succeeded',
          message: 'Rollout complete: 6/6 replicas ready',
          updatedAt: '2026-11-24T10:30:00Z',
        },
        {
          id: '12',
          environment: 'staging',
          version: 4,
          status: 'stuck',
          updatedAt: '2026-11-24T11:00:00Z',
        },
      ],
      history: [
        {
          id: '12',
          model: 'fraud-detection',
          version: 4,
          environment: 'staging',
          target: 'record',
          status: 'stuck',
          createdAt: '2026-11-24T10:40:00Z',
          updatedAt: '2026-11-24T11:00:00Z',
        },
        {
          id: '11',
          model: 'fraud-detection',
          version: 2,
          environment: 'production',
          target: 'record',
          status: 'succeeded',
          rollbackOf: '10',
          reason: 'v3 never became ready',
          requestedBy: 'user:default/guest',
          createdAt: '2026-11-24T10:20:00Z',
          updatedAt: '2026-11-24T10:30:00Z',
        },
        {
          id: '10',
          model: 'fraud-detection',
          version: 3,
          environment: 'production',
          target: 'record',
          status: 'rolled_back',
          message: 'Readiness probe failed',
          createdAt: '2026-11-24T09:00:00Z',
          updatedAt: '2026-11-24T10:20:00Z',
        },
      ],
    },
  ],
};

function renderCard(
  api: Partial<MlopsApi>,
  allow = true,
  entity: Entity = modelEntity,
) {
  return renderEntityCard(<EntityMlopsDeploymentsCard />, {
    entity,
    api,
    permission: allow,
  });
}

describe('EntityMlopsDeploymentsCard', () => {
  it('shows the current version and status per environment and the history', async () => {
    const getEntityDeployments = jest.fn().mockResolvedValue(withDeployments);
    await renderCard({ getEntityDeployments });

    const current = await screen.findByRole('table', {
      name: 'Current deployments of fraud-detection',
    });
    const rows = within(current).getAllByRole('row');
    expect(within(rows[1]).getByText('production')).toBeInTheDocument();
    expect(within(rows[1]).getByText('v2')).toBeInTheDocument();
    expect(within(rows[1]).getByText('Succeeded')).toBeInTheDocument();
    expect(
      within(rows[1]).getByText('Rollout complete: 6/6 replicas ready'),
    ).toBeInTheDocument();
    expect(within(rows[2]).getByText('Stuck')).toBeInTheDocument();
    // A deployment still in flight cannot be rolled back.
    expect(
      within(rows[2]).queryByRole('button', { name: /Roll back/ }),
    ).not.toBeInTheDocument();

    const history = screen.getByRole('table', {
      name: 'Deployment history of fraud-detection',
    });
    expect(within(history).getByText('Rolled back')).toBeInTheDocument();
    expect(
      within(history).getByText(
        'Rollback: v3 never became ready · by user:default/guest',
      ),
    ).toBeInTheDocument();
    expect(getEntityDeployments).toHaveBeenCalledWith({
      kind: 'Component',
      namespace: 'default',
      name: 'fraud-detection',
    });
  });

  it('says so when the model was never deployed', async () => {
    await renderCard({
      getEntityDeployments: async () => ({
        entityRef: 'component:default/fraud-detection',
        models: [
          { model: 'fraud-detection', known: true, current: [], history: [] },
        ],
      }),
    });
    expect(await screen.findByText('No deployments yet')).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Deploy fraud-detection' }),
    ).toBeEnabled();
  });

  it('shows the backend error', async () => {
    const error = await backendError(
      404,
      'No entity component:default/fraud-detection in the catalog',
    );
    await renderCard({
      getEntityDeployments: async () => {
        throw error;
      },
    });
    expect(
      (
        await screen.findAllByText(
          /No entity component:default\/fraud-detection/,
        )
      ).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('rolls back an environment after a reason is given and confirmed, then reloads', async () => {
    const getEntityDeployments = jest.fn().mockResolvedValue(withDeployments);
    const rollbackDeployment = jest.fn().mockResolvedValue({});
    await renderCard({ getEntityDeployments, rollbackDeployment });

    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Roll back fraud-detection in production',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText('Roll back fraud-detection in production'),
    ).toBeInTheDocument();
    const confirm = within(dialog).getByRole('button', { name: 'Roll back' });
    expect(confirm).toBeDisabled();
    await userEvent.type(
      within(dialog).getByLabelText(/Reason/),
      'latency doubled',
    );
    await userEvent.click(confirm);

    expect(rollbackDeployment).toHaveBeenCalledWith({
      model: 'fraud-detection',
      environment: 'production',
      reason: 'latency doubled',
    });
    await screen.findByRole('table', {
      name: 'Current deployments of fraud-detection',
    });
    expect(getEntityDeployments).toHaveBeenCalledTimes(2);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('keeps the dialog open with the message when the backend refuses', async () => {
    const rollbackDeployment = jest
      .fn()
      .mockRejectedValue(
        new Error(
          'Deployment 12 of fraud-detection to staging is still in_progress',
        ),
      );
    await renderCard({
      getEntityDeployments: async () => withDeployments,
      rollbackDeployment,
    });
    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Roll back fraud-detection in production',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText(/Reason/), 'bad');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Roll back' }),
    );
    expect(
      await within(dialog).findByText(/is still in_progress/),
    ).toBeInTheDocument();
  });

  it('hides rollback and disables deploy without permission', async () => {
    // usePermission caches decisions per permission and entity (SWR) across
    // renders; another entity keeps the earlier tests' "allowed" out of it.
    await renderCard(
      { getEntityDeployments: async () => withDeployments },
      false,
      renamedEntity(modelEntity, 'fraud-detection-shadow'),
    );
    await screen.findByRole('table', {
      name: 'Current deployments of fraud-detection',
    });
    await waitFor(() =>
      expect(
        screen.queryByRole('button', { name: /Roll back/ }),
      ).not.toBeInTheDocument(),
    );
    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: 'Deploy fraud-detection' }),
      ).toBeDisabled(),
    );
  });
});
