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
import { mlopsModuleSourceAirflow } from './module';
import { AirflowTestServer } from './__testUtils__/AirflowTestServer';

/*
 * End to end: an Airflow 3 server (a test server built from Airflow's spec
 * shapes; there is no Airflow install here) runs a DAG whose train task was
 * OOMKilled. After one sync through the real MLOps backend the pipeline shows
 * the failed run, the health checks open a pipeline_failed incident on the
 * entity, and triage offers the OOMKilled guidance. On SQLite and PostgreSQL.
 */

jest.setTimeout(120_000);

const ids: TestDatabaseId[] = ['SQLITE_3'];
if (process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING) {
  ids.push('POSTGRES_15');
}
const databases = TestDatabases.create({ ids });
const PASSWORD = 'airflow-pw-8c1f';

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'fraud-training',
    namespace: 'default',
    annotations: { 'airflow.apache.org/dag-id': 'fraud_training' },
  },
  spec: {
    type: 'ml-pipeline',
    lifecycle: 'production',
    owner: 'group:default/risk-ml',
  },
};

describe.each(databases.eachSupportedId())(
  'Airflow source in the MLOps backend on %p',
  databaseId => {
    let airflow: AirflowTestServer;
    let backend: SourceTestBackend | undefined;

    afterEach(async () => {
      await backend?.stop();
      backend = undefined;
      await airflow?.stop().catch(() => {});
    });

    async function start(password = PASSWORD) {
      airflow = await AirflowTestServer.start({
        apiVersion: 2,
        username: 'portal',
        password: PASSWORD,
      });
      backend = await startSourceTestBackend({
        features: [
          mlopsPlugin,
          mlopsModuleSourceAirflow,
          mockServices.database.factory({
            knex: await databases.init(databaseId),
          }),
        ],
        type: 'airflow',
        instance: { baseUrl: airflow.baseUrl, username: 'portal', password },
        entities: [entity],
      });
      return backend;
    }

    function seedOomFailure() {
      const runAfter = new Date(Date.now() - 3 * 3_600_000).toISOString();
      const runId = 'scheduled__nightly';
      airflow.runs.push({
        dagId: 'fraud_training',
        runId,
        state: 'failed',
        runType: 'scheduled',
        runAfter,
        startDate: runAfter,
        endDate: new Date(Date.now() - 2.5 * 3_600_000).toISOString(),
      });
      airflow.tasks.push(
        {
          dagId: 'fraud_training',
          runId,
          taskId: 'ingest',
          state: 'success',
          startDate: runAfter,
          endDate: runAfter,
        },
        {
          dagId: 'fraud_training',
          runId,
          taskId: 'train',
          state: 'failed',
          tryNumber: 1,
          startDate: runAfter,
          log: [
            'Pod fraud-train-5d9c status: Failed',
            'Last State: Terminated  Reason: OOMKilled  Exit Code: 137',
          ],
        },
      );
    }

    it('shows the failed DAG run, opens an incident and offers the OOMKilled guidance', async () => {
      const portal = await start();
      seedOomFailure();
      await portal.sync();
      expect(await portal.status()).toMatchObject({ state: 'ok' });

      const runs = await portal.get('/pipelines/fraud_training/runs');
      expect(runs.status).toBe(200);
      const [run] = runs.body.items ?? runs.body;
      expect(run).toMatchObject({
        state: 'FAILED',
        externalId: 'scheduled__nightly',
        failureClass: 'oom_killed',
      });
      expect(run.stages.map((s: any) => [s.name, s.state])).toEqual([
        ['ingest', 'COMPLETED'],
        ['train', 'FAILED'],
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

    it('keeps the runs and reports the failure, without the password, when Airflow answers 5xx', async () => {
      const portal = await start();
      seedOomFailure();
      await portal.sync();
      airflow.fail(/dagRuns\/list$/, 503, 10);
      await portal.sync();
      const status = await portal.status();
      expect(status.state).toMatch(/failing|circuit_open/);
      expect(status.lastError).toMatch(/503/);
      const runs = await portal.get('/pipelines/fraud_training/runs');
      expect(runs.body.items ?? runs.body).toHaveLength(1);
      expect(JSON.stringify(status)).not.toContain(PASSWORD);
    });

    it('reports a refused sign-in without the password and writes nothing', async () => {
      const portal = await start('wrong-pw-5521');
      seedOomFailure();
      await portal.sync();
      const status = await portal.status();
      expect(status.state).toMatch(/failing|circuit_open/);
      expect(status.lastError).toMatch(
        /refused the configured username and password/,
      );
      expect(JSON.stringify(status)).not.toContain('wrong-pw-5521');
      const runs = await portal.get('/pipelines/fraud_training/runs');
      expect(runs.body.items ?? []).toEqual([]);
    });
  },
);
