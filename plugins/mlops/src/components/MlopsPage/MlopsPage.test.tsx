import { ResponseError } from '@backstage/errors';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import {
  FleetModel,
  FleetQuery,
  FleetResponse,
  HealthStatus,
  getTriageEntry,
  searchTriageEntries,
} from '@backstage-mlops/plugin-mlops-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MlopsApi, mlopsApiRef } from '../../api';
import { mlopsRootRouteRef } from '../../routes';
import { MlopsPageContent } from './MlopsPage';

// The table and the 66-entry guide take seconds to render on a busy 2-core CI.
jest.setTimeout(30_000);

const model = (overrides: Partial<FleetModel>): FleetModel => ({
  name: 'x',
  health: 'healthy',
  problems: [],
  productionVersion: null,
  drift: null,
  openIncidents: 0,
  ...overrides,
});

const fleet: FleetModel[] = [
  model({
    name: 'ticket-classifier',
    owner: 'group:default/support-ml',
    entityRef: 'component:default/ticket-classifier',
    productionVersion: 3,
  }),
  model({
    name: 'fraud-detection',
    title: 'Fraud detection',
    owner: 'group:default/risk-ml',
    entityRef: 'component:default/fraud-detection',
    health: 'unhealthy',
    problems: ['p95 latency 812 ms is above 500 ms'],
    productionVersion: 7,
    drift: {
      datasetDrift: true,
      driftShare: 0.6,
      driftedFeatures: ['amount'],
      checkedAt: '2026-11-25T07:00:00Z',
    },
    openIncidents: 2,
  }),
  model({
    name: 'market-master',
    owner: 'group:default/risk-ml',
    entityRef: 'component:default/market-master',
    health: 'degraded',
  }),
];

const RANK: Record<HealthStatus, number> = {
  unhealthy: 0,
  degraded: 1,
  unknown: 2,
  healthy: 3,
};

/** Answers like the backend: filters by owner and status, sorts and pages. */
async function getFleet(
  query: FleetQuery = {},
  models: FleetModel[] = fleet,
): Promise<FleetResponse> {
  const filtered = models.filter(
    m =>
      (!query.owner || m.owner === query.owner) &&
      (!query.status?.length || query.status.includes(m.health)),
  );
  const sort = query.sort ?? 'health';
  const order = query.order ?? 'asc';
  const value = (m: FleetModel) =>
    sort === 'health' ? RANK[m.health] : String((m as any)[sort] ?? '');
  const compare = (x: string | number, y: string | number) => {
    if (x === y) return 0;
    return x < y ? -1 : 1;
  };
  filtered.sort(
    (a, b) =>
      compare(value(a), value(b)) * (order === 'asc' ? 1 : -1) ||
      a.name.localeCompare(b.name),
  );
  const offset = query.offset ?? 0;
  const limit = query.limit ?? 25;
  return {
    items: filtered.slice(offset, offset + limit),
    total: filtered.length,
    offset,
    limit,
    sort,
    order,
    owners: ['group:default/risk-ml', 'group:default/support-ml'],
    available: { productionVersion: true, drift: true, openIncidents: true },
  };
}

const guideApi: Partial<MlopsApi> = {
  searchTriageEntries: async query => {
    const items = searchTriageEntries(query);
    return { items, total: items.length };
  },
  getTriageEntry: async id => getTriageEntry(id)!,
};

