import { mockServices } from '@backstage/backend-test-utils';
import http from 'http';
import { AddressInfo } from 'net';
import { PipelineSource } from '../incidents/sources';
import { withRetrainWebhook } from './RetrainWebhook';

function fakePipelines(): PipelineSource & { requested: string[] } {
  const requested: string[] = [];
  return {
    requested,
    latestRuns: async () => [],
    lastSuccessAt: async () => undefined,
    async requestRun(pipeline) {
      requested.push(pipeline);
      return { id: String(requested.length) };
    },
  };
}

describe('withRetrainWebhook', () => {
  let server: http.Server;
  let received: unknown[];
  let status: number;
  let base: string;

  beforeEach(async () => {
    received = [];
    status = 202;
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', chunk => (body += chunk));
      req.on('end', () => {
        received.push({ path: req.url, body: JSON.parse(body) });
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(() => new Promise(resolve => server.close(resolve)));

  it('records the requested run and tells the orchestrator', async () => {
    const pipelines = fakePipelines();
    const source = withRetrainWebhook(pipelines, {
      url: `${base}/hooks/retrain?token=s3cret`,
      logger: mockServices.logger.mock(),
    });
    const run = await source.requestRun(
      'fraud-detection-training',
      'drift on amount',
    );
    expect(pipelines.requested).toEqual(['fraud-detection-training']);
    expect(received).toEqual([
      {
        path: '/hooks/retrain?token=s3cret',
        body: {
          pipeline: 'fraud-detection-training',
          runId: run.id,
          reason: 'drift on amount',
        },
      },
    ]);
  });

  it('keeps the requested run when the orchestrator fails, logging only the origin', async () => {
    status = 500;
    const logger = mockServices.logger.mock();
    const pipelines = fakePipelines();
    const source = withRetrainWebhook(pipelines, {
      url: `${base}/hooks/retrain?token=s3cret`,
      logger,
    });
    await expect(source.requestRun('p', 'accuracy dropped')).resolves.toEqual({
      id: '1',
    });
    const logged = JSON.stringify(logger.warn.mock.calls);
    expect(logged).toContain('HTTP 500');
    expect(logged).not.toContain('s3cret');
  });

  it('changes nothing without a configured URL', async () => {
    const pipelines = fakePipelines();
    expect(
      withRetrainWebhook(pipelines, { logger: mockServices.logger.mock() }),
    ).toBe(pipelines);
  });
});
