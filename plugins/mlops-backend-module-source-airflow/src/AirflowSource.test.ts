import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { AirflowApi } from './AirflowApi';
import {
  readAirflowInstanceOptions,
  syncAirflow,
  AirflowInstanceOptions,
} from './AirflowSource';
import { AirflowTestServer } from './__testUtils__/AirflowTestServer';
import {
  memorySyncContext,
  plainHttpClient,
} from '@backstage-mlops/plugin-mlops-node/testUtils';

const NOW = new Date('2026-11-20T12:00:00Z');
const hoursAgo = (h: number) =>
  new Date(NOW.getTime() - h * 3_600_000).toISOString();

const fraudEntity = {
  entityRef: 'component:default/fraud-training',
  annotations: {
    'airflow.apache.org/dag-id': 'fraud_training',
    'backstage-mlops.dev/pipeline': 'fraud-detection-training',
  },
};
const churnEntity = {
  entityRef: 'component:default/churn',
  annotations: { 'airflow.apache.org/dag-id': 'churn_features' },
};

function optionsFor(
  server: AirflowTestServer,
  apiVersion: 1 | 2,
  extra: Record<string, unknown> = {},
): AirflowInstanceOptions {
  return readAirflowInstanceOptions({
    type: 'airflow',
    name: 'prod',
    baseUrl: server.baseUrl,
    logger: mockServices.logger.mock(),
    config: new ConfigReader({
      name: 'prod',
      baseUrl: server.baseUrl,
      apiVersion,
      username: 'portal',
      password: 's3cret-pw',
      ...extra,
    }),
  });
}

function seedFailedOomRun(server: AirflowTestServer) {
  server.runs.push({
    dagId: 'fraud_training',
    runId: 'scheduled__2026-11-20T06:00:00+00:00',
    state: 'failed',
    runType: 'scheduled',
    runAfter: hoursAgo(6),
    startDate: hoursAgo(5.9),
    endDate: hoursAgo(5.5),
  });
  server.tasks.push(
    {
      dagId: 'fraud_training',
      runId: 'scheduled__2026-11-20T06:00:00+00:00',
      taskId: 'ingest',
      state: 'success',
      startDate: hoursAgo(5.9),
      endDate: hoursAgo(5.8),
    },
    {
      dagId: 'fraud_training',
      runId: 'scheduled__2026-11-20T06:00:00+00:00',
      taskId: 'train',
      state: 'failed',
      tryNumber: 2,
      startDate: hoursAgo(5.8),
      endDate: hoursAgo(5.5),
      log: [
        'Starting attempt 2 of 2',
        'Pod fraud-train-5d9c terminated: reason OOMKilled, exit code 137',
        'Task failed with exception',
      ],
    },
    {
      dagId: 'fraud_training',
      runId: 'scheduled__2026-11-20T06:00:00+00:00',
      taskId: 'register',
      state: 'upstream_failed',
    },
  );
}

