import {
  ModelVersionComparison,
  RetentionResult,
} from '@backstage-mlops/plugin-mlops-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { backendError, renamedEntity } from '../../__testUtils__/cards';
import {
  modelEntity,
  renderVersionsCard,
  withVersions,
} from '../../__testUtils__/modelVersions';
import { aliasProblem } from './VersionDialogs';

jest.setTimeout(30_000);

// The version actions beyond stages and rollback: aliases, compare and
// retention. Each test that needs a permission decision other than "allowed"
// renders an entity no earlier test rendered (see renamedEntity).

const dialog = () => screen.findByRole('dialog');

describe('EntityMlopsModelVersionsCard aliases', () => {
  it('moves an alias to another version after saying what changes, then reloads', async () => {
    const getEntityModels = jest.fn(async () => withVersions);
    const setModelAlias = jest.fn(
      async () => withVersions.models[0].versions[0],
    );
    await renderVersionsCard({ getEntityModels, setModelAlias });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Set alias' }),
    );
    const d = await dialog();
    await userEvent.type(within(d).getByLabelText('Alias'), 'champion');
    // The version picker starts at the newest version, v3.
    expect(within(d).getByTestId('mlops-alias-change')).toHaveTextContent(
      '@champion moves from version 2 to version 3.',
    );
    await userEvent.type(
      within(d).getByLabelText(/Reason/),
      'v3 wins the A/B test',
    );
    await userEvent.click(
      within(d).getByRole('button', { name: 'Set @champion' }),
    );
    await waitFor(() =>
      expect(setModelAlias).toHaveBeenCalledWith({
        model: 'fraud-detection',
        alias: 'champion',
        version: 3,
        reason: 'v3 wins the A/B test',
      }),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(getEntityModels).toHaveBeenCalledTimes(2);
  });

  it('says a new alias is new, refuses reserved names, and keeps the dialog open with the refusal', async () => {
    const setModelAlias = jest.fn(async () => {
      throw await backendError(400, 'Alias shadow is not allowed here');
    });
    await renderVersionsCard({
      getEntityModels: async () => withVersions,
      setModelAlias,
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Set alias' }),
    );
    const d = await dialog();
    const name = within(d).getByLabelText('Alias');
    await userEvent.type(name, 'latest');
    expect(
      within(d).getByText(/always means another version/),
    ).toBeInTheDocument();
    await userEvent.clear(name);
    await userEvent.type(name, 'shadow');
    expect(within(d).getByTestId('mlops-alias-change')).toHaveTextContent(
      '@shadow is new: it will point at version 3.',
    );
    await userEvent.type(within(d).getByLabelText(/Reason/), 'shadow traffic');
    await userEvent.click(
      within(d).getByRole('button', { name: 'Set @shadow' }),
    );
    expect(
      await within(d).findByText('Alias shadow is not allowed here'),
    ).toBeInTheDocument();
    expect(screen.getByRole('dialog')).toBeInTheDocument();
  });

  it('removes an alias from its chip after naming the version it leaves', async () => {
    const deleteModelAlias = jest.fn(async () => undefined);
    await renderVersionsCard({
      getEntityModels: async () => withVersions,
      deleteModelAlias,
    });
    const chip = (await screen.findByText('@challenger')).closest(
      '[class*="MuiChip-root"]',
    )!;
    await userEvent.click(
      chip.querySelector('svg[class*="MuiChip-deleteIcon"]')!,
    );
    const d = await dialog();
    expect(d).toHaveTextContent('@challenger stops pointing at version 3');
    await userEvent.type(within(d).getByLabelText(/Reason/), 'v3 lost');
    await userEvent.click(
      within(d).getByRole('button', { name: 'Remove @challenger' }),
    );
    await waitFor(() =>
      expect(deleteModelAlias).toHaveBeenCalledWith({
        model: 'fraud-detection',
        alias: 'challenger',
        reason: 'v3 lost',
      }),
    );
  });

  it('accepts the alias names the registry accepts', () => {
    expect(aliasProblem('champion')).toBeUndefined();
    expect(aliasProblem('blue_green-2')).toBeUndefined();
    expect(aliasProblem('v3')).toMatch(/cannot be set by hand/);
    expect(aliasProblem('with space')).toMatch(/Letters, digits/);
  });
});

const comparison: ModelVersionComparison = {
  model: 'fraud-detection',
  a: withVersions.models[0].versions[1],
  b: withVersions.models[0].versions[0],
  metrics: [
    { key: 'auc', a: 0.927, b: 0.931, direction: 'higher', better: 'b' },
    { key: 'val_loss', a: 0.226, b: 0.221, direction: 'lower', better: 'b' },
    { key: 'latency_ms', a: 40, b: null, direction: 'lower', better: null },
  ],
  params: [{ key: 'lr', a: '0.01', b: '0.02', different: true }],
};

describe('EntityMlopsModelVersionsCard compare', () => {
  it('compares Production with the newest version, metric by metric with the better one', async () => {
    const compareModelVersions = jest.fn(async () => comparison);
    await renderVersionsCard({
      getEntityModels: async () => withVersions,
      compareModelVersions,
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Compare' }),
    );
    const d = await dialog();
    const table = await within(d).findByRole('table', {
      name: 'Metrics of v2 and v3',
    });
    expect(compareModelVersions).toHaveBeenCalledWith({
      model: 'fraud-detection',
      a: 2,
      b: 3,
    });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map(r => r.getAttribute('data-better'))).toEqual([
      'b',
      'b',
      'none',
    ]);
    expect(rows[0]).toHaveTextContent('higher is better');
    expect(rows[1]).toHaveTextContent('lower is better');
    expect(within(rows[1]).getAllByRole('cell')[3]).toHaveTextContent('v3');
    expect(within(rows[2]).getAllByRole('cell')[3]).toHaveTextContent(
      'not comparable',
    );
    expect(d).toHaveTextContent('Params that differ: lr (0.01 → 0.02)');
  });

  it('says so when neither version has metrics, and shows a backend error', async () => {
    const compareModelVersions = jest
      .fn()
      .mockResolvedValueOnce({ ...comparison, metrics: [], params: [] })
      .mockRejectedValueOnce(
        await backendError(404, 'Version 1 of fraud-detection not found'),
      );
    await renderVersionsCard({
      getEntityModels: async () => withVersions,
      compareModelVersions,
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Compare' }),
    );
    const d = await dialog();
    expect(
      await within(d).findByText('Neither version has metrics to compare.'),
    ).toBeInTheDocument();
    // Picking another version A asks again; this time the backend refuses.
    await userEvent.click(within(d).getByLabelText('Version A'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'v1 (Archived)' }),
    );
    expect(
      (await within(d).findAllByText(/Version 1 of fraud-detection not found/))
        .length,
    ).toBeGreaterThan(0);
  });
});

const plan = (dryRun: boolean, deleted: number[]): RetentionResult => ({
  model: 'fraud-detection',
  keep: 1,
  dryRun,
  deleted,
  kept: [
    { version: 3, reasons: ['newest', 'staging', 'aliased'] },
    { version: 2, reasons: ['production', 'aliased'] },
  ],
});

describe('EntityMlopsModelVersionsCard retention', () => {
  it('previews with a dry run, says what goes and why the rest stays, then deletes on confirmation', async () => {
    const applyModelRetention = jest.fn(
      async ({ dryRun }: { dryRun: boolean }) => plan(dryRun, [1]),
    );
    const getEntityModels = jest.fn(async () => withVersions);
    await renderVersionsCard({ getEntityModels, applyModelRetention });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Clean up' }),
    );
    const d = await dialog();
    const keep = within(d).getByLabelText('Keep the newest');
    await userEvent.clear(keep);
    await userEvent.type(keep, '1');
    const preview = await within(d).findByTestId('mlops-retention-plan');
    await waitFor(() =>
      expect(preview).toHaveTextContent('Would delete v1 (1 of 3).'),
    );
    expect(preview).toHaveTextContent('v2 (in Production, aliased)');
    // Only dry runs so far: nothing deleted before the confirmation.
    expect(applyModelRetention.mock.calls.every(([r]) => r.dryRun)).toBe(true);
    await userEvent.click(
      within(d).getByRole('button', { name: 'Delete 1 version' }),
    );
    await waitFor(() =>
      expect(applyModelRetention).toHaveBeenLastCalledWith({
        model: 'fraud-detection',
        keep: 1,
        dryRun: false,
      }),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(getEntityModels).toHaveBeenCalledTimes(2);
  });

  it('has nothing to confirm when nothing would be deleted, and shows a refused dry run', async () => {
    const applyModelRetention = jest
      .fn()
      .mockResolvedValueOnce(plan(true, []))
      .mockRejectedValue(await backendError(400, 'keep must be at least 1'));
    await renderVersionsCard({
      getEntityModels: async () => withVersions,
      applyModelRetention,
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Clean up' }),
    );
    const d = await dialog();
    expect(
      await within(d).findByText(/Nothing would be deleted/),
    ).toBeInTheDocument();
    expect(
      within(d).getByRole('button', { name: 'Nothing to delete' }),
    ).toBeDisabled();
    const keep = within(d).getByLabelText('Keep the newest');
    await userEvent.clear(keep);
    await userEvent.type(keep, '2');
    expect(
      await within(d).findByText(/keep must be at least 1/),
    ).toBeInTheDocument();
  });
});

describe('EntityMlopsModelVersionsCard without permission', () => {
  it('disables alias, retention and rollback but still compares', async () => {
    await renderVersionsCard(
      { getEntityModels: async () => withVersions },
      {
        allow: false,
        entity: renamedEntity(modelEntity, 'fraud-detection-readonly'),
      },
    );
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Set alias' })).toBeDisabled(),
    );
    expect(screen.getByRole('button', { name: 'Clean up' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Roll back' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Compare' })).toBeEnabled();
    // Alias chips offer no delete.
    const chip = screen
      .getByText('@champion')
      .closest('[class*="MuiChip-root"]')!;
    expect(chip.querySelector('[class*="MuiChip-deleteIcon"]')).toBeNull();
  });
});
