import {
  TestDatabaseId,
  TestDatabases,
  mockServices,
} from '@backstage/backend-test-utils';
import {
  SourceTestBackend,
  startSourceTestBackend,
} from '@backstage-mlops/plugin-mlops-node/testUtils';
// The real MLOps backend plugin with this module, as a portal installs them.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import mlopsPlugin from '@backstage-mlops/plugin-mlops-backend';
import { mlopsModuleSourcePrefect } from './module';
import { PrefectTestServer } from './__testUtils__/PrefectTestServer';

/*
 * End to end: a Prefect 3 server (a test server built from Prefect's schema;
 * there is no Prefect install here) ran a deployment whose fit task ran out
 * of GPU memory and whose pod was OOMKilled. After one sync through the real
 * MLOps backend the pipeline shows the failed run, the health checks open a
 * pipeline_failed incident on the entity and triage offers the matching
 * guidance. On SQLite and PostgreSQL.
 */

jest.setTimeout(120_000);

const ids: TestDatabaseId[] = ['SQLITE_3'];
if (process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING) {
  ids.push('POSTGRES_15');
}
const databases = TestDatabases.create({ ids });
const API_KEY = 'pnu_e2e-key-77aa';

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'fraud-training',
    namespace: 'default',
    annotations: { 'prefect.io/deployment': 'train-fraud/nightly' },
  },
  spec: {
    type: 'ml-pipeline',
    lifecycle: 'production',
    owner: 'group:default/risk-ml',
  },
};

describe.each(databases.eachSupportedId())(
  'Prefect source in the MLOps backend on %p',
  databaseId => {
    let prefect: PrefectTestServer;
    let backend: SourceTestBackend | undefined;

    afterEach(async () => {
      await backend?.stop();
      backend = undefined;
      await prefect?.stop().catch(() => {});
    });

    async function start(apiKey = API_KEY) {
      prefect = await PrefectTestServer.start({ apiKey: API_KEY });
      backend = await startSourceTestBackend({
        features: [
          mlopsPlugin,
          mlopsModuleSourcePrefect,
          mockServices.database.factory({
            knex: await databases.init(databaseId),
          }),
        ],
        type: 'prefect',
        instance: { baseUrl: prefect.baseUrl, apiKey },
        entities: [entity],
      });
      return backend;
    }

    function seedOomFailure() {
      const startedAt = new Date(Date.now() - 3 * 3_600_000).toISOString();
      const end = new Date(Date.now() - 2.5 * 3_600_000).toISOString();
      const id = prefect.addFlowRun({
        id: '0c6a1f8e-1111-4a2b-9c3d-000000000042',
        flowName: 'train-fraud',
        deployment: 'nightly',
        stateType: 'FAILED',
        message: 'Flow run encountered an exception: 1/2 states failed.',
        expectedStart: startedAt,
        start: startedAt,
        end,
        autoScheduled: true,
      });
      prefect.addTaskRun({
        flowRunId: id,
        name: 'load-0',
        stateType: 'COMPLETED',
        start: startedAt,
        end: startedAt,
      });
      prefect.addTaskRun({
        flowRunId: id,
        name: 'fit-0',
        stateType: 'FAILED',
        message:
          'Task run failed: worker pod fraud-fit-2 Terminated with reason OOMKilled (exit code 137)',
        start: new Date(Date.parse(startedAt) + 60_000).toISOString(),
        end,
      });
      return id;
    }

    it('shows the failed flow run, opens an incident and offers the OOMKilled guidance', async () => {
      const portal = await start();
      seedOomFailure();
      await portal.sync();
      expect(await portal.status()).toMatchObject({ state: 'ok' });

      const runs = await portal.get('/pipelines/train-fraud%2Fnightly/runs');
      expect(runs.status).toBe(200);
      const [run] = runs.body.items ?? runs.body;
      expect(run).toMatchObject({
        state: 'FAILED',
        externalId: '0c6a1f8e-1111-4a2b-9c3d-000000000042',
        failureClass: 'oom_killed',
      });
      expect(run.stages.map((s: any) => [s.name, s.state])).toEqual([
        ['load-0', 'COMPLETED'],
        ['fit-0', 'FAILED'],
      ]);

      await portal.checkHealth();
      const incidents = await portal.get(
        '/entities/component/default/fraud-training/incidents',
      );
      expect(incidents.status).toBe(200);
      const open = (incidents.body.items ?? incidents.body).filter(
        (i: any) => i.status !== 'resolved',
      );
      expect(open.map((i: any) => i.symptom)).toContain('pipeline_failed');

      const triage = await portal.get(
        '/entities/component/default/fraud-training/triage',
      );
      expect(triage.status).toBe(200);
      expect(triage.body.status).toBe('unhealthy');
      expect(triage.body.problems).toContainEqual(
        expect.objectContaining({
          source: 'failure',
          failureClasses: ['oom_killed'],
        }),
      );
      // The first guidance is the knowledge base's out-of-memory entry.
      expect(triage.body.matches[0].entry).toMatchObject({
        id: 'batch-job-out-of-memory',
        symptoms: expect.arrayContaining([expect.stringMatching(/OOMKilled/)]),
      });
    });

    it('keeps the runs and reports the failure, without the API key, when Prefect answers 5xx', async () => {
      const portal = await start();
      seedOomFailure();
      await portal.sync();
      prefect.fail(/flow_runs\/filter/, 503, 10);
      await portal.sync();
      const status = await portal.status();
      expect(status.state).toMatch(/failing|circuit_open/);
      expect(status.lastError).toMatch(/503/);
      const runs = await portal.get('/pipelines/train-fraud%2Fnightly/runs');
      expect(runs.body.items ?? runs.body).toHaveLength(1);
      expect(JSON.stringify(status)).not.toContain(API_KEY);
    });

    it('reports a refused API key without the key and writes nothing', async () => {
      const portal = await start('pnu_wrong-5521');
      seedOomFailure();
      await portal.sync();
      const status = await portal.status();
      expect(status.state).toMatch(/failing|circuit_open/);
      expect(status.lastError).toMatch(/refused the configured API key/);
      expect(JSON.stringify(status)).not.toContain('pnu_wrong-5521');
      const runs = await portal.get('/pipelines/train-fraud%2Fnightly/runs');
      expect(runs.body.items ?? []).toEqual([]);
    });
  },
);