describe.each([2, 1] as const)(
  'Airflow source against the v%s API',
  apiVersion => {
    let server: AirflowTestServer;

    beforeEach(async () => {
      server = await AirflowTestServer.start({
        apiVersion,
        username: 'portal',
        password: 's3cret-pw',
      });
    });

    afterEach(async () => {
      await server.stop().catch(() => {});
    });

    const sync = (ctx: ReturnType<typeof memorySyncContext>, extra = {}) => {
      const options = optionsFor(server, apiVersion, extra);
      return syncAirflow(ctx, {
        ...options,
        api: new AirflowApi(ctx.http, options),
        isDefaultInstance: true,
        now: () => NOW,
      });
    };

    it('turns DAG runs and task instances into pipeline runs and stages, with the failed task log as the reason', async () => {
      seedFailedOomRun(server);
      server.runs.push({
        dagId: 'churn_features',
        runId: 'manual__2026-11-20T11:00:00',
        state: 'running',
        runType: 'manual',
        runAfter: hoursAgo(1),
        startDate: hoursAgo(0.9),
      });
      const ctx = memorySyncContext({
        baseUrl: server.baseUrl,
        http: plainHttpClient(server.baseUrl),
        entities: [fraudEntity, churnEntity],
      });
      await sync(ctx);

      const failed = ctx.stored.get(
        'fraud-detection-training/scheduled__2026-11-20T06:00:00+00:00',
      )!;
      expect(failed).toMatchObject({
        state: 'FAILED',
        trigger: 'schedule',
        scheduledAt: hoursAgo(6),
        endedAt: hoursAgo(5.5),
      });
      expect(failed.stages!.map(s => [s.name, s.state])).toEqual([
        ['ingest', 'COMPLETED'],
        ['train', 'FAILED'],
        ['register', 'CANCELLED'],
      ]);
      expect(failed.stages![1].failureMessage).toContain(
        'Task train failed on try 2',
      );
      expect(failed.stages![1].failureMessage).toContain(
        'OOMKilled, exit code 137',
      );
      expect(failed.failureMessage).toContain('OOMKilled');

      // An entity without the MLOps pipeline annotation is named by its DAG.
      expect(
        ctx.stored.get('churn_features/manual__2026-11-20T11:00:00'),
      ).toMatchObject({
        state: 'RUNNING',
        trigger: 'manual',
      });
      expect(
        ctx.stored.get('churn_features/manual__2026-11-20T11:00:00')!.endedAt,
      ).toBeUndefined();

      // Both DAGs came in one batch listing.
      const listings = server.requests.filter(r =>
        r.path.endsWith('/dags/~/dagRuns/list'),
      );
      expect(listings).toHaveLength(1);
      expect(listings[0].body.dag_ids).toEqual([
        'churn_features',
        'fraud_training',
      ]);
    });

    it('reads every page, and next time starts at the oldest run still open', async () => {
      for (let i = 0; i < 250; i++) {
        server.runs.push({
          dagId: 'fraud_training',
          runId: `scheduled__${i}`,
          state: i === 100 ? 'running' : 'success',
          runAfter: new Date(NOW.getTime() - (250 - i) * 60_000).toISOString(),
          startDate: new Date(NOW.getTime() - (250 - i) * 60_000).toISOString(),
          endDate:
            i === 100
              ? undefined
              : new Date(NOW.getTime() - (249 - i) * 60_000).toISOString(),
        });
      }
      const ctx = memorySyncContext({
        baseUrl: server.baseUrl,
        http: plainHttpClient(server.baseUrl),
        entities: [fraudEntity],
      });
      await sync(ctx, { pageSize: 100 });
      expect(ctx.stored.size).toBe(250);
      const offsets = server.requests
        .filter(r => r.path.endsWith('/dags/~/dagRuns/list'))
        .map(r => r.body.page_offset);
      expect(offsets).toEqual([0, 100, 200]);
      expect(ctx.cursorValues.get('dueAfter:fraud_training')).toBe(
        server.runs[100].runAfter,
      );

      server.requests.length = 0;
      await sync(ctx, { pageSize: 100 });
      const again = server.requests.find(r =>
        r.path.endsWith('/dags/~/dagRuns/list'),
      )!;
      const from =
        apiVersion === 2
          ? again.body.run_after_gte
          : again.body.execution_date_gte;
      expect(from).toBe(server.runs[100].runAfter);
    });

    it('stops with an error when the server repeats a page instead of looping', async () => {
      for (let i = 0; i < 30; i++) {
        server.runs.push({
          dagId: 'fraud_training',
          runId: `scheduled__${i}`,
          state: 'success',
          runAfter: new Date(NOW.getTime() - (30 - i) * 60_000).toISOString(),
        });
      }
      server.ignoreOffset = true;
      const ctx = memorySyncContext({
        baseUrl: server.baseUrl,
        http: plainHttpClient(server.baseUrl),
        entities: [fraudEntity],
      });
      await expect(sync(ctx, { pageSize: 10 })).rejects.toThrow(/already sent/);
      expect(
        server.requests.filter(r => r.path.endsWith('/dagRuns/list')),
      ).toHaveLength(2);
      expect(ctx.stored.size).toBe(0);
      expect(ctx.cursorValues.size).toBe(0);
    });

    it('fails on a 5xx without touching what was stored, and catches up afterwards', async () => {
      seedFailedOomRun(server);
      const ctx = memorySyncContext({
        baseUrl: server.baseUrl,
        http: plainHttpClient(server.baseUrl),
        entities: [fraudEntity],
      });
      await sync(ctx);
      const before = JSON.stringify([...ctx.stored]);
      const cursor = ctx.cursorValues.get('dueAfter:fraud_training');

      server.fail(/dagRuns\/list$/, 503);
      await expect(sync(ctx)).rejects.toMatchObject({ status: 503 });
      expect(JSON.stringify([...ctx.stored])).toBe(before);
      expect(ctx.cursorValues.get('dueAfter:fraud_training')).toBe(cursor);

      server.runs.push({
        dagId: 'fraud_training',
        runId: 'scheduled__2026-11-20T12:00:00+00:00',
        state: 'queued',
        runAfter: hoursAgo(0),
      });
      await sync(ctx);
      expect(ctx.stored.size).toBe(2);
    });

    it('fails on a timeout', async () => {
      seedFailedOomRun(server);
      server.delayMs = 500;
      const ctx = memorySyncContext({
        baseUrl: server.baseUrl,
        http: plainHttpClient(server.baseUrl, 100),
        entities: [fraudEntity],
      });
      await expect(sync(ctx)).rejects.toMatchObject({ status: 0 });
      expect(ctx.stored.size).toBe(0);
    });

    it('keeps what it had when the server vanishes mid-sync', async () => {
      seedFailedOomRun(server);
      const ctx = memorySyncContext({
        baseUrl: server.baseUrl,
        http: plainHttpClient(server.baseUrl),
        entities: [fraudEntity],
      });
      await sync(ctx);
      expect(ctx.stored.size).toBe(1);
      const cursor = ctx.cursorValues.get('dueAfter:fraud_training');

      server.runs.push({
        dagId: 'fraud_training',
        runId: 'scheduled__late',
        state: 'running',
        runAfter: hoursAgo(1),
      });
      // The run listing answers, then the server is gone before the tasks.
      server.vanishAfterRequests(/taskInstances\/list$/, 0);
      await expect(sync(ctx)).rejects.toMatchObject({ status: 0 });
      expect([...ctx.stored.keys()]).toEqual([
        'fraud-detection-training/scheduled__2026-11-20T06:00:00+00:00',
      ]);
      expect(ctx.stored.values().next().value!.state).toBe('FAILED');
      expect(ctx.cursorValues.get('dueAfter:fraud_training')).toBe(cursor);
    });

    it('refuses to go on with wrong credentials and never names the password', async () => {
      seedFailedOomRun(server);
      const ctx = memorySyncContext({
        baseUrl: server.baseUrl,
        http: plainHttpClient(server.baseUrl),
        entities: [fraudEntity],
      });
      const error = await sync(ctx, { password: 'wrong-pw' }).catch(e => e);
      expect(error).toBeInstanceOf(Error);
      expect(String(error.message)).not.toContain('wrong-pw');
      // v2 fails at sign-in with its own message; v1 is refused with a 401.
      const expected =
        apiVersion === 2
          ? {
              message:
                'Airflow refused the configured username and password at /auth/token',
            }
          : { status: 401 };
      expect(error).toMatchObject(expected);
      expect(ctx.stored.size).toBe(0);
    });

    it('reads only the DAGs of its own instance', async () => {
      seedFailedOomRun(server);
      const ctx = memorySyncContext({
        baseUrl: server.baseUrl,
        http: plainHttpClient(server.baseUrl),
        entities: [
          {
            entityRef: 'component:default/elsewhere',
            annotations: {
              'airflow.apache.org/dag-id': 'fraud_training',
              'backstage-mlops.dev/airflow-instance': 'staging',
            },
          },
        ],
      });
      await sync(ctx);
      expect(server.requests).toHaveLength(0);
      expect(ctx.stored.size).toBe(0);
    });
  },
);

