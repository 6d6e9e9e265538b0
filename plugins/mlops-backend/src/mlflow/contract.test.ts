import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startMlopsTestBackend } from '../__testUtils__/mlopsBackend';

jest.setTimeout(120_000);

const API = '/api/mlops/mlflow/api/2.0/mlflow';

/*
 * Contract tests of the MLflow-compatible routes, request and response shapes
 * as MLflow's REST documentation gives them, error cases included.
 */
describe('MLflow REST API contract', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
    let knex: Awaited<ReturnType<typeof databases.init>>;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      ({ server } = await startMlopsTestBackend({ knex }));
    });

    const auth = () => mockCredentials.service.header();
    const post = (path: string, body: unknown) =>
      request(server)
        .post(`${API}${path}`)
        .set('Authorization', auth())
        .send(body as object);
    const get = (path: string, query: Record<string, string>) =>
      request(server)
        .get(`${API}${path}`)
        .set('Authorization', auth())
        .query(query);

    async function newRun(experimentName: string) {
      const created = await post('/experiments/create', {
        name: experimentName,
      });
      const run = await post('/runs/create', {
        experiment_id: created.body.experiment_id,
        start_time: 1_700_000_000_000,
      });
      return {
        experimentId: created.body.experiment_id,
        runId: run.body.run.info.run_id,
      };
    }

    it('experiments: create, get, get-by-name, search, list', async () => {
      const created = await post('/experiments/create', {
        name: 'contract-exp',
        tags: [{ key: 'team', value: 'risk-ml' }],
      });
      expect(created.status).toBe(200);
      const id = created.body.experiment_id;

      const byId = await get('/experiments/get', { experiment_id: id });
      expect(byId.body.experiment).toMatchObject({
        experiment_id: id,
        name: 'contract-exp',
        lifecycle_stage: 'active',
        tags: [{ key: 'team', value: 'risk-ml' }],
      });
      expect(typeof byId.body.experiment.creation_time).toBe('number');

      const byName = await get('/experiments/get-by-name', {
        experiment_name: 'contract-exp',
      });
      expect(byName.body.experiment.experiment_id).toBe(id);

      const searched = await post('/experiments/search', {
        filter: "name = 'contract-exp'",
        max_results: 10,
      });
      expect(searched.body.experiments.map((e: any) => e.name)).toEqual([
        'contract-exp',
      ]);

      const listed = await get('/experiments/list', {});
      expect(listed.body.experiments.map((e: any) => e.name)).toContain(
        'contract-exp',
      );
    });

    it('experiments: errors carry MLflow codes and statuses', async () => {
      const missing = await get('/experiments/get', {
        experiment_id: '999999',
      });
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({
        error_code: 'RESOURCE_DOES_NOT_EXIST',
        message: expect.stringContaining('999999'),
      });
      const badName = await post('/experiments/create', { name: '../escape' });
      expect(badName.status).toBe(400);
      expect(badName.body.error_code).toBe('INVALID_PARAMETER_VALUE');
      const noName = await post('/experiments/create', {});
      expect(noName.body.error_code).toBe('INVALID_PARAMETER_VALUE');
      const badFilter = await post('/experiments/search', {
        filter: 'tags.x = 1',
      });
      expect(badFilter.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    });

    it('experiments: update, set tag, delete and restore', async () => {
      const { body } = await post('/experiments/create', {
        name: 'lifecycle-exp',
      });
      const id = body.experiment_id;
      expect(
        (
          await post('/experiments/update', {
            experiment_id: id,
            new_name: 'lifecycle-renamed',
          })
        ).status,
      ).toBe(200);
      await post('/experiments/create', { name: 'lifecycle-other' });
      const clash = await post('/experiments/update', {
        experiment_id: id,
        new_name: 'lifecycle-other',
      });
      expect(clash.body.error_code).toBe('RESOURCE_ALREADY_EXISTS');
      await post('/experiments/set-experiment-tag', {
        experiment_id: id,
        key: 'owner',
        value: 'risk-ml',
      });

      await post('/experiments/delete', { experiment_id: id });
      const deleted = await get('/experiments/get', { experiment_id: id });
      expect(deleted.body.experiment).toMatchObject({
        name: 'lifecycle-renamed',
        lifecycle_stage: 'deleted',
        tags: [{ key: 'owner', value: 'risk-ml' }],
      });
      const active = await post('/experiments/search', {
        view_type: 'ACTIVE_ONLY',
      });
      expect(active.body.experiments.map((e: any) => e.name)).not.toContain(
        'lifecycle-renamed',
      );
      const refused = await post('/runs/create', { experiment_id: id });
      expect(refused.body.error_code).toBe('INVALID_STATE');

      await post('/experiments/restore', { experiment_id: id });
      const restored = await get('/experiments/get', { experiment_id: id });
      expect(restored.body.experiment.lifecycle_stage).toBe('active');
      const missing = await post('/experiments/delete', {
        experiment_id: '987654',
      });
      expect(missing.status).toBe(404);
    });

    it('runs: delete-tag removes a tag and reports a missing one', async () => {
      const { runId } = await newRun('delete-tag-exp');
      await post('/runs/set-tag', { run_id: runId, key: 'temp', value: '1' });
      expect(
        (await post('/runs/delete-tag', { run_id: runId, key: 'temp' })).status,
      ).toBe(200);
      const run = await get('/runs/get', { run_id: runId });
      expect(run.body.run.data.tags.map((t: any) => t.key)).not.toContain(
        'temp',
      );
      const again = await post('/runs/delete-tag', {
        run_id: runId,
        key: 'temp',
      });
      expect(again.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    });

    it('runs: params are write-once, tags overwrite, delete and restore', async () => {
      const { runId, experimentId } = await newRun('contract-runs');
      expect(
        (
          await post('/runs/log-parameter', {
            run_id: runId,
            key: 'lr',
            value: '0.1',
          })
        ).status,
      ).toBe(200);
      // The same value again is fine; a different one is refused.
      expect(
        (
          await post('/runs/log-parameter', {
            run_id: runId,
            key: 'lr',
            value: '0.1',
          })
        ).status,
      ).toBe(200);
      const changed = await post('/runs/log-parameter', {
        run_id: runId,
        key: 'lr',
        value: '0.2',
      });
      // MLflow's server answers a changed param this way.
      expect(changed.status).toBe(400);
      expect(changed.body.error_code).toBe('INVALID_PARAMETER_VALUE');

      await post('/runs/set-tag', {
        run_id: runId,
        key: 'note',
        value: 'first',
      });
      await post('/runs/set-tag', {
        run_uuid: runId,
        key: 'note',
        value: 'second',
      });
      const run = await get('/runs/get', { run_id: runId });
      expect(run.body.run.data.tags).toContainEqual({
        key: 'note',
        value: 'second',
      });
      expect(run.body.run.data.params).toEqual([{ key: 'lr', value: '0.1' }]);

      await post('/runs/delete', { run_id: runId });
      const active = await post('/runs/search', {
        experiment_ids: [experimentId],
      });
      expect(active.body.runs ?? []).toEqual([]);
      const deleted = await post('/runs/search', {
        experiment_ids: [experimentId],
        run_view_type: 'DELETED_ONLY',
      });
      expect(deleted.body.runs.map((r: any) => r.info.lifecycle_stage)).toEqual(
        ['deleted'],
      );
      await post('/runs/restore', { run_id: runId });
      const restored = await get('/runs/get', { run_id: runId });
      expect(restored.body.run.info.lifecycle_stage).toBe('active');
    });

    it('runs: log-batch limits and all-or-nothing', async () => {
      const { runId } = await newRun('contract-batch');
      const tooMany = await post('/runs/log-batch', {
        run_id: runId,
        metrics: Array.from({ length: 1001 }, (_, i) => ({
          key: 'm',
          value: i,
          step: i,
          timestamp: 1,
        })),
      });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.message).toMatch(/1000 metrics/);

      const tooManyParams = await post('/runs/log-batch', {
        run_id: runId,
        params: Array.from({ length: 60 }, (_, i) => ({
          key: `p${i}`,
          value: 'x',
        })),
        tags: Array.from({ length: 41 }, (_, i) => ({
          key: `t${i}`,
          value: 'x',
        })),
      });
      expect(tooManyParams.status).toBe(400);
      expect(tooManyParams.body.message).toMatch(/100 params and tags/);

      // A batch whose param conflicts writes none of its metrics either.
      await post('/runs/log-parameter', {
        run_id: runId,
        key: 'seed',
        value: '1',
      });
      const conflicting = await post('/runs/log-batch', {
        run_id: runId,
        metrics: [{ key: 'loss', value: 0.5, step: 0, timestamp: 1 }],
        params: [{ key: 'seed', value: '2' }],
      });
      expect(conflicting.status).toBe(400);
      const history = await get('/metrics/get-history', {
        run_id: runId,
        metric_key: 'loss',
      });
      expect(history.body.metrics).toEqual([]);

      const infinite = await post('/runs/log-batch', {
        run_id: runId,
        metrics: [{ key: 'ratio', value: 'Infinity', step: 0, timestamp: 1 }],
      });
      expect(infinite.status).toBe(200);
      const run = await get('/runs/get', { run_id: runId });
      expect(run.body.run.data.metrics).toContainEqual(
        expect.objectContaining({ key: 'ratio', value: 'Infinity' }),
      );
    });

    it('runs: search validates filter and order_by', async () => {
      const { experimentId } = await newRun('contract-search');
      const bad = await post('/runs/search', {
        experiment_ids: [experimentId],
        filter: 'metrics.auc > high',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error_code).toBe('INVALID_PARAMETER_VALUE');
      const noExperiments = await post('/runs/search', { experiment_ids: [] });
      expect(noExperiments.status).toBe(400);
      const unknownRun = await get('/runs/get', { run_id: 'not-a-run' });
      expect(unknownRun.status).toBe(400);
    });

    it('model registry: models, versions, stages, aliases, latest versions', async () => {
      const { runId } = await newRun('contract-registry');
      await post('/runs/log-batch', {
        run_id: runId,
        metrics: [{ key: 'auc', value: 0.93, step: 0, timestamp: 1 }],
      });

      const created = await post('/registered-models/create', {
        name: 'contract-model',
        description: 'Scores things',
      });
      expect(created.status).toBe(200);
      expect(created.body.registered_model).toMatchObject({
        name: 'contract-model',
        description: 'Scores things',
      });
      const again = await post('/registered-models/create', {
        name: 'contract-model',
      });
      expect(again.body.error_code).toBe('RESOURCE_ALREADY_EXISTS');

      const v1 = await post('/model-versions/create', {
        name: 'contract-model',
        source: 's3://models/contract/1',
        run_id: runId,
      });
      expect(v1.body.model_version).toMatchObject({
        name: 'contract-model',
        version: '1',
        current_stage: 'None',
        run_id: runId,
        source: 's3://models/contract/1',
      });
      const v2 = await post('/model-versions/create', {
        name: 'contract-model',
        source: 's3://models/contract/2',
      });
      expect(v2.body.model_version.version).toBe('2');

      const escaping = await post('/model-versions/create', {
        name: 'contract-model',
        source: 's3://models/../secrets',
      });
      expect(escaping.status).toBe(400);
      const unknownRun = await post('/model-versions/create', {
        name: 'contract-model',
        run_id: '0123456789abcdef0123456789abcdef',
      });
      expect(unknownRun.status).toBe(404);

      const promoted = await post('/model-versions/transition-stage', {
        name: 'contract-model',
        version: '1',
        stage: 'production',
        archive_existing_versions: true,
      });
      expect(promoted.body.model_version.current_stage).toBe('Production');
      const badStage = await post('/model-versions/transition-stage', {
        name: 'contract-model',
        version: '1',
        stage: 'Live',
      });
      expect(badStage.body.error_code).toBe('INVALID_PARAMETER_VALUE');

      const latest = await post('/registered-models/get-latest-versions', {
        name: 'contract-model',
        stages: ['Production'],
      });
      expect(latest.body.model_versions.map((v: any) => v.version)).toEqual([
        '1',
      ]);

      expect(
        (
          await post('/registered-models/alias', {
            name: 'contract-model',
            alias: 'champion',
            version: '1',
          })
        ).status,
      ).toBe(200);
      const reserved = await post('/registered-models/alias', {
        name: 'contract-model',
        alias: 'latest',
        version: '1',
      });
      expect(reserved.body.error_code).toBe('INVALID_PARAMETER_VALUE');
      const byAlias = await get('/registered-models/alias', {
        name: 'contract-model',
        alias: 'champion',
      });
      expect(byAlias.body.model_version.version).toBe('1');

      const model = await get('/registered-models/get', {
        name: 'contract-model',
      });
      expect(model.body.registered_model.aliases).toEqual([
        { alias: 'champion', version: '1' },
      ]);
      const versions = await get('/model-versions/search', {
        filter: "name = 'contract-model'",
      });
      expect(
        versions.body.model_versions.map((v: any) => v.version).sort(),
      ).toEqual(['1', '2']);

      const missing = await get('/registered-models/get', {
        name: 'no-such-model',
      });
      expect(missing.status).toBe(404);

      const described = await request(server)
        .patch(`${API}/model-versions/update`)
        .set('Authorization', auth())
        .send({
          name: 'contract-model',
          version: '2',
          description: 'Candidate',
        });
      expect(described.body.model_version.description).toBe('Candidate');

      // Production and aliased versions are protected (the portal's
      // governance: a 409 that says why); a plain one goes.
      const protectedVersion = await request(server)
        .delete(`${API}/model-versions/delete`)
        .set('Authorization', auth())
        .send({ name: 'contract-model', version: '1' });
      expect(protectedVersion.status).toBe(409);
      expect(protectedVersion.body).toMatchObject({
        error_code: 'RESOURCE_CONFLICT',
        message: expect.stringMatching(/in Production.*champion/),
      });
      const removed = await request(server)
        .delete(`${API}/model-versions/delete`)
        .set('Authorization', auth())
        .send({ name: 'contract-model', version: '2' });
      expect(removed.status).toBe(200);
      expect(
        (
          await get('/model-versions/get', {
            name: 'contract-model',
            version: '2',
          })
        ).status,
      ).toBe(404);

      // The stage change made through MLflow is in the portal's audit trail.
      const history = await request(server)
        .get('/api/mlops/models/contract-model/history')
        .set('Authorization', mockCredentials.user.header());
      expect(history.status).toBe(200);
      expect(JSON.stringify(history.body)).toContain('Production');
    });
  });
});
