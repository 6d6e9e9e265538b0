import { Entity } from '@backstage/catalog-model';
import {
  EntityTriage,
  TRIAGE_ENTRIES,
  getTriageEntry,
} from '@backstage-mlops/plugin-mlops-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  backendError,
  mlModelEntity,
  renderEntityCard,
  unannotatedEntity,
} from '../../__testUtils__/cards';
import { MlopsApi } from '../../api';
import { mlopsRootRouteRef } from '../../routes';
import { EntityMlopsTriageCard, TriageCard } from './EntityMlopsTriageCard';

const modelEntity = mlModelEntity('fraud-detection');

function renderCard(api: Partial<MlopsApi>, entity: Entity = modelEntity) {
  return renderEntityCard(<EntityMlopsTriageCard />, {
    entity,
    api,
    mountedRoutes: { '/mlops': mlopsRootRouteRef },
  });
}

const oomEntry = getTriageEntry('incident-serving-pods-oom-killed')!;
const crashEntry = getTriageEntry('pod-crash-loop-backoff')!;

const unhealthy: EntityTriage = {
  entityRef: 'component:default/fraud-detection',
  status: 'unhealthy',
  problems: [
    {
      source: 'health',
      symptom: 'error_rate_high',
      failureClasses: [],
      message: 'Error rate 12.5% over the last 15 minutes is above 5%',
      severity: 'critical',
    },
    {
      source: 'failure',
      failureClasses: ['oom_killed'],
      message: 'Last State: Terminated, Reason: OOMKilled, Exit Code: 137',
    },
  ],
  matches: [
    {
      entry: oomEntry,
      score: 5.6,
      evidence: [
        'Latest failure "Last State: Terminated, Reason: OOMKilled" is classified as process killed for running out of memory (oom_killed)',
      ],
      steps: [
        {
          description: 'Pod status and restarts.',
          command: 'kubectl get pods -n payments-ml -l app=fraud-detection',
          shell: 'bash',
          missing: [],
        },
        {
          description: 'Configured requests and limits.',
          command: 'kubectl get deploy <deployment> -n payments-ml -o yaml',
          shell: 'bash',
          missing: ['deployment'],
        },
      ],
    },
    { entry: crashEntry, score: 3.1, evidence: ['x'], steps: [] },
  ],
  context: { namespace: 'payments-ml' },
};

describe('EntityMlopsTriageCard', () => {
  it('shows the problems and the best entry open with evidence, filled commands and the fix', async () => {
    const getEntityTriage = jest.fn().mockResolvedValue(unhealthy);
    await renderCard({ getEntityTriage });

    const problems = await screen.findByRole('list', {
      name: 'Current problems',
    });
    expect(
      within(problems).getByText(/Error rate 12.5% over the last 15 minutes/),
    ).toBeInTheDocument();
    expect(within(problems).getByText(/Reason: OOMKilled/)).toBeInTheDocument();

    expect(
      screen.getByRole('heading', { name: oomEntry.title }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { name: crashEntry.title }),
    ).toBeInTheDocument();
    expect(
      within(screen.getByRole('list', { name: 'Why this matches' })).getByText(
        /classified as process killed/,
      ),
    ).toBeInTheDocument();

    const commands = screen.getAllByTestId('triage-command');
    expect(commands.map(c => c.textContent)).toEqual([
      'kubectl get pods -n payments-ml -l app=fraud-detection',
      'kubectl get deploy <deployment> -n payments-ml -o yaml',
    ]);
    expect(
      screen.getByRole('button', { name: 'Copy command of step 1' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Fill in before running: <deployment>'),
    ).toBeInTheDocument();
    for (const section of [
      'Causes to check',
      'Fix',
      'How to verify',
      'How to prevent',
    ]) {
      expect(screen.getByRole('list', { name: section })).toBeInTheDocument();
    }
    expect(screen.getByText(oomEntry.fix[0])).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Read this entry in the triage guide' }),
    ).toHaveAttribute(
      'href',
      '/mlops?tab=guide&entry=incident-serving-pods-oom-killed',
    );
    expect(getEntityTriage).toHaveBeenCalledWith({
      kind: 'Component',
      namespace: 'default',
      name: 'fraud-detection',
    });
  });

  it('opens a further match on click', async () => {
    await renderCard({ getEntityTriage: async () => unhealthy });
    await userEvent.click(
      await screen.findByRole('heading', { name: crashEntry.title }),
    );
    expect(await screen.findByText(crashEntry.fix[0])).toBeInTheDocument();
  });

  it('says plainly that nothing is wrong when healthy, with a link to the guide', async () => {
    await renderCard({
      getEntityTriage: async () => ({
        ...unhealthy,
        status: 'healthy',
        problems: [],
        matches: [],
      }),
    });
    expect(await screen.findByText(/Nothing is wrong/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'triage guide' })).toHaveAttribute(
      'href',
      '/mlops?tab=guide',
    );
    expect(screen.queryByText('Current problems')).not.toBeInTheDocument();
  });

  it('does not claim health when there is no monitoring data', async () => {
    await renderCard({
      getEntityTriage: async () => ({
        ...unhealthy,
        status: 'unknown',
        problems: [],
        matches: [],
      }),
    });
    expect(
      await screen.findByText(/no monitoring data yet/),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Nothing is wrong:/)).not.toBeInTheDocument();
  });

  it('lists problems that no entry answers', async () => {
    await renderCard({
      getEntityTriage: async () => ({ ...unhealthy, matches: [] }),
    });
    expect(
      await screen.findByText(/No entry of the knowledge base matches/),
    ).toBeInTheDocument();
    expect(screen.getByText(/Reason: OOMKilled/)).toBeInTheDocument();
  });

  it('shows the backend error instead of guidance', async () => {
    const error = await backendError(500, 'Triage store unavailable');
    await renderCard({
      getEntityTriage: async () => {
        throw error;
      },
    });
    expect(
      (await screen.findAllByText(/Triage store unavailable/)).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByText(/Nothing is wrong/)).not.toBeInTheDocument();
  });

  it('shows progress while loading', async () => {
    await renderCard({ getEntityTriage: () => new Promise(() => {}) });
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
  });

  it('explains which annotation is missing and does not call the backend', async () => {
    const getEntityTriage = jest.fn();
    await renderCard({ getEntityTriage }, unannotatedEntity(modelEntity));
    expect(
      (await screen.findAllByText(/backstage-mlops\.dev\/model/)).length,
    ).toBeGreaterThan(0);
    expect(getEntityTriage).not.toHaveBeenCalled();
  });
});