describe('Airflow 3 sign-in', () => {
  let server: AirflowTestServer;
  afterEach(async () => {
    await server.stop();
  });

  it('reuses a JWT until it nears expiry, and signs in again when the server refuses it', async () => {
    let clock = Date.now();
    server = await AirflowTestServer.start({
      now: () => clock,
      apiVersion: 2,
      username: 'portal',
      password: 's3cret-pw',
      tokenLifetimeSeconds: 600,
    });
    seedFailedOomRun(server);
    const options = optionsFor(server, 2);
    const tokens = {};
    const run = () => {
      const ctx = memorySyncContext({
        baseUrl: server.baseUrl,
        http: plainHttpClient(server.baseUrl),
        entities: [fraudEntity],
      });
      return syncAirflow(ctx, {
        ...options,
        api: new AirflowApi(ctx.http, { ...options, tokens, now: () => clock }),
        isDefaultInstance: true,
        now: () => NOW,
      });
    };
    await run();
    await run();
    expect(server.tokensIssued).toBe(1);

    // Within a minute of its expiry the token is renewed before use.
    clock += 9.5 * 60_000;
    await run();
    expect(server.tokensIssued).toBe(2);

    // The server forgets its tokens (a restart with a new key): one 401,
    // one new sign-in, and the sync goes through.
    server.expireTokens();
    await run();
    expect(server.tokensIssued).toBe(3);
    const signIns = server.requests.filter(r => r.path === '/auth/token');
    expect(signIns.every(r => r.body.username === 'portal')).toBe(true);
  });
});
