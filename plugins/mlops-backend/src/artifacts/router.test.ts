import { mockCredentials } from '@backstage/backend-test-utils';
import fs from 'node:fs/promises';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import nodePath from 'node:path';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startMlopsTestBackend } from '../__testUtils__/mlopsBackend';

jest.setTimeout(120_000);

const MLFLOW = '/api/mlops/mlflow/api/2.0/mlflow';
const PROXY = '/api/mlops/mlflow/api/2.0/mlflow-artifacts';
const LIMIT = 64 * 1024;

/*
 * The artifact routes through the real plugin over HTTP, as MLflow's
 * Python client calls them (paths and bodies as its HttpArtifactRepository
 * and RestStore send them), on SQLite and PostgreSQL, with the filesystem
 * store in a temporary folder. The path attacks are MLflow's own CVEs.
 */
describe('artifacts through the MLflow endpoint', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let server: http.Server;
    let dir: string;
    let root: string;
    const auth = mockCredentials.service.header();

    beforeAll(async () => {
      dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'mlops-artifacts-'));
      root = nodePath.join(dir, 'root');
      await fs.mkdir(nodePath.join(dir, 'outside'));
      const knex = await databases.init(databaseId);
      ({ server } = await startMlopsTestBackend({
        knex,
        config: {
          app: { baseUrl: 'http://portal.example' },
          mlops: { artifacts: { filesystem: { root }, maxFileBytes: LIMIT } },
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
    const get = (path: string, query: Record<string, string> = {}) =>
      request(server)
        .get(`${MLFLOW}${path}`)
        .set('Authorization', auth)
        .query(query);

    async function newRun(name: string, artifactLocation?: string) {
      const experiment = await post('/experiments/create', {
        name,
        ...(artifactLocation ? { artifact_location: artifactLocation } : {}),
      });
      expect(experiment.status).toBe(200);
      const run = await post('/runs/create', {
        experiment_id: experiment.body.experiment_id,
      });
      expect(run.status).toBe(200);
      return {
        experimentId: experiment.body.experiment_id as string,
        runId: run.body.run.info.run_id as string,
        artifactUri: run.body.run.info.artifact_uri as string,
      };
    }

    /** The proxy path of a run's artifact, as the client derives it. */
    const proxied = (artifactUri: string, path: string) =>
      `${artifactUri.replace(/^mlflow-artifacts:\//, '')}/${path}`;

    async function filesOutsideRoot() {
      return (await fs.readdir(nodePath.join(dir, 'outside'))).sort();
    }

    it('gives experiments and runs proxied artifact URIs', async () => {
      const { experimentId, runId, artifactUri } = await newRun('uris');
      expect(artifactUri).toBe(
        `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
      );
      const experiment = await get('/experiments/get', {
        experiment_id: experimentId,
      });
      expect(experiment.body.experiment.artifact_location).toBe(
        `mlflow-artifacts:/${experimentId}`,
      );
      const run = await get('/runs/get', { run_id: runId });
      expect(run.body.run.info.artifact_uri).toBe(artifactUri);
    });

    it('uploads, lists with sizes, downloads and deletes through the proxy', async () => {
      const { runId, artifactUri } = await newRun('round-trip');
      const content = Buffer.from('alpha: 0.5\nl1_ratio: 0.1\n');
      const put = await request(server)
        .put(`${PROXY}/artifacts/${proxied(artifactUri, 'model/MLmodel')}`)
        .set('Authorization', auth)
        .set('Content-Type', 'application/octet-stream')
        .send(content);
      expect(put.status).toBe(200);
      expect(put.body).toEqual({});
      await request(server)
        .put(`${PROXY}/artifacts/${proxied(artifactUri, 'notes.txt')}`)
        .set('Authorization', auth)
        .send(Buffer.from('hello'));

      const listing = await request(server)
        .get(`${PROXY}/artifacts`)
        .set('Authorization', auth)
        .query({ path: proxied(artifactUri, 'model') });
      expect(listing.body).toEqual({
        files: [{ path: 'MLmodel', is_dir: false, file_size: content.length }],
      });

      const tracked = await get('/artifacts/list', { run_id: runId });
      expect(tracked.body).toEqual({
        root_uri: artifactUri,
        files: [
          { path: 'model', is_dir: true },
          { path: 'notes.txt', is_dir: false, file_size: 5 },
        ],
      });
      const nested = await get('/artifacts/list', {
        run_id: runId,
        path: 'model',
      });
      expect(nested.body.files).toEqual([
        { path: 'model/MLmodel', is_dir: false, file_size: content.length },
      ]);

      const download = await request(server)
        .get(`${PROXY}/artifacts/${proxied(artifactUri, 'model/MLmodel')}`)
        .set('Authorization', auth)
        .buffer(true)
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        });
      expect(download.status).toBe(200);
      expect(download.headers['content-disposition']).toMatch(/^attachment/);
      expect(download.headers['x-content-type-options']).toBe('nosniff');
      expect(Buffer.compare(download.body, content)).toBe(0);

      const missing = await request(server)
        .get(`${PROXY}/artifacts/${proxied(artifactUri, 'model/none')}`)
        .set('Authorization', auth);
      expect(missing.status).toBe(404);
      expect(missing.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');

      const deleted = await request(server)
        .delete(`${PROXY}/artifacts/${proxied(artifactUri, 'model')}`)
        .set('Authorization', auth);
      expect(deleted.status).toBe(200);
      const after = await get('/artifacts/list', { run_id: runId });
      expect(after.body.files).toEqual([
        { path: 'notes.txt', is_dir: false, file_size: 5 },
      ]);
    });

    it.each([
      ['dot-dot segments', '../../../outside/planted.txt'],
      ['percent-encoded dot-dot', '%2e%2e/%2e%2e/%2e%2e/outside/planted.txt'],
      [
        'double-encoded dot-dot',
        '%252e%252e%252f%252e%252e%252foutside%252fplanted.txt',
      ],
      ['an encoded slash', '1/..%2f..%2f..%2foutside/planted.txt'],
      ['an absolute path', '%2Fetc%2Fplanted.txt'],
      ['a drive letter', 'C%3A%2FWindows%2Fplanted.txt'],
      ['a file URI', 'file%3A%2F%2F%2Fetc%2Fplanted.txt'],
      ['a fragment', '1%23/planted.txt'],
      ['a NUL byte', '1/planted.txt%00.png'],
      ['a backslash', '1%5C..%5C..%5Coutside%5Cplanted.txt'],
    ])('refuses %s with a 400 and writes nothing', async (_name, attack) => {
      for (const method of ['put', 'get', 'delete'] as const) {
        const response = await request(server)
          [method](`${PROXY}/artifacts/${attack}`)
          .set('Authorization', auth)
          .send(method === 'put' ? Buffer.from('planted') : undefined);
        expect({ method, status: response.status }).toEqual({
          method,
          status: 400,
        });
        expect(response.body).toEqual({
          error_code: 'INVALID_PARAMETER_VALUE',
          message: expect.stringMatching(/^Invalid path/),
        });
      }
      const listed = await request(server)
        .get(`${PROXY}/artifacts`)
        .set('Authorization', auth)
        .query(`path=${attack}`);
      expect(listed.status).toBe(400);
      expect(await filesOutsideRoot()).toEqual([]);
    });

    it('refuses a symlink planted in the root that leads outside it', async () => {
      const { experimentId } = await newRun('symlinked');
      await fs.mkdir(nodePath.join(root, experimentId), { recursive: true });
      await fs.writeFile(nodePath.join(dir, 'outside', 'secret.txt'), 'secret');
      await fs.symlink(
        nodePath.join(dir, 'outside'),
        nodePath.join(root, experimentId, 'escape'),
      );
      try {
        const read = await request(server)
          .get(`${PROXY}/artifacts/${experimentId}/escape/secret.txt`)
          .set('Authorization', auth);
        expect(read.status).toBe(400);
        expect(read.text).not.toContain('secret');
        const write = await request(server)
          .put(`${PROXY}/artifacts/${experimentId}/escape/planted.txt`)
          .set('Authorization', auth)
          .send(Buffer.from('planted'));
        expect(write.status).toBe(400);
        expect(await filesOutsideRoot()).toEqual(['secret.txt']);
      } finally {
        await fs.rm(nodePath.join(dir, 'outside', 'secret.txt'));
      }
    });

    it('answers 413 for a file over the limit, declared or streamed, and keeps nothing', async () => {
      const { runId, artifactUri } = await newRun('too-large');
      const declared = await request(server)
        .put(`${PROXY}/artifacts/${proxied(artifactUri, 'declared.bin')}`)
        .set('Authorization', auth)
        .send(Buffer.alloc(LIMIT + 1));
      expect(declared.status).toBe(413);
      expect(declared.body).toEqual({
        error_code: 'RESOURCE_LIMIT_EXCEEDED',
        message: expect.stringContaining(`${LIMIT} bytes`),
      });

      // Chunked transfer: no Content-Length, so the limit trips mid-stream.
      const { port } = server.address() as AddressInfo;
      const streamed = await new Promise<{ status: number; body: string }>(
        (resolve, reject) => {
          const req = http.request(
            {
              host: '127.0.0.1',
              port,
              method: 'PUT',
              path: `${PROXY}/artifacts/${proxied(
                artifactUri,
                'streamed.bin',
              )}`,
              headers: { Authorization: auth, 'Transfer-Encoding': 'chunked' },
            },
            res => {
              let body = '';
              res.on('data', c => {
                body += c;
              });
              res.on('end', () => resolve({ status: res.statusCode!, body }));
            },
          );
          req.on('error', reject);
          for (let i = 0; i < 8; i++) req.write(Buffer.alloc(LIMIT / 4));
          req.end();
        },
      );
      expect(streamed.status).toBe(413);
      expect(JSON.parse(streamed.body).error_code).toBe(
        'RESOURCE_LIMIT_EXCEEDED',
      );

      const listed = await get('/artifacts/list', { run_id: runId });
      expect(listed.body.files).toEqual([]);
    });

    it('answers a missing token with a 401 in MLflow’s shape', async () => {
      for (const path of [
        `${MLFLOW}/experiments/get?experiment_id=1`,
        `${MLFLOW}/artifacts/list?run_id=${'0'.repeat(32)}`,
        `${PROXY}/artifacts?path=1`,
        `${PROXY}/artifacts/1/x/artifacts/a.txt`,
      ]) {
        const response = await request(server).get(path);
        expect({ path, status: response.status }).toEqual({
          path,
          status: 401,
        });
        expect(response.body.error_code).toBe('UNAUTHENTICATED');
      }
      const upload = await request(server)
        .put(`${PROXY}/artifacts/1/x/artifacts/a.txt`)
        .send(Buffer.from('x'));
      expect(upload.status).toBe(401);
    });

    it('creates the Default experiment 0 for a run with no experiment', async () => {
      const run = await post('/runs/create', { experiment_id: '0' });
      expect(run.status).toBe(200);
      expect(run.body.run.info.artifact_uri).toMatch(
        /^mlflow-artifacts:\/0\/[0-9a-f]{32}\/artifacts$/,
      );
      const experiment = await get('/experiments/get', { experiment_id: '0' });
      expect(experiment.body.experiment).toMatchObject({
        experiment_id: '0',
        name: 'Default',
        artifact_location: 'mlflow-artifacts:/0',
      });
    });

    it('sets mlflow.runName and mlflow.user as MLflow’s server does', async () => {
      const experiment = await post('/experiments/create', {
        name: 'churn: xgb (v2)',
      });
      expect(experiment.status).toBe(200);
      const named = await post('/runs/create', {
        experiment_id: experiment.body.experiment_id,
        run_name: 'lr=0.01,bs=64',
        user_id: 'alice',
      });
      expect(named.status).toBe(200);
      expect(named.body.run.info.run_name).toBe('lr=0.01,bs=64');
      expect(named.body.run.data.tags).toEqual(
        expect.arrayContaining([
          { key: 'mlflow.runName', value: 'lr=0.01,bs=64' },
          { key: 'mlflow.user', value: 'alice' },
        ]),
      );
      const unnamed = await post('/runs/create', {
        experiment_id: experiment.body.experiment_id,
      });
      const generated = unnamed.body.run.info.run_name;
      expect(generated).toMatch(/^[a-z]+-[a-z]+-\d+$/);
      expect(unnamed.body.run.data.tags).toEqual(
        expect.arrayContaining([{ key: 'mlflow.runName', value: generated }]),
      );
      const control = await post('/experiments/create', {
        name: 'bad\u0000name',
      });
      expect(control.status).toBe(400);
    });

    it('honours a requested artifact_location and refuses local paths', async () => {
      const { experimentId, runId, artifactUri } = await newRun(
        'shared-location',
        'mlflow-artifacts:/teams/risk',
      );
      expect(artifactUri).toBe(
        `mlflow-artifacts:/teams/risk/${runId}/artifacts`,
      );
      const experiment = await get('/experiments/get', {
        experiment_id: experimentId,
      });
      expect(experiment.body.experiment.artifact_location).toBe(
        'mlflow-artifacts:/teams/risk',
      );
      await request(server)
        .put(`${PROXY}/artifacts/teams/risk/${runId}/artifacts/a.txt`)
        .set('Authorization', auth)
        .send(Buffer.from('abc'));
      const listed = await get('/artifacts/list', { run_id: runId });
      expect(listed.body.files).toEqual([
        { path: 'a.txt', is_dir: false, file_size: 3 },
      ]);

      const s3 = await newRun('on-s3', 's3://bucket/prefix');
      expect(s3.artifactUri).toBe(`s3://bucket/prefix/${s3.runId}/artifacts`);

      for (const location of [
        '/tmp/mine',
        'file:///etc',
        'mlflow-artifacts:/../../x',
      ]) {
        const refused = await post('/experiments/create', {
          name: `local ${location}`,
          artifact_location: location,
        });
        expect({ location, status: refused.status }).toEqual({
          location,
          status: 400,
        });
      }
    });

    it('logs datasets as run inputs and shows them on the run', async () => {
      const { runId } = await newRun('with-datasets');
      const dataset = {
        name: 'diabetes-train',
        digest: 'a1b2c3d4',
        source_type: 'code',
        source: '{"tags": {}}',
        schema: '{"mlflow_colspec": []}',
        profile: '{"num_rows": 50}',
      };
      const logged = await post('/runs/log-inputs', {
        run_id: runId,
        datasets: [
          {
            tags: [{ key: 'mlflow.data.context', value: 'training' }],
            dataset,
          },
        ],
      });
      expect(logged.status).toBe(200);
      // Logging the same dataset again keeps one input.
      await post('/runs/log-inputs', {
        run_id: runId,
        datasets: [{ dataset }],
      });
      const run = await get('/runs/get', { run_id: runId });
      expect(run.body.run.inputs.dataset_inputs).toEqual([
        { tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset },
      ]);
      const bad = await post('/runs/log-inputs', {
        run_id: runId,
        datasets: [{ dataset: { ...dataset, digest: 'x'.repeat(37) } }],
      });
      expect(bad.status).toBe(400);
    });

    it('records runs/log-model and resolves a version’s download URI', async () => {
      const { runId, artifactUri } = await newRun('download-uri');
      const model = {
        artifact_path: 'model',
        flavors: { sklearn: {} },
        run_id: runId,
      };
      expect(
        (
          await post('/runs/log-model', {
            run_id: runId,
            model_json: JSON.stringify(model),
          })
        ).status,
      ).toBe(200);
      const run = await get('/runs/get', { run_id: runId });
      const history = run.body.run.data.tags.find(
        (t: { key: string }) => t.key === 'mlflow.log-model.history',
      );
      expect(JSON.parse(history.value)).toEqual([model]);

      await post('/registered-models/create', { name: 'download-model' });
      await post('/model-versions/create', {
        name: 'download-model',
        source: `runs:/${runId}/model`,
        run_id: runId,
      });
      await post('/model-versions/create', {
        name: 'download-model',
        source: `${artifactUri}/model`,
        run_id: runId,
      });
      for (const version of ['1', '2']) {
        const uri = await get('/model-versions/get-download-uri', {
          name: 'download-model',
          version,
        });
        expect(uri.body).toEqual({ artifact_uri: `${artifactUri}/model` });
      }
      const missing = await get('/model-versions/get-download-uri', {
        name: 'download-model',
        version: '9',
      });
      expect(missing.status).toBe(404);
      expect(missing.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    });

    it('keeps MLflow 3 logged models: create, get, finalize, search, tags, delete', async () => {
      const { experimentId, runId } = await newRun('logged-models');
      const created = await post('/logged-models', {
        experiment_id: experimentId,
        name: 'model',
        source_run_id: runId,
        model_type: 'sklearn',
        params: [{ key: 'alpha', value: '0.5' }],
        tags: [{ key: 'team', value: 'risk' }],
      });
      expect(created.status).toBe(200);
      const info = created.body.model.info;
      expect(info).toMatchObject({
        experiment_id: experimentId,
        name: 'model',
        source_run_id: runId,
        status: 'LOGGED_MODEL_PENDING',
        tags: [{ key: 'team', value: 'risk' }],
      });
      expect(info.model_id).toMatch(/^m-[0-9a-f]{32}$/);
      expect(info.artifact_uri).toBe(
        `mlflow-artifacts:/${experimentId}/models/${info.model_id}/artifacts`,
      );
      expect(created.body.model.data.params).toEqual([
        { key: 'alpha', value: '0.5' },
      ]);

      const finalized = await request(server)
        .patch(`${MLFLOW}/logged-models/${info.model_id}`)
        .set('Authorization', auth)
        .send({ model_id: info.model_id, status: 'LOGGED_MODEL_READY' });
      expect(finalized.body.model.info.status).toBe('LOGGED_MODEL_READY');

      const tagged = await request(server)
        .patch(`${MLFLOW}/logged-models/${info.model_id}/tags`)
        .set('Authorization', auth)
        .send({ tags: [{ key: 'stage', value: 'candidate' }] });
      expect(tagged.body.model.info.tags).toEqual(
        expect.arrayContaining([{ key: 'stage', value: 'candidate' }]),
      );

      const found = await post('/logged-models/search', {
        experiment_ids: [experimentId],
        filter: "name = 'model'",
      });
      expect(found.body.models.map((m: any) => m.info.model_id)).toEqual([
        info.model_id,
      ]);
      const none = await post('/logged-models/search', {
        experiment_ids: [experimentId],
        filter: "name = 'other'",
      });
      expect(none.body.models).toEqual([]);
      const unsupported = await post('/logged-models/search', {
        experiment_ids: [experimentId],
        filter: 'metrics.rmse < 1',
      });
      expect(unsupported.status).toBe(400);

      await request(server)
        .put(
          `${PROXY}/artifacts/${experimentId}/models/${info.model_id}/artifacts/MLmodel`,
        )
        .set('Authorization', auth)
        .send(Buffer.from('flavors: {}'));
      const directories = await get(
        `/logged-models/${info.model_id}/artifacts/directories`,
      );
      expect(directories.body.files).toEqual([
        { path: 'MLmodel', is_dir: false, file_size: 11 },
      ]);

      const outputs = await post('/runs/outputs', {
        run_id: runId,
        models: [{ model_id: info.model_id, step: 0 }],
      });
      expect(outputs.status).toBe(200);
      const withOutputs = await get('/runs/get', { run_id: runId });
      expect(withOutputs.body.run.outputs).toEqual({
        model_outputs: [{ model_id: info.model_id, step: 0 }],
      });
      const unknownOutput = await post('/runs/outputs', {
        run_id: runId,
        models: [{ model_id: `m-${'0'.repeat(32)}` }],
      });
      expect(unknownOutput.status).toBe(404);

      const deleted = await request(server)
        .delete(`${MLFLOW}/logged-models/${info.model_id}`)
        .set('Authorization', auth);
      expect(deleted.status).toBe(200);
      const gone = await get(`/logged-models/${info.model_id}`);
      expect(gone.status).toBe(404);
    });

    // Multipart uploads, and the NOT_IMPLEMENTED answer of a store without
    // them, are tested in multipart.test.ts.
    it('answers traces with NOT_IMPLEMENTED', async () => {
      const traces = await request(server)
        .post('/api/mlops/mlflow/api/3.0/mlflow/traces')
        .set('Authorization', auth)
        .send({});
      expect(traces.status).toBe(501);
      expect(traces.body.error_code).toBe('NOT_IMPLEMENTED');
    });

    it('shows a run’s artifacts and datasets to the portal, with previews by type', async () => {
      const { runId, artifactUri } = await newRun('portal-view');
      for (const [path, body] of [
        ['metrics.csv', 'epoch,loss\n1,0.5\n'],
        ['plots/loss.png', '\x89PNG'],
        ['model/MLmodel', 'flavors:\n  sklearn: {}\n'],
        ['page.html', '<script>alert(1)</script>'],
      ]) {
        await request(server)
          .put(`${PROXY}/artifacts/${proxied(artifactUri, path)}`)
          .set('Authorization', auth)
          .send(Buffer.from(body));
      }
      const listed = await request(server)
        .get(`/api/mlops/runs/${runId}/artifacts`)
        .set('Authorization', auth);
      expect(listed.body).toEqual({
        rootUri: artifactUri,
        stored: true,
        files: [
          { path: 'metrics.csv', isDir: false, size: 17 },
          { path: 'model', isDir: true },
          { path: 'page.html', isDir: false, size: 25 },
          { path: 'plots', isDir: true },
        ],
      });
      const types: Record<string, string> = {};
      for (const path of [
        'metrics.csv',
        'plots/loss.png',
        'model/MLmodel',
        'page.html',
      ]) {
        const content = await request(server)
          .get(`/api/mlops/runs/${runId}/artifacts/content`)
          .query({ path })
          .set('Authorization', auth);
        expect(content.status).toBe(200);
        expect(content.headers['x-content-type-options']).toBe('nosniff');
        types[path] = content.headers['content-type'];
      }
      expect(types).toEqual({
        'metrics.csv': 'text/csv; charset=utf-8',
        'plots/loss.png': 'image/png',
        'model/MLmodel': 'text/yaml; charset=utf-8',
        // Never served as a page of the portal's origin.
        'page.html': 'application/octet-stream',
      });
      const escape = await request(server)
        .get(`/api/mlops/runs/${runId}/artifacts/content`)
        .query({ path: '../../other/artifacts/x' })
        .set('Authorization', auth);
      expect(escape.status).toBe(400);

      await post('/runs/log-inputs', {
        run_id: runId,
        datasets: [
          {
            dataset: {
              name: 'train',
              digest: 'd1',
              source_type: 'local',
              source: 'train.csv',
            },
          },
        ],
      });
      const inputs = await request(server)
        .get(`/api/mlops/runs/${runId}/inputs`)
        .set('Authorization', auth);
      expect(inputs.body.datasets).toEqual([
        {
          dataset: {
            name: 'train',
            digest: 'd1',
            sourceType: 'local',
            source: 'train.csv',
          },
          tags: {},
        },
      ]);
    });

    it('reads a version’s flavors, signature and input example from its MLmodel', async () => {
      const { runId, artifactUri } = await newRun('mlmodel');
      const mlmodel = [
        'artifact_path: model',
        'flavors:',
        '  python_function:',
        '    loader_module: mlflow.sklearn',
        '    python_version: 3.11.2',
        '  sklearn:',
        '    sklearn_version: 1.2.1',
        '    serialization_format: cloudpickle',
        'mlflow_version: 2.17.2',
        `run_id: ${runId}`,
        'saved_input_example_info:',
        '  artifact_path: input_example.json',
        '  type: dataframe',
        'signature:',
        `  inputs: '[{"type": "double", "name": "age", "required": true}]'`,
        `  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1]}}]'`,
        "utc_time_created: '2026-12-03 14:00:00.000000'",
        '',
      ].join('\n');
      for (const [path, body] of [
        ['model/MLmodel', mlmodel],
        ['model/input_example.json', '{"columns": ["age"], "data": [[0.03]]}'],
      ]) {
        await request(server)
          .put(`${PROXY}/artifacts/${proxied(artifactUri, path)}`)
          .set('Authorization', auth)
          .send(Buffer.from(body));
      }
      await post('/registered-models/create', { name: 'mlmodel-model' });
      await post('/model-versions/create', {
        name: 'mlmodel-model',
        source: `${artifactUri}/model`,
        run_id: runId,
      });
      const details = await request(server)
        .get('/api/mlops/models/mlmodel-model/versions/1/logged-model')
        .set('Authorization', auth);
      expect(details.status).toBe(200);
      expect(details.body).toEqual({
        artifactUri: `${artifactUri}/model`,
        stored: true,
        found: true,
        flavors: [
          {
            name: 'python_function',
            details: {
              loader_module: 'mlflow.sklearn',
              python_version: '3.11.2',
            },
          },
          {
            name: 'sklearn',
            details: {
              sklearn_version: '1.2.1',
              serialization_format: 'cloudpickle',
            },
          },
        ],
        signature: {
          inputs: [{ name: 'age', type: 'double', required: true }],
          outputs: [{ type: 'tensor float64 [-1]' }],
        },
        inputExample: {
          text: '{"columns": ["age"], "data": [[0.03]]}',
          truncated: false,
          type: 'dataframe',
        },
        mlflowVersion: '2.17.2',
        runId,
        createdAt: '2026-12-03 14:00:00.000000',
      });
      await post('/model-versions/create', {
        name: 'mlmodel-model',
        source: 's3://elsewhere/model',
      });
      const outside = await request(server)
        .get('/api/mlops/models/mlmodel-model/versions/2/logged-model')
        .set('Authorization', auth);
      expect(outside.body).toEqual({
        artifactUri: 's3://elsewhere/model',
        stored: false,
        found: false,
      });
    });

    it('leads the tracking URI’s root into the portal without a token', async () => {
      const page = await request(server).get('/api/mlops/mlflow/');
      expect(page.status).toBe(200);
      expect(page.text).toContain('"http://portal.example/mlflow"');
    });
  });
});
