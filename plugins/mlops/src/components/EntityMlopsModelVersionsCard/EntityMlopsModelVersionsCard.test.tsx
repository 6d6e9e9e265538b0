import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  backendError,
  renamedEntity,
  unannotatedEntity,
} from '../../__testUtils__/cards';
import {
  modelEntity,
  renderVersionsCard,
  version,
  withVersions,
} from '../../__testUtils__/modelVersions';
import { formatAge } from './EntityMlopsModelVersionsCard';

jest.setTimeout(30_000);

describe('EntityMlopsModelVersionsCard', () => {
  it('lists versions with stage, aliases, key metrics and age, and the history', async () => {
    const getEntityModels = jest.fn().mockResolvedValue(withVersions);
    await renderVersionsCard({ getEntityModels });

    const table = await screen.findByRole('table', {
      name: 'Versions of fraud-detection',
    });
    const rows = within(table).getAllByRole('row');
    expect(within(rows[0]).getByText('auc')).toBeInTheDocument();
    expect(within(rows[0]).getByText('val_loss')).toBeInTheDocument();
    expect(within(rows[1]).getByText('v3')).toBeInTheDocument();
    expect(within(rows[1]).getByText('Staging')).toBeInTheDocument();
    expect(within(rows[1]).getByText('@challenger')).toBeInTheDocument();
    expect(within(rows[1]).getByText('0.931')).toBeInTheDocument();
    expect(within(rows[1]).getByText('1 day ago')).toBeInTheDocument();
    expect(within(rows[2]).getByText('Production')).toBeInTheDocument();
    expect(within(rows[2]).getByText('@champion')).toBeInTheDocument();
    expect(within(rows[3]).getByText('20 days ago')).toBeInTheDocument();

    expect(
      screen.getByText('Rolled back to version 2 (Archived → Production)'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'user:default/ada · False positives doubled on weekend traffic',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Alias challenger set on version 3'),
    ).toBeInTheDocument();
    expect(getEntityModels).toHaveBeenCalledWith({
      kind: 'Component',
      namespace: 'default',
      name: 'fraud-detection',
    });
    // A pushed model has no source note.
    expect(screen.queryByText(/^from /)).not.toBeInTheDocument();
  });

  it('moves a version to another stage after the reason is given and confirmed, then reloads', async () => {
    const getEntityModels = jest.fn().mockResolvedValue(withVersions);
    const transitionModelVersionStage = jest.fn().mockResolvedValue({
      version: version(3, 'Production', {}),
      archived: [2],
    });
    await renderVersionsCard({ getEntityModels, transitionModelVersionStage });

    await userEvent.click(
      await screen.findByRole('button', { name: 'Change stage of version 3' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText('Move fraud-detection version 3'),
    ).toBeInTheDocument();
    const confirm = within(dialog).getByRole('button', {
      name: 'Move to Production',
    });
    // Without a reason there is nothing to confirm.
    expect(confirm).toBeDisabled();
    await userEvent.type(
      within(dialog).getByLabelText('Reason'),
      'Canary held for a week',
    );
    await userEvent.click(confirm);

    await waitFor(() =>
      expect(transitionModelVersionStage).toHaveBeenCalledWith({
        model: 'fraud-detection',
        version: 3,
        stage: 'Production',
        archiveExisting: true,
        reason: 'Canary held for a week',
      }),
    );
    await waitFor(() => expect(getEntityModels).toHaveBeenCalledTimes(2));
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
  });

  it('picks another stage from the list and keeps the dialog open with the message when refused', async () => {
    const transitionModelVersionStage = jest
      .fn()
      .mockRejectedValue(new Error('Model "fraud-detection" has no version 1'));
    await renderVersionsCard({
      getEntityModels: async () => withVersions,
      transitionModelVersionStage,
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Change stage of version 1' }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(
      within(dialog).getByRole('button', { name: /New stage/ }),
    );
    await userEvent.click(
      await screen.findByRole('option', { name: 'Staging' }),
    );
    await userEvent.type(within(dialog).getByLabelText('Reason'), 'retest');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Move to Staging' }),
    );
    expect(
      await within(dialog).findByText(
        'Model "fraud-detection" has no version 1',
      ),
    ).toBeInTheDocument();
    expect(transitionModelVersionStage).toHaveBeenCalledWith(
      expect.objectContaining({ version: 1, stage: 'Staging' }),
    );
  });

  it('rolls back Production with a reason', async () => {
    const rollbackModel = jest.fn().mockResolvedValue({
      from: 2,
      to: 1,
      version: version(1, 'Production', {}),
    });
    await renderVersionsCard({
      getEntityModels: async () => withVersions,
      rollbackModel,
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Roll back' }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(
      within(dialog).getByLabelText(/Reason/),
      'latency regression',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Roll back' }),
    );
    await waitFor(() =>
      expect(rollbackModel).toHaveBeenCalledWith({
        model: 'fraud-detection',
        reason: 'latency regression',
      }),
    );
  });

  it('disables the actions for users without permission', async () => {
    // usePermission caches decisions per permission and entity (SWR) across
    // renders; another entity keeps the earlier tests' "allowed" out of it.
    await renderVersionsCard(
      { getEntityModels: async () => withVersions },
      {
        allow: false,
        entity: renamedEntity(modelEntity, 'fraud-detection-shadow'),
      },
    );
    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: 'Change stage of version 3' }),
      ).toBeDisabled(),
    );
    expect(screen.getByRole('button', { name: 'Roll back' })).toBeDisabled();
  });

  it('notes the source instance of a model mirrored from MLflow', async () => {
    await renderVersionsCard({
      getEntityModels: async () => ({
        ...withVersions,
        models: withVersions.models.map(m => ({
          ...m,
          source: { type: 'mlflow', name: 'central' },
        })),
      }),
    });
    expect(await screen.findByText('from central')).toBeInTheDocument();
  });

  it('says so when the model has no versions', async () => {
    await renderVersionsCard({
      getEntityModels: async () => ({
        entityRef: 'component:default/fraud-detection',
        models: [
          { name: 'fraud-detection', known: true, versions: [], history: [] },
        ],
      }),
    });
    expect(
      await screen.findByText('No model versions yet'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('shows the backend error instead of versions', async () => {
    const error = await backendError(
      404,
      'No entity component:default/fraud-detection in the catalog',
    );
    await renderVersionsCard({
      getEntityModels: async () => {
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

  it('explains the missing annotation and never calls the backend', async () => {
    const getEntityModels = jest.fn();
    await renderVersionsCard(
      { getEntityModels },
      { entity: unannotatedEntity(modelEntity) },
    );
    expect(
      (await screen.findAllByText(/backstage-mlops\.dev\/model/)).length,
    ).toBeGreaterThan(0);
    expect(getEntityModels).not.toHaveBeenCalled();
  });

  it('shows progress while loading', async () => {
    await renderVersionsCard({ getEntityModels: () => new Promise(() => {}) });
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
  });
});

describe('formatAge', () => {
  it('rounds down to the largest whole unit', () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    expect(formatAge('2026-11-25T11:59:30Z', now)).toBe('just now');
    expect(formatAge('2026-11-25T10:30:00Z', now)).toBe('1 hour ago');
    expect(formatAge('2026-11-22T12:00:00Z', now)).toBe('3 days ago');
    expect(formatAge('2026-09-01T12:00:00Z', now)).toBe('2 months ago');
  });
});