describe('TriageCard, compact (the MLOps tab)', () => {
  // Role queries over a card with ten entries are slow on a loaded machine.
  jest.setTimeout(30_000);

  // The best match and the entries after it, as the tab sees for a model
  // with several problems: more matches than the compact card lists.
  const best = [...TRIAGE_ENTRIES]
    .filter(entry => entry.related.length > 3)
    .sort((a, b) => b.related.length - a.related.length)[0];
  const others = TRIAGE_ENTRIES.filter(entry => entry.id !== best.id).slice(
    0,
    9,
  );
  const many: EntityTriage = {
    ...unhealthy,
    matches: [
      { ...unhealthy.matches[0], entry: best },
      ...others.map(entry => ({
        entry,
        score: 1,
        evidence: [`evidence for ${entry.id}`],
        steps: [],
      })),
    ],
  };

  function renderCompact(triage: EntityTriage = many) {
    return renderEntityCard(<TriageCard variant="compact" />, {
      entity: modelEntity,
      api: { getEntityTriage: async () => triage },
      mountedRoutes: { '/mlops': mlopsRootRouteRef },
    });
  }

  it('keeps the best entry’s steps and fix open and folds the rest behind buttons with counts', async () => {
    await renderCompact();
    await screen.findByRole('list', { name: 'Current problems' });
    expect(screen.getAllByTestId('triage-command')).toHaveLength(2);
    expect(screen.getByRole('list', { name: 'Fix' })).toBeInTheDocument();

    const folded: [string, number][] = [
      ['Why this matches', 1],
      ['What you see', best.symptoms.length],
      ['Causes to check', best.likelyCauses.length],
      ['How to verify', best.verify.length],
      ['How to prevent', best.prevent.length],
    ];
    for (const [title, count] of folded) {
      expect(screen.queryByRole('list', { name: title })).toBeNull();
      const button = screen.getByRole('button', {
        name: `${title} (${count})`,
      });
      expect(button).toHaveAttribute('aria-expanded', 'false');
      // One click shows the whole section, every item of it.
      await userEvent.click(button);
      expect(button).toHaveAttribute('aria-expanded', 'true');
      const list = screen.getByRole('list', { name: title });
      expect(within(list).getAllByRole('listitem')).toHaveLength(count);
    }
  });

  it('names three related entries as links and the rest one click away', async () => {
    await renderCompact();
    const related = await screen.findByRole('list', {
      name: 'Related entries',
    });
    const more = best.related.length - 3;
    expect(within(related).getAllByRole('link')).toHaveLength(3);
    expect(within(related).getAllByRole('link')[0]).toHaveAttribute(
      'href',
      `/mlops?tab=guide&entry=${best.related[0]}`,
    );
    await userEvent.click(
      within(related).getByRole('button', {
        name: `${more} more related ${more === 1 ? 'guide' : 'guides'}`,
      }),
    );
    expect(within(related).getAllByRole('link')).toHaveLength(
      best.related.length,
    );
  });

  it('lists three further matches, one line each, and shows the others on request', async () => {
    await renderCompact();
    await screen.findByRole('list', { name: 'Current problems' });
    const titles = () =>
      screen.getAllByRole('heading', { level: 3 }).map(h => h.textContent);
    expect(titles()).toEqual([
      'Current problems',
      best.title,
      ...others.slice(0, 3).map(e => e.title),
    ]);
    // A further match's summary waits until it is opened.
    expect(screen.queryByText(others[0].summary)).toBeNull();
    await userEvent.click(
      screen.getByRole('button', { name: 'Show 6 more matching guides' }),
    );
    expect(titles()).toEqual([
      'Current problems',
      best.title,
      ...others.map(e => e.title),
    ]);
    expect(
      screen.queryByRole('button', { name: /more matching guides/ }),
    ).toBeNull();
    await userEvent.click(
      screen.getByRole('heading', { name: others[8].title }),
    );
    expect(await screen.findByText(others[8].summary)).toBeInTheDocument();
    await userEvent.click(
      screen.getAllByRole('button', { name: 'Why this matches (1)' })[1],
    );
    expect(
      screen.getByText(`evidence for ${others[8].id}`),
    ).toBeInTheDocument();
  });

  it('lists every match when there are no more than four', async () => {
    await renderCompact({ ...many, matches: many.matches.slice(0, 4) });
    await screen.findByRole('list', { name: 'Current problems' });
    expect(
      screen.queryByRole('button', { name: /more matching guide/ }),
    ).toBeNull();
    expect(
      screen.getByRole('heading', { name: others[2].title }),
    ).toBeInTheDocument();
  });
});
