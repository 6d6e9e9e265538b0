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
 * MLflow's search grammar through the real routes, answered in SQL on each
 * database: what a data scientist's search_runs, search_experiments,
 * search_registered_models and search_model_versions get back.
 */
describe('MLflow search grammar over HTTP', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
    const auth = () => mockCredentials.service.header();
    const post = (path: string, body: unknown) =>
      request(server)
        .post(`${API}${path}`)
        .set('Authorization', auth())
        .send(body as object);
    const get = (path: string, query: Record<string, string | number>) =>
      request(server)
        .get(`${API}${path}`)
        .set('Authorization', auth())
        .query(query);

    let experimentId: string;
    const ids: Record<string, string> = {};

    async function run(
      name: string,
      startTime: number,
      data: {
        params?: Record<string, string>;
        tags?: Record<string, string>;
        metrics?: Record<string, number>;
      },
    ) {
      const created = await post('/runs/create', {
        experiment_id: experimentId,
        run_name: name,
        start_time: startTime,
      });
      expect(created.status).toBe(200);
      const id = created.body.run.info.run_id;
      const pairs = (record: Record<string, unknown> = {}) =>
        Object.entries(record).map(([key, value]) => ({ key, value }));
      const logged = await post('/runs/log-batch', {
        run_id: id,
        params: pairs(data.params),
        tags: pairs(data.tags),
        metrics: pairs(data.metrics).map(m => ({
          ...m,
          timestamp: startTime,
          step: 0,
        })),
      });
      expect(logged.status).toBe(200);
      ids[name] = id;
    }

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      ({ server } = await startMlopsTestBackend({ knex }));
      experimentId = (
        await post('/experiments/create', {
          name: 'search-grammar',
          tags: [{ key: 'team', value: 'risk' }],
        })
      ).body.experiment_id;
      await post('/experiments/create', { name: 'search-other' });
      await run('alpha-1', 1000, {
        params: { model: 'tree', lr: '0.1' },
        tags: { team: 'risk', owner: 'Ana' },
        metrics: { auc: 0.9 },
      });
      await run('Alpha-2', 2000, {
        params: { model: 'forest' },
        tags: { team: 'growth' },
        metrics: { auc: 0.8 },
      });
      await run('beta', 3000, { params: { model: 'linear' } });
      for (const [name, dataset, digest, context] of [
        ['alpha-1', 'iris', 'abc123', 'training'],
        ['Alpha-2', 'wine', 'def456', 'eval'],
      ]) {
        const logged = await post('/runs/log-inputs', {
          run_id: ids[name],
          datasets: [
            {
              dataset: {
                name: dataset,
                digest,
                source_type: 'local',
                source: '{"uri": "data.csv"}',
              },
              tags: [{ key: 'mlflow.data.context', value: context }],
            },
          ],
        });
        if (logged.status !== 200) {
          throw new Error(`log-inputs answered ${logged.status}`);
        }
      }
    });

    async function names(filter: string, orderBy?: string[]) {
      const found = await post('/runs/search', {
        experiment_ids: [experimentId],
        filter,
        ...(orderBy ? { order_by: orderBy } : {}),
      });
      expect(found.status).toBe(200);
      return (found.body.runs ?? []).map((r: any) => r.info.run_name);
    }

    it('LIKE is case-sensitive, ILIKE is not', async () => {
      expect(await names("params.model LIKE 'tr%'")).toEqual(['alpha-1']);
      expect(await names("params.model LIKE 'TR%'")).toEqual([]);
      expect(await names("params.model ILIKE 'TR%'")).toEqual(['alpha-1']);
      expect(await names("attributes.run_name LIKE 'alpha%'")).toEqual([
        'alpha-1',
      ]);
      expect(
        (await names("attributes.run_name ILIKE 'alpha%'")).sort(),
      ).toEqual(['Alpha-2', 'alpha-1']);
      expect(await names("params.model LIKE '_ree'")).toEqual(['alpha-1']);
    });

    it('IN, NOT IN, IS NULL, IS NOT NULL and times', async () => {
      expect(
        await names(
          `attributes.run_id IN ('${ids['alpha-1']}', '${ids.beta}')`,
        ),
      ).toEqual(['beta', 'alpha-1']);
      expect(
        await names(`attributes.run_id NOT IN ('${ids['alpha-1']}')`),
      ).toEqual(['beta', 'Alpha-2']);
      expect(await names('tags.team IS NULL')).toEqual(['beta']);
      expect(await names('tags.team IS NOT NULL')).toEqual([
        'Alpha-2',
        'alpha-1',
      ]);
      expect(await names('attributes.start_time >= 2000')).toEqual([
        'beta',
        'Alpha-2',
      ]);
      expect(await names("tags.owner = 'Ana' and metrics.auc > 0.85")).toEqual([
        'alpha-1',
      ]);
      expect(await names("attributes.status = 'RUNNING'")).toHaveLength(3);
    });

    it('datasets.* and attributes.artifact_uri', async () => {
      expect(await names("datasets.name = 'iris'")).toEqual(['alpha-1']);
      expect(await names("datasets.digest LIKE 'def%'")).toEqual(['Alpha-2']);
      expect(await names("datasets.context IN ('training', 'eval')")).toEqual([
        'Alpha-2',
        'alpha-1',
      ]);
      expect(await names("datasets.context != 'training'")).toEqual([
        'Alpha-2',
      ]);
      const got = await get('/runs/get', { run_id: ids['alpha-1'] });
      const uri = got.body.run.info.artifact_uri;
      expect(await names(`attributes.artifact_uri = '${uri}'`)).toEqual([
        'alpha-1',
      ]);
      expect(
        await names(
          `attributes.artifact_uri LIKE 'mlflow-artifacts:/${experimentId}/%'`,
        ),
      ).toHaveLength(3);
    });

    it('tags.mlflow.runName finds runs named by create_run(run_name=)', async () => {
      expect(await names("tags.mlflow.runName = 'beta'")).toEqual(['beta']);
      // Setting the tag renames the run, as on MLflow's server.
      await post('/runs/set-tag', {
        run_id: ids.beta,
        key: 'mlflow.runName',
        value: 'gamma',
      });
      expect(await names("tags.mlflow.runName = 'gamma'")).toEqual(['gamma']);
      expect(
        (await get('/runs/get', { run_id: ids.beta })).body.run.info.run_name,
      ).toBe('gamma');
      await post('/runs/set-tag', {
        run_id: ids.beta,
        key: 'mlflow.runName',
        value: 'beta',
      });
    });

    it('orders by several keys, missing values last, and pages with tokens', async () => {
      const order = ['tags.team DESC', 'attributes.start_time ASC'];
      expect(await names('', order)).toEqual(['alpha-1', 'Alpha-2', 'beta']);
      expect(await names('', ['metrics.auc ASC'])).toEqual([
        'Alpha-2',
        'alpha-1',
        'beta',
      ]);
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const page = await post('/runs/search', {
          experiment_ids: [experimentId],
          order_by: order,
          max_results: 1,
          ...(token ? { page_token: token } : {}),
        });
        expect(page.status).toBe(200);
        seen.push(...page.body.runs.map((r: any) => r.info.run_name));
        token = page.body.next_page_token;
      } while (token && seen.length < 10);
      expect(seen).toEqual(['alpha-1', 'Alpha-2', 'beta']);

      const first = await post('/runs/search', {
        experiment_ids: [experimentId],
        order_by: order,
        max_results: 1,
      });
      const foreign = await post('/runs/search', {
        experiment_ids: [experimentId],
        order_by: ['metrics.auc DESC'],
        page_token: first.body.next_page_token,
      });
      expect(foreign.status).toBe(400);
      expect(foreign.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    });

    it('DELETED_ONLY answers only deleted runs, from the database', async () => {
      await post('/runs/delete', { run_id: ids.beta });
      const deleted = await post('/runs/search', {
        experiment_ids: [experimentId],
        run_view_type: 'DELETED_ONLY',
      });
      expect(deleted.body.runs.map((r: any) => r.info.run_name)).toEqual([
        'beta',
      ]);
      await post('/runs/restore', { run_id: ids.beta });
    });

    it('experiments: LIKE, tags, order and pages', async () => {
      const search = async (body: object) =>
        (await post('/experiments/search', body)).body;
      expect(
        (
          await search({
            filter: "name LIKE 'search-%'",
            order_by: ['name DESC'],
          })
        ).experiments.map((e: any) => e.name),
      ).toEqual(['search-other', 'search-grammar']);
      expect(
        (await search({ filter: "tags.team = 'risk'" })).experiments.map(
          (e: any) => e.name,
        ),
      ).toEqual(['search-grammar']);
      const first = await search({
        filter: "name ILIKE 'SEARCH-%'",
        order_by: ['name'],
        max_results: 1,
      });
      expect(first.experiments.map((e: any) => e.name)).toEqual([
        'search-grammar',
      ]);
      const second = await search({
        filter: "name ILIKE 'SEARCH-%'",
        order_by: ['name'],
        max_results: 1,
        page_token: first.next_page_token,
      });
      expect(second.experiments.map((e: any) => e.name)).toEqual([
        'search-other',
      ]);
      expect(second.next_page_token).toBeUndefined();
      const bad = await post('/experiments/search', {
        filter: 'metrics.x > 1',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    });

    it('registered models and versions: grammar, prompts left out, pages', async () => {
      for (const [name, tags] of [
        ['sg-model-a', [{ key: 'team', value: 'risk' }]],
        ['sg-model-b', []],
        ['sg-prompt', [{ key: 'mlflow.prompt.is_prompt', value: 'true' }]],
      ] as const) {
        expect(
          (await post('/registered-models/create', { name, tags })).status,
        ).toBe(200);
      }
      await post('/model-versions/create', {
        name: 'sg-model-a',
        source: 'mlflow-artifacts:/1/a/model',
        run_id: ids['alpha-1'],
      });
      await post('/model-versions/create', {
        name: 'sg-model-b',
        source: 's3://b/1',
      });
      await post('/model-versions/create', {
        name: 'sg-model-b',
        source: 's3://b/2',
      });

      const models = async (query: Record<string, string | number>) =>
        (await get('/registered-models/search', query)).body;
      const sgModels = await models({ filter: "name LIKE 'sg-%'" });
      expect(sgModels.registered_models.map((m: any) => m.name)).toEqual([
        'sg-model-a',
        'sg-model-b',
      ]);
      expect(sgModels.registered_models[1].latest_versions).toEqual([
        expect.objectContaining({ version: '2', current_stage: 'None' }),
      ]);
      // The 3.x client always adds this clause.
      const models3 = await models({
        filter:
          "name = 'sg-model-a' AND tag.`mlflow.prompt.is_prompt` != 'true'",
      });
      expect(models3.registered_models.map((m: any) => m.name)).toEqual([
        'sg-model-a',
      ]);
      expect(
        (
          await models({ filter: "tags.`mlflow.prompt.is_prompt` = 'true'" })
        ).registered_models.map((m: any) => m.name),
      ).toEqual(['sg-prompt']);
      expect(
        (await models({ filter: "tags.team = 'risk'" })).registered_models.map(
          (m: any) => m.name,
        ),
      ).toEqual(['sg-model-a']);
      const page1 = await models({
        filter: "name LIKE 'sg-%'",
        max_results: 1,
        order_by: 'name DESC',
      });
      expect(page1.registered_models.map((m: any) => m.name)).toEqual([
        'sg-model-b',
      ]);
      const page2 = await models({
        filter: "name LIKE 'sg-%'",
        max_results: 1,
        order_by: 'name DESC',
        page_token: page1.next_page_token,
      });
      expect(page2.registered_models.map((m: any) => m.name)).toEqual([
        'sg-model-a',
      ]);

      const versions = async (filter: string) =>
        (
          await get('/model-versions/search', { filter })
        ).body.model_versions.map((v: any) => `${v.name}/${v.version}`);
      expect(await versions(`run_id = '${ids['alpha-1']}'`)).toEqual([
        'sg-model-a/1',
      ]);
      expect(
        await versions("name = 'sg-model-b' and version_number > 1"),
      ).toEqual(['sg-model-b/2']);
      expect(await versions("source_path LIKE 's3://b/%'")).toEqual([
        'sg-model-b/2',
        'sg-model-b/1',
      ]);
      const bad = await get('/model-versions/search', {
        filter: "tags.x < 'y'",
      });
      expect(bad.status).toBe(400);
    });
  });
});
