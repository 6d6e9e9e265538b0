import { mockCredentials } from '@backstage/backend-test-utils';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import nodePath from 'node:path';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startMlopsTestBackend } from '../__testUtils__/mlopsBackend';

jest.setTimeout(120_000);

const MLFLOW = '/api/mlops/mlflow/api/2.0/mlflow';

/*
 * What MLflow 3's server answers around logged models, as its client reads
 * it (found by replaying the 3.x client's recordings, contractReplay.test):
 * a run's model inputs and its `outputs: {}`, a version registered from a
 * logged model linked to the model's source run, and a logged-model search
 * by tag.
 */
describe('MLflow 3 runs and logged models', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let server: http.Server;
    let dir: string;
    const auth = mockCredentials.service.header();

    beforeAll(async () => {
      dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'mlops-mlflow3-'));
      const knex = await databases.init(databaseId);
      ({ server } = await startMlopsTestBackend({
        knex,
        config: {
          mlops: { artifacts: { filesystem: { root: dir } } },
        },
      }));
    });
    afterAll(async () => {
      await fs.rm(dir, { recursive: true, force: true });
    });

    const post = (path: string, body: object) =>
      request(server)
        .post(`${MLFLOW}${path}`)
        .set('Authorization', auth)
        .send(body);
    const getRun = async (runId: string) =>
      (
        await request(server)
          .get(`${MLFLOW}/runs/get`)
          .set('Authorization', auth)
          .query({ run_id: runId })
      ).body.run;

    it('answers model inputs and outputs, links versions to the source run, searches by tag', async () => {
      const experiment = await post('/experiments/create', { name: 'mlflow3' });
      const experimentId = experiment.body.experiment_id;
      const trained = (
        await post('/runs/create', { experiment_id: experimentId })
      ).body.run.info.run_id;
      const evaluated = (
        await post('/runs/create', { experiment_id: experimentId })
      ).body.run.info.run_id;

      // No models yet: MLflow 3 answers an empty outputs object.
      expect((await getRun(trained)).outputs).toEqual({});

      const model = (
        await post('/logged-models', {
          experiment_id: experimentId,
          name: 'model',
          source_run_id: trained,
          tags: [{ key: 'team', value: 'ml-platform' }],
        })
      ).body.model.info;
      expect((await getRun(trained)).outputs).toEqual({
        model_outputs: [{ model_id: model.model_id, step: 0 }],
      });

      const logged = await post('/runs/log-inputs', {
        run_id: evaluated,
        models: [{ model_id: model.model_id }, { model_id: model.model_id }],
      });
      expect(logged.status).toBe(200);
      expect((await getRun(evaluated)).inputs).toEqual({
        model_inputs: [{ model_id: model.model_id }],
      });

      await post('/registered-models/create', { name: 'mlflow3-model' });
      const version = await post('/model-versions/create', {
        name: 'mlflow3-model',
        source: `models:/${model.model_id}`,
        model_id: model.model_id,
      });
      expect(version.status).toBe(200);
      expect(version.body.model_version.run_id).toBe(trained);
      const getModel = async () =>
        (
          await request(server)
            .get(`${MLFLOW}/logged-models/${model.model_id}`)
            .set('Authorization', auth)
        ).body.model;
      expect((await getModel()).info.tags).toEqual(
        expect.arrayContaining([
          {
            key: 'mlflow.modelVersions',
            value: '[{"name": "mlflow3-model", "version": 1}]',
          },
        ]),
      );
      // An explicit run_id is kept.
      const explicit = await post('/model-versions/create', {
        name: 'mlflow3-model',
        source: `models:/${model.model_id}`,
        run_id: evaluated,
      });
      expect(explicit.body.model_version.run_id).toBe(evaluated);
      // A malformed body is refused as on every other MLflow route.
      const malformed = async (path: string) =>
        request(server)
          .post(`${MLFLOW}${path}`)
          .set('Authorization', auth)
          .set('Content-Type', 'application/json')
          .send('{"name":');
      const refused = await malformed('/model-versions/create');
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual(
        (await malformed('/registered-models/create')).body,
      );

      // Metrics logged with a model_id are the model's too (MLflow's client
      // logs the run's metrics again so when it logs a model).
      const batch = await post('/runs/log-batch', {
        run_id: trained,
        metrics: [
          {
            key: 'acc',
            value: 0.9,
            timestamp: 5,
            step: 0,
            model_id: model.model_id,
            dataset_name: 'train',
            dataset_digest: 'abc',
          },
          {
            key: 'acc',
            value: 0.9,
            timestamp: 5,
            step: 0,
            model_id: model.model_id,
            dataset_name: 'train',
            dataset_digest: 'abc',
          },
          {
            key: 'loss',
            value: 'NaN',
            timestamp: 5,
            step: 1,
            model_id: model.model_id,
          },
          {
            key: 'other',
            value: 1,
            timestamp: 5,
            step: 0,
            model_id: `m-${'0'.repeat(32)}`,
          },
        ],
      });
      expect(batch.status).toBe(200);
      const single = await post('/runs/log-metric', {
        run_id: trained,
        key: 'f1',
        value: 0.5,
        timestamp: 6,
        step: 0,
        model_id: model.model_id,
      });
      expect(single.status).toBe(200);
      const run = await getRun(trained);
      expect(run.data.metrics.map((m: any) => m.key).sort()).toEqual([
        'acc',
        'f1',
        'loss',
        'other',
      ]);
      expect((await getModel()).data.metrics).toEqual([
        {
          key: 'acc',
          value: 0.9,
          timestamp: 5,
          step: 0,
          model_id: model.model_id,
          run_id: trained,
          dataset_name: 'train',
          dataset_digest: 'abc',
        },
        {
          key: 'f1',
          value: 0.5,
          timestamp: 6,
          step: 0,
          model_id: model.model_id,
          run_id: trained,
        },
        {
          key: 'loss',
          value: 'NaN',
          timestamp: 5,
          step: 1,
          model_id: model.model_id,
          run_id: trained,
        },
      ]);

      const byTag = await post('/logged-models/search', {
        experiment_ids: [experimentId],
        filter: "tags.team = 'ml-platform'",
      });
      expect(byTag.body.models.map((m: any) => m.info.model_id)).toEqual([
        model.model_id,
      ]);
    });
  });
});