function renderPage(api: Partial<MlopsApi>, path = '/mlops') {
  return renderInTestApp(
    <TestApiProvider apis={[[mlopsApiRef, api]]}>
      <MlopsPageContent />
    </TestApiProvider>,
    {
      routeEntries: [path],
      mountedRoutes: {
        '/mlops': mlopsRootRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
}

describe('MlopsPageContent', () => {
  it('lists every model worst health first, with version, drift, incidents and a link to its page', async () => {
    await renderPage({ getFleet: jest.fn(query => getFleet(query)) });

    const link = await screen.findByRole('link', { name: 'Fraud detection' });
    expect(link).toHaveAttribute(
      'href',
      '/catalog/default/component/fraud-detection',
    );
    // Data rows, without the header and the pagination footer.
    const rows = screen
      .getAllByRole('row')
      .filter(r => within(r).queryAllByRole('cell').length > 1);
    expect(
      rows.map(r => within(r).getAllByRole('cell')[0].textContent),
    ).toEqual(['Fraud detection', 'market-master', 'ticket-classifier']);
    const fraud = rows[0];
    expect(within(fraud).getByText('Unhealthy')).toBeInTheDocument();
    expect(within(fraud).getByText('v7')).toBeInTheDocument();
    expect(
      within(fraud).getByText('Dataset drift: 60% of features drifted'),
    ).toBeInTheDocument();
    expect(within(fraud).getByText('2')).toBeInTheDocument();
    expect(
      within(fraud).getByRole('link', { name: 'risk-ml' }),
    ).toHaveAttribute('href', '/catalog/default/group/risk-ml');
    expect(within(rows[1]).getByText('None')).toBeInTheDocument();
  });

  it('filters by owner and by status through the backend', async () => {
    const spy = jest.fn((query?: FleetQuery) => getFleet(query));
    await renderPage({ getFleet: spy });
    await screen.findByRole('link', { name: 'Fraud detection' });
    // One request for the first page, not one per effect.
    expect(spy).toHaveBeenCalledTimes(1);

    await userEvent.selectOptions(
      screen.getByLabelText('Owner'),
      'group:default/support-ml',
    );
    await waitFor(() =>
      expect(
        screen.queryByRole('link', { name: 'Fraud detection' }),
      ).not.toBeInTheDocument(),
    );
    expect(screen.getByText('ticket-classifier')).toBeInTheDocument();
    expect(spy).toHaveBeenLastCalledWith({
      owner: 'group:default/support-ml',
      status: undefined,
      sort: 'health',
      order: 'asc',
      offset: 0,
      limit: 25,
    });

    await userEvent.selectOptions(screen.getByLabelText('Owner'), '');
    await userEvent.click(screen.getByRole('button', { name: 'Unhealthy' }));
    await waitFor(() =>
      expect(screen.queryByText('market-master')).not.toBeInTheDocument(),
    );
    expect(
      screen.getByRole('link', { name: 'Fraud detection' }),
    ).toBeInTheDocument();
    expect(spy).toHaveBeenLastCalledWith({
      owner: undefined,
      status: ['unhealthy'],
      sort: 'health',
      order: 'asc',
      offset: 0,
      limit: 25,
    });
  });

  it('asks the backend for the order of a clicked column and for the next page', async () => {
    const many = Array.from({ length: 30 }, (_, i) =>
      model({ name: `model-${String(i).padStart(2, '0')}` }),
    );
    const spy = jest.fn((query: FleetQuery = {}) => getFleet(query, many));
    await renderPage({ getFleet: spy });
    expect(await screen.findByText('model-00')).toBeInTheDocument();
    expect(screen.queryByText('model-25')).not.toBeInTheDocument();
    expect(screen.getByText('Models (30)')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Next Page' }));
    expect(await screen.findByText('model-25')).toBeInTheDocument();
    expect(spy).toHaveBeenLastCalledWith(
      expect.objectContaining({ offset: 25, limit: 25 }),
    );

    await userEvent.click(screen.getByText('Model'));
    await waitFor(() =>
      expect(spy).toHaveBeenLastCalledWith(
        expect.objectContaining({ sort: 'name', order: 'asc', offset: 0 }),
      ),
    );
    await userEvent.click(screen.getByText('Model'));
    await waitFor(() =>
      expect(spy).toHaveBeenLastCalledWith(
        expect.objectContaining({ sort: 'name', order: 'desc' }),
      ),
    );
    expect(await screen.findByText('model-29')).toBeInTheDocument();
  });

  it('says when no model matches the filters', async () => {
    await renderPage({ getFleet: query => getFleet(query) });
    await screen.findByRole('link', { name: 'Fraud detection' });
    await userEvent.click(screen.getByRole('button', { name: 'Unknown' }));
    expect(
      await screen.findByText('No model matches these filters.'),
    ).toBeInTheDocument();
  });

  it('shows the backend error instead of the table', async () => {
    const error = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: { name: 'Error', message: 'Fleet unavailable' },
          request: { method: 'GET', url: '/fleet' },
          response: { statusCode: 500 },
        }),
        { status: 500, headers: { 'content-type': 'application/json' } },
      ),
    );
    await renderPage({
      getFleet: async () => {
        throw error;
      },
    });
    expect(
      (await screen.findAllByText(/Fleet unavailable/)).length,
    ).toBeGreaterThan(0);
  });

  it('browses the guide by category and finds an entry by search', async () => {
    const search = jest.fn(guideApi.searchTriageEntries!);
    await renderPage(
      { ...guideApi, searchTriageEntries: search },
      '/mlops?tab=guide',
    );

    // Browsing: every category has its own section.
    expect(
      await screen.findByRole('heading', { name: 'Kubernetes' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { name: 'Incident scenarios' }),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByLabelText('Search the triage guide'));
    await userEvent.paste('crashloop');
    const results = await screen.findByRole(
      'list',
      { name: 'Search results' },
      { timeout: 5000 },
    );
    expect(within(results).getAllByRole('button')[0]).toHaveTextContent(
      'Pod in CrashLoopBackOff',
    );
    expect(search).toHaveBeenLastCalledWith({
      q: 'crashloop',
      category: undefined,
    });

    await userEvent.click(
      screen.getByRole('button', { name: 'Drift detection' }),
    );
    expect(
      await screen.findByText(
        /No entry matches “crashloop” in Drift detection/,
      ),
    ).toBeInTheDocument();
  });

  it('shows an entry of the guide in full with visible placeholders', async () => {
    await renderPage(guideApi, '/mlops?tab=guide&entry=image-pull-backoff');
    expect(
      await screen.findByRole('heading', {
        name: 'Pod stuck in ImagePullBackOff',
      }),
    ).toBeInTheDocument();
    const entry = getTriageEntry('image-pull-backoff')!;
    expect(screen.getByText(entry.fix[0])).toBeInTheDocument();
    expect(screen.getByText(entry.prevent[0])).toBeInTheDocument();
    const commands = screen
      .getAllByTestId('triage-command')
      .map(c => c.textContent);
    expect(commands.some(c => c?.includes('<namespace>'))).toBe(true);
    expect(commands.join('\n')).not.toContain('{{');
  });
});
