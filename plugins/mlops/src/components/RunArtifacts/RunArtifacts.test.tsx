import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import {
  RunArtifacts,
  csvRows,
  formatBytes,
  previewKindOf,
} from './RunArtifacts';

const RUN = 'a'.repeat(32);

/** The backend's answers to the routes the component calls, by path and query. */
function backend(
  answers: Record<string, { status?: number; body: string; type?: string }>,
) {
  const calls: string[] = [];
  const fetchApi = {
    fetch: jest.fn(async (input: RequestInfo | URL) => {
      const { pathname, search } = new URL(String(input));
      const key = `${pathname.replace('/api/mlops', '')}${search}`;
      calls.push(key);
      const answer = answers[key];
      if (!answer) {
        return new Response(
          JSON.stringify({
            error: { name: 'NotFoundError', message: `no ${key}` },
          }),
          {
            status: 404,
            headers: { 'Content-Type': 'application/json' },
          },
        );
      }
      return new Response(answer.body, {
        status: answer.status ?? 200,
        headers: { 'Content-Type': answer.type ?? 'application/json' },
      });
    }),
  };
  const discoveryApi = {
    getBaseUrl: async () => 'http://backend.example/api/mlops',
  };
  return { calls, fetchApi, discoveryApi };
}

function render(apis: ReturnType<typeof backend>) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [fetchApiRef, apis.fetchApi],
        [discoveryApiRef, apis.discoveryApi],
      ]}
    >
      <RunArtifacts runId={RUN} />
    </TestApiProvider>,
  );
}

const listing = (files: object[]) =>
  JSON.stringify({
    rootUri: `mlflow-artifacts:/1/${RUN}/artifacts`,
    stored: true,
    files,
  });

describe('RunArtifacts', () => {
  it('lists files with sizes, opens folders and previews CSV, JSON and text', async () => {
    const apis = backend({
      [`/runs/${RUN}/artifacts?path=`]: {
        body: listing([
          { path: 'metrics.csv', isDir: false, size: 40 },
          { path: 'config.json', isDir: false, size: 1536 },
          { path: 'model', isDir: true },
        ]),
      },
      [`/runs/${RUN}/artifacts?path=model`]: {
        body: listing([{ path: 'model/MLmodel', isDir: false, size: 120 }]),
      },
      [`/runs/${RUN}/artifacts/content?path=metrics.csv`]: {
        body: 'epoch,loss\n1,0.52\n2,"0,40"\n',
        type: 'text/csv',
      },
      [`/runs/${RUN}/artifacts/content?path=config.json`]: {
        body: '{"alpha":0.5}',
      },
      [`/runs/${RUN}/artifacts/content?path=model%2FMLmodel`]: {
        body: 'flavors:\n  sklearn: {}\n',
        type: 'text/yaml',
      },
      [`/runs/${RUN}/inputs`]: {
        body: JSON.stringify({
          datasets: [
            {
              dataset: {
                name: 'diabetes-train',
                digest: 'd41d8',
                sourceType: 'code',
                source: '{}',
              },
              tags: { 'mlflow.data.context': 'training' },
            },
          ],
        }),
      },
    });
    await render(apis);

    expect(await screen.findByText('metrics.csv')).toBeInTheDocument();
    expect(screen.getByText('1.5 KB')).toBeInTheDocument();
    expect(await screen.findByText('diabetes-train')).toBeInTheDocument();
    expect(screen.getByText('training')).toBeInTheDocument();

    fireEvent.click(screen.getByText('metrics.csv'));
    const table = await screen.findByRole('table', {
      name: 'First rows of metrics.csv',
    });
    expect(table).toHaveTextContent('loss');
    expect(table).toHaveTextContent('0,40');

    fireEvent.click(screen.getByText('config.json'));
    expect(await screen.findByText(/"alpha": 0.5/)).toBeInTheDocument();

    fireEvent.click(screen.getByText('model'));
    fireEvent.click(await screen.findByText('MLmodel'));
    expect(await screen.findByText(/sklearn: \{\}/)).toBeInTheDocument();
  });

  it('says so when a run has no artifacts', async () => {
    const apis = backend({
      [`/runs/${RUN}/artifacts?path=`]: { body: listing([]) },
      [`/runs/${RUN}/inputs`]: { body: JSON.stringify({ datasets: [] }) },
    });
    await render(apis);
    expect(await screen.findByText('No artifacts')).toBeInTheDocument();
  });

  it('shows the backend’s error', async () => {
    const apis = backend({});
    await render(apis);
    await waitFor(() =>
      expect(
        screen.getAllByText(/no \/runs\/a+\/artifacts\?path=/).length,
      ).toBeGreaterThan(0),
    );
  });

  it('formats sizes, picks previews and reads CSV cells', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(200 * 1024 * 1024)).toBe('200.0 MB');
    expect(previewKindOf('plots/loss.PNG')).toBe('image');
    expect(previewKindOf('model/MLmodel')).toBe('text');
    expect(previewKindOf('model/model.pkl')).toBe('none');
    expect(previewKindOf('page.html')).toBe('none');
    expect(csvRows('a,b\n"x, y",2\n', 5)).toEqual([
      ['a', 'b'],
      ['x, y', '2'],
    ]);
  });
});
