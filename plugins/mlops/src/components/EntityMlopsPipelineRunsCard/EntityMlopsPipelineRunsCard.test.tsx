import { Entity } from '@backstage/catalog-model';
import {
  EntityPipelineRunsResponse,
  MlopsPipelineRun,
} from '@backstage-mlops/plugin-mlops-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { backendError, renderEntityCard } from '../../__testUtils__/cards';
import { MlopsApi } from '../../api';
import { EntityMlopsPipelineRunsCard } from './EntityMlopsPipelineRunsCard';

// userEvent typing is slow on the shared 2-core machine.
jest.setTimeout(30_000);

const pipelineEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'ticket-classifier-training',
    namespace: 'default',
    annotations: {
      'backstage-mlops.dev/pipeline': 'ticket-classifier-training',
    },
  },
  spec: { type: 'ml-pipeline', owner: 'support-ml', lifecycle: 'production' },
};

const OOM =
  'Task train failed: container "trainer" terminated with reason OOMKilled (exit code 137)';

function run(
  id: string,
  overrides: Partial<MlopsPipelineRun>,
): MlopsPipelineRun {
  return {
    id,
    pipeline: 'ticket-classifier-training',
    state: 'COMPLETED',
    trigger: 'schedule',
    scheduledAt: '2026-11-23T04:00:00Z',
    startedAt: '2026-11-23T04:00:20Z',
    endedAt: '2026-11-23T05:15:20Z',
    createdAt: '2026-11-23T04:00:00Z',
    updatedAt: '2026-11-23T05:15:20Z',
    stages: [],
    ...overrides,
  };
}

const withRuns: EntityPipelineRunsResponse = {
  entityRef: 'component:default/ticket-classifier-training',
  pipelines: [
    {
      pipeline: 'ticket-classifier-training',
      known: true,
      status: {
        name: 'ticket-classifier-training',
        orchestrator: 'airflow',
        schedule: '0 4 * * 1',
        stages: ['extract', 'train', 'register'],
        slaMinutes: 11520,
        lastSuccessAt: '2026-11-16T05:10:00Z',
        stale: true,
      },
      runs: [
        run('8', {
          state: 'FAILED',
          failureReason: OOM,
          failureClass: 'oom_killed',
          stages: [
            {
              name: 'extract',
              state: 'COMPLETED',
              startedAt: '2026-11-23T04:00:20Z',
              endedAt: '2026-11-23T04:06:20Z',
            },
            {
              name: 'train',
              state: 'FAILED',
              startedAt: '2026-11-23T04:06:20Z',
              endedAt: '2026-11-23T04:36:20Z',
              failureReason: OOM,
              failureClass: 'oom_killed',
            },
            { name: 'register', state: 'CANCELLED' },
          ],
        }),
        run('7', {
          startedAt: '2026-11-16T04:00:20Z',
          endedAt: '2026-11-16T05:10:00Z',
        }),
      ],
    },
  ],
};

function renderCard(api: Partial<MlopsApi>) {
  return renderEntityCard(<EntityMlopsPipelineRunsCard />, {
    entity: pipelineEntity,
    api,
  });
}

describe('EntityMlopsPipelineRunsCard', () => {
  it('shows runs with a stage timeline and the classified failure reason', async () => {
    const getEntityPipelineRuns = jest.fn().mockResolvedValue(withRuns);
    await renderCard({ getEntityPipelineRuns });

    const runs = await screen.findByRole('list', {
      name: 'Runs of ticket-classifier-training',
    });
    const failed = within(runs).getByRole('listitem', { name: 'Run 8' });
    expect(within(failed).getByText('Failed')).toBeInTheDocument();
    expect(
      within(failed).getByText('Process killed for running out of memory'),
    ).toBeInTheDocument();
    expect(within(failed).getByText(OOM)).toBeInTheDocument();
    const stages = within(failed).getByRole('list', {
      name: 'Stages of run 8',
    });
    expect(
      within(stages)
        .getAllByRole('listitem')
        .map(s => s.getAttribute('aria-label')),
    ).toEqual([
      'extract: completed in 6 min',
      'train: failed in 30 min',
      'register: cancelled',
    ]);
    expect(
      within(runs).getByRole('listitem', { name: 'Run 7' }),
    ).toHaveTextContent('Completed');
    expect(screen.getByText('Data stale')).toBeInTheDocument();
    expect(
      screen.getByText(/airflow · schedule 0 4 \* \* 1 · SLA 8 d ·/),
    ).toBeInTheDocument();
    expect(getEntityPipelineRuns).toHaveBeenCalledWith({
      kind: 'Component',
      namespace: 'default',
      name: 'ticket-classifier-training',
    });
  });

  it('says so when no run was reported yet', async () => {
    await renderCard({
      getEntityPipelineRuns: async () => ({
        entityRef: 'component:default/ticket-classifier-training',
        pipelines: [
          { pipeline: 'ticket-classifier-training', known: true, runs: [] },
        ],
      }),
    });
    expect(await screen.findByText('No pipeline runs yet')).toBeInTheDocument();
    expect(screen.queryByText('Data stale')).not.toBeInTheDocument();
  });

  it('shows the backend error', async () => {
    const error = await backendError(500, 'MLOps database is unreachable');
    await renderCard({
      getEntityPipelineRuns: async () => {
        throw error;
      },
    });
    expect(
      (await screen.findAllByText(/MLOps database is unreachable/)).length,
    ).toBeGreaterThan(0);
    expect(
      screen.queryByRole('list', { name: /Runs of/ }),
    ).not.toBeInTheDocument();
  });

  it('requests a run with a reason and reloads', async () => {
    const getEntityPipelineRuns = jest.fn().mockResolvedValue(withRuns);
    const requestPipelineRun = jest
      .fn()
      .mockResolvedValue(run('9', { state: 'SCHEDULED' }));
    await renderCard({ getEntityPipelineRuns, requestPipelineRun });

    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Request run of ticket-classifier-training',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    const confirm = within(dialog).getByRole('button', { name: 'Request run' });
    expect(confirm).toBeDisabled();
    await userEvent.type(
      within(dialog).getByLabelText(/Reason/),
      'memory limit raised to 16Gi',
    );
    await userEvent.click(confirm);

    expect(requestPipelineRun).toHaveBeenCalledWith({
      pipeline: 'ticket-classifier-training',
      reason: 'memory limit raised to 16Gi',
    });
    await screen.findByRole('list', {
      name: 'Runs of ticket-classifier-training',
    });
    expect(getEntityPipelineRuns).toHaveBeenCalledTimes(2);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });
});
