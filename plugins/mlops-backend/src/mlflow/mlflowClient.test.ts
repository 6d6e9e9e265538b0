import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startMlopsTestBackend } from '../__testUtils__/mlopsBackend';

// The npm `mlflow` package: a third-party MLflow REST client, used here the
// way a Node training script would use it against MLflow's own server.
const MLflow = require('mlflow');

jest.setTimeout(120_000);

/*
 * A training-run story told through an unmodified MLflow client: everything it
 * logs must be visible through the portal's own tracking API, which is what
 * the cards read.
 */
describe('MLflow-compatible endpoint, driven by the npm mlflow client', () => {
  const databases = createTestDatabases();

  beforeAll(() => {
    // The client prints every request body; keep the test output readable.
    jest.spyOn(console, 'log').mockImplementation(() => {});
  });

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    async function startBackend() {
      const knex = await databases.init(databaseId);
      const { server } = await startMlopsTestBackend({ knex });
      const endpoint = `http://localhost:${server.port()}/api/mlops/mlflow`;
      // A training job authenticates like any external caller: a bearer token.
      const client = new MLflow({
        endpoint,
        headers: { Authorization: mockCredentials.service.header() },
      });
      return { server, client, endpoint };
    }

    it('logs a whole training run that the portal API then shows', async () => {
      const { server, client } = await startBackend();
      const { Experiments, Runs, Metrics } = client;

      const { experiment_id } = await Experiments.create({
        name: 'churn-prediction',
      });
      expect(experiment_id).toMatch(/^\d+$/);

      const { run } = await Runs.create({
        experiment_id,
        user_id: 'training-job',
        start_time: 1_700_000_000_000,
        tags: [{ key: 'mlflow.runName', value: 'xgb-baseline' }],
      });
      const runId: string = run.info.run_id;
      expect(run.info).toMatchObject({
        experiment_id,
        status: 'RUNNING',
        run_name: 'xgb-baseline',
        user_id: 'training-job',
        start_time: 1_700_000_000_000,
      });

      await Runs.logParameter({ run_id: runId, key: 'max_depth', value: '6' });
      await Runs.setTag({ run_id: runId, key: 'team', value: 'risk-ml' });
      for (const [step, loss] of [0.9, 0.55, 0.41, 0.37].entries()) {
        await Runs.logMetric({
          run_id: runId,
          key: 'loss',
          value: loss,
          step,
          timestamp: 1_700_000_000_000 + step * 1000,
        });
      }
      await Runs.logBatch({
        run_id: runId,
        metrics: [
          { key: 'auc', value: 0.91, step: 3, timestamp: 1_700_000_004_000 },
          {
            key: 'grad_norm',
            value: 'NaN',
            step: 3,
            timestamp: 1_700_000_004_000,
          },
        ],
        params: [{ key: 'learning_rate', value: '0.05' }],
        tags: [{ key: 'stage', value: 'candidate' }],
      });
      await Runs.update({
        run_id: runId,
        status: 'FINISHED',
        end_time: 1_700_000_060_000,
      });

      const fetched = (await Runs.get({ run_id: runId })).run;
      expect(fetched.info.status).toBe('FINISHED');
      expect(fetched.info.end_time).toBe(1_700_000_060_000);
      expect(fetched.data.params).toEqual(
        expect.arrayContaining([
          { key: 'max_depth', value: '6' },
          { key: 'learning_rate', value: '0.05' },
        ]),
      );
      expect(fetched.data.metrics).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ key: 'loss', value: 0.37, step: 3 }),
          expect.objectContaining({ key: 'grad_norm', value: 'NaN' }),
        ]),
      );

      const history = await Metrics.getHistory({
        run_id: runId,
        metric_key: 'loss',
      });
      expect(history.metrics.map((m: { value: number }) => m.value)).toEqual([
        0.9, 0.55, 0.41, 0.37,
      ]);

      const found = await Runs.search({
        experiment_ids: [experiment_id],
        filter: "metrics.auc > 0.9 and params.max_depth = '6'",
        order_by: ['metrics.auc DESC'],
      });
      expect(found.runs.map((r: any) => r.info.run_id)).toEqual([runId]);
      const none = await Runs.search({
        experiment_ids: [experiment_id],
        filter: 'metrics.auc > 0.95',
      });
      expect(none.runs ?? []).toEqual([]);

      // The portal's own API shows the same run, params and history.
      const viaPortal = await request(server)
        .get(`/api/mlops/runs/${runId}`)
        .set('Authorization', mockCredentials.user.header());
      expect(viaPortal.status).toBe(200);
      expect(viaPortal.body).toMatchObject({
        id: runId,
        experimentName: 'churn-prediction',
        name: 'xgb-baseline',
        status: 'FINISHED',
        params: { max_depth: '6', learning_rate: '0.05' },
        tags: { team: 'risk-ml', stage: 'candidate' },
      });
      expect(viaPortal.body.metrics.loss.value).toBe(0.37);
      expect(viaPortal.body.metrics.grad_norm.value).toBe('NaN');
      const portalHistory = await request(server)
        .get(`/api/mlops/runs/${runId}/metrics/loss`)
        .set('Authorization', mockCredentials.user.header());
      expect(
        portalHistory.body.points.map((p: { step: number }) => p.step),
      ).toEqual([0, 1, 2, 3]);
    });

    it('answers errors with MLflow error codes', async () => {
      const { client, endpoint } = await startBackend();
      const { Experiments, Runs } = client;
      await Experiments.create({ name: 'duplicate-me' });
      await expect(
        Experiments.create({ name: 'duplicate-me' }),
      ).rejects.toThrow(/RESOURCE_ALREADY_EXISTS/);
      await expect(
        Runs.get({ run_id: '0123456789abcdef0123456789abcdef' }),
      ).rejects.toThrow(/RESOURCE_DOES_NOT_EXIST/);

      const auth = { Authorization: mockCredentials.service.header() };
      const malformed = await fetch(
        `${endpoint}/api/2.0/mlflow/runs/log-batch`,
        {
          method: 'POST',
          headers: { ...auth, 'Content-Type': 'application/json' },
          body: '{"run_id": ',
        },
      );
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toMatchObject({
        error_code: 'BAD_REQUEST',
      });

      const unknownRoute = await fetch(
        `${endpoint}/api/2.0/mlflow/runs/teleport`,
        {
          method: 'POST',
          headers: { ...auth, 'Content-Type': 'application/json' },
          body: '{}',
        },
      );
      expect(unknownRoute.status).toBe(404);
      expect(await unknownRoute.json()).toMatchObject({
        error_code: 'ENDPOINT_NOT_FOUND',
      });
    });

    it('refuses callers without a token', async () => {
      const { endpoint } = await startBackend();
      const response = await fetch(
        `${endpoint}/api/2.0/mlflow/experiments/get-by-name?experiment_name=x`,
      );
      expect(response.status).toBe(401);
      // In MLflow's shape, which MLflow's clients report as UNAUTHENTICATED.
      expect(await response.json()).toMatchObject({
        error_code: 'UNAUTHENTICATED',
      });
    });

    it('leads the printed "View run at" link into the portal', async () => {
      const { endpoint } = await startBackend();
      const page = await fetch(`${endpoint}/`);
      expect(page.status).toBe(200);
      const script = /<script>([\s\S]*?)<\/script>/.exec(await page.text())![1];
      const run = 'a'.repeat(32);
      const opened = (hash: string) => {
        let target = '';
        const window = {
          location: { hash, replace: (u: string) => (target = u) },
        };
        // eslint-disable-next-line no-new-func
        new Function('window', script)(window);
        return target;
      };
      const expected = `/mlflow?route=${encodeURIComponent(
        `/experiments/4/runs/${run}`,
      )}`;
      // As 3.x prints it, and as 2.x does, with a full stop after the link.
      expect(opened(`#/experiments/4/runs/${run}`)).toBe(expected);
      expect(opened(`#/experiments/4/runs/${run}.`)).toBe(expected);
      expect(opened('')).toBe('/mlflow');
    });

    it('answers /version and OTLP spans as MLflow 3 clients expect', async () => {
      const { endpoint } = await startBackend();
      const auth = { Authorization: mockCredentials.service.header() };
      // MLflow 3's client asks the version before sending spans (3.4+).
      const version = await fetch(`${endpoint}/version`, { headers: auth });
      expect(version.status).toBe(200);
      expect(await version.text()).toMatch(/^3\.\d+\.\d+$/);
      expect((await fetch(`${endpoint}/version`)).status).toBe(401);
      // ... then stops on "REST OTLP span logging is not supported".
      const spans = await fetch(`${endpoint}/v1/traces`, {
        method: 'POST',
        headers: {
          ...auth,
          'Content-Type': 'application/x-protobuf',
          'X-Mlflow-Experiment-Id': '0',
        },
        body: Buffer.from([10, 0]),
      });
      expect(spans.status).toBe(501);
      const answer = await spans.json();
      expect(answer.error_code).toBe('NOT_IMPLEMENTED');
      expect(answer.message).toContain(
        'REST OTLP span logging is not supported',
      );
      expect(
        (await fetch(`${endpoint}/v1/traces`, { method: 'POST' })).status,
      ).toBe(401);
    });

    it('lists what was uploaded through the artifact proxy', async () => {
      const { client, endpoint } = await startBackend();
      const { experiment_id } = await client.Experiments.create({
        name: 'with-artifacts',
      });
      const { run } = await client.Runs.create({ experiment_id });
      expect(run.info.artifact_uri).toBe(
        `mlflow-artifacts:/${experiment_id}/${run.info.run_id}/artifacts`,
      );
      // The upload as MLflow's Python client sends it: a PUT of the bytes
      // to the proxy path the artifact URI names.
      const upload = await fetch(
        `${endpoint}/api/2.0/mlflow-artifacts/artifacts/${experiment_id}/${run.info.run_id}/artifacts/plots/loss.png`,
        {
          method: 'PUT',
          headers: { Authorization: mockCredentials.service.header() },
          body: Buffer.alloc(300, 1),
        },
      );
      expect(upload.status).toBe(200);
      const listed = await client.Artifacts.list({ run_id: run.info.run_id });
      expect(listed).toEqual({
        root_uri: run.info.artifact_uri,
        files: [{ path: 'plots', is_dir: true }],
      });
      const inner = await client.Artifacts.list({
        run_id: run.info.run_id,
        path: 'plots',
      });
      expect(inner.files).toEqual([
        { path: 'plots/loss.png', is_dir: false, file_size: 300 },
      ]);
    });
  });
});
