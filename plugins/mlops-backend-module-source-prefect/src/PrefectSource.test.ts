import type { MlopsSourceEntity } from '@backstage-mlops/plugin-mlops-node';
import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { PrefectApi } from './PrefectApi';
import { readPrefectInstanceOptions, syncPrefect } from './PrefectSource';
import { PrefectTestServer } from './__testUtils__/PrefectTestServer';
import {
  memorySyncContext,
  plainHttpClient,
} from '@backstage-mlops/plugin-mlops-node/testUtils';

const NOW = new Date('2026-11-20T12:00:00Z');
const hoursAgo = (h: number) =>
  new Date(NOW.getTime() - h * 3_600_000).toISOString();

const deploymentEntity = {
  entityRef: 'component:default/fraud-training',
  annotations: {
    'prefect.io/deployment': 'train-fraud/nightly',
    'backstage-mlops.dev/pipeline': 'fraud-detection-training',
  },
};
const flowEntity = {
  entityRef: 'component:default/churn-features',
  annotations: { 'prefect.io/flow-name': 'churn-features' },
};

describe('Prefect source', () => {
  let server: PrefectTestServer;

  beforeEach(async () => {
    server = await PrefectTestServer.start({ apiKey: 'pnu_test-key-123' });
  });
  afterEach(async () => {
    await server.stop().catch(() => {});
  });

  const sync = (
    ctx: ReturnType<typeof memorySyncContext>,
    extra: Record<string, unknown> = {},
  ) => {
    const options = readPrefectInstanceOptions({
      type: 'prefect',
      name: 'prod',
      baseUrl: server.baseUrl,
      logger: mockServices.logger.mock(),
      config: new ConfigReader({
        name: 'prod',
        baseUrl: server.baseUrl,
        apiKey: 'pnu_test-key-123',
        ...extra,
      }),
    });
    return syncPrefect(ctx, {
      ...options,
      api: new PrefectApi(ctx.http, options.apiKey),
      isDefaultInstance: true,
      now: () => NOW,
    });
  };
  const context = (
    timeoutMs?: number,
    entities: MlopsSourceEntity[] = [deploymentEntity, flowEntity],
  ) =>
    memorySyncContext({
      baseUrl: server.baseUrl,
      http: plainHttpClient(server.baseUrl, timeoutMs),
      entities,
    });

  function seedCrashedCudaRun() {
    const id = server.addFlowRun({
      id: '5b0f6f2e-0000-4000-8000-000000000001',
      flowName: 'train-fraud',
      deployment: 'nightly',
      stateType: 'FAILED',
      message: 'Flow run encountered an exception: 1/3 states failed.',
      expectedStart: hoursAgo(6),
      start: hoursAgo(5.9),
      end: hoursAgo(5.5),
      autoScheduled: true,
    });
    server.addTaskRun({
      flowRunId: id,
      name: 'load-0',
      stateType: 'COMPLETED',
      start: hoursAgo(5.9),
      end: hoursAgo(5.8),
    });
    server.addTaskRun({
      flowRunId: id,
      name: 'fit-0',
      stateType: 'FAILED',
      message:
        'Task run encountered an exception RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB',
      start: hoursAgo(5.8),
      end: hoursAgo(5.5),
    });
    // A run of the same flow from another deployment is not this entity's.
    server.addFlowRun({
      flowName: 'train-fraud',
      deployment: 'adhoc',
      stateType: 'COMPLETED',
      expectedStart: hoursAgo(3),
    });
    return id;
  }

  it('turns flow runs and task runs into pipeline runs and stages, with Late, Crashed and the failed task message', async () => {
    const failedId = seedCrashedCudaRun();
    server.addFlowRun({
      flowName: 'churn-features',
      stateType: 'SCHEDULED',
      stateName: 'Late',
      expectedStart: hoursAgo(2),
    });
    server.addFlowRun({
      flowName: 'churn-features',
      stateType: 'CRASHED',
      message: 'Pod churn-7 terminated: ImagePullBackOff',
      expectedStart: hoursAgo(4),
      start: hoursAgo(4),
      end: hoursAgo(3.9),
    });
    const ctx = context();
    await sync(ctx);

    const failed = ctx.stored.get(`fraud-detection-training/${failedId}`)!;
    expect(failed).toMatchObject({
      state: 'FAILED',
      trigger: 'schedule',
      scheduledAt: hoursAgo(6),
      endedAt: hoursAgo(5.5),
    });
    expect(failed.stages!.map(s => [s.name, s.state])).toEqual([
      ['load-0', 'COMPLETED'],
      ['fit-0', 'FAILED'],
    ]);
    expect(failed.stages![1].failureMessage).toContain('CUDA out of memory');
    expect(failed.failureMessage).toMatch(
      /^Task run encountered an exception RuntimeError: CUDA out of memory/,
    );
    expect(
      [...ctx.stored.keys()].filter(k =>
        k.startsWith('fraud-detection-training/'),
      ),
    ).toHaveLength(1);

    const churn = [...ctx.stored.values()].filter(
      r => r.pipeline === 'churn-features',
    );
    expect(churn.map(r => r.state).sort()).toEqual(['CRASHED', 'LATE']);
    expect(churn.find(r => r.state === 'CRASHED')!.failureMessage).toContain(
      'ImagePullBackOff',
    );
    expect(
      server.requests.every(r => r.auth === 'Bearer pnu_test-key-123'),
    ).toBe(true);
  });

  it('pages through flow runs to the end and next time starts at the oldest run still open', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 45; i++) {
      ids.push(
        server.addFlowRun({
          flowName: 'churn-features',
          stateType: i === 20 ? 'RUNNING' : 'COMPLETED',
          expectedStart: new Date(
            NOW.getTime() - (45 - i) * 60_000,
          ).toISOString(),
        }),
      );
    }
    const ctx = context(undefined, [flowEntity]);
    await sync(ctx, { pageSize: 10 });
    expect(ctx.stored.size).toBe(45);
    expect(
      server.requests
        .filter(r => r.path === '/flow_runs/filter')
        .map(r => r.body.offset),
    ).toEqual([0, 10, 20, 30, 40]);
    const open = server.flowRuns.find(r => r.id === ids[20])!;
    expect(ctx.cursorValues.get('after:flow:churn-features')).toBe(
      open.expectedStart,
    );

    server.requests.length = 0;
    await sync(ctx, { pageSize: 10 });
    const first = server.requests.find(r => r.path === '/flow_runs/filter')!;
    expect(first.body.flow_runs.expected_start_time.after_).toBe(
      open.expectedStart,
    );
  });

  it('stops with an error instead of looping when the server ignores the offset', async () => {
    for (let i = 0; i < 25; i++) {
      server.addFlowRun({
        flowName: 'churn-features',
        stateType: 'COMPLETED',
        expectedStart: hoursAgo(5 - i / 10),
      });
    }
    server.ignoreOffset = true;
    const ctx = context(undefined, [flowEntity]);
    await expect(sync(ctx, { pageSize: 10 })).rejects.toThrow(/already sent/);
    expect(ctx.stored.size).toBe(0);
  });

  it('fails on a 5xx or a timeout without touching what was stored', async () => {
    seedCrashedCudaRun();
    const ctx = context(300);
    await sync(ctx);
    const before = JSON.stringify([...ctx.stored]);
    const cursors = JSON.stringify([...ctx.cursorValues]);

    server.fail(/flow_runs\/filter/, 500);
    await expect(sync(ctx)).rejects.toMatchObject({ status: 500 });
    server.delayMs = 600;
    await expect(sync(ctx)).rejects.toMatchObject({ status: 0 });
    expect(JSON.stringify([...ctx.stored])).toBe(before);
    expect(JSON.stringify([...ctx.cursorValues])).toBe(cursors);
  });

  it('keeps what it had when the server vanishes mid-sync', async () => {
    seedCrashedCudaRun();
    const ctx = context();
    await sync(ctx);
    const before = JSON.stringify([...ctx.stored]);
    server.addFlowRun({
      flowName: 'train-fraud',
      deployment: 'nightly',
      stateType: 'RUNNING',
      expectedStart: hoursAgo(1),
    });
    server.vanishAfterRequests(/task_runs\/filter/, 0);
    await expect(sync(ctx)).rejects.toMatchObject({ status: 0 });
    expect(JSON.stringify([...ctx.stored])).toBe(before);
  });

  it('says the API key was refused, without the key', async () => {
    seedCrashedCudaRun();
    const ctx = context();
    const error = await sync(ctx, { apiKey: 'pnu_wrong-key' }).catch(e => e);
    expect(error.message).toBe(
      'Prefect refused the configured API key (401) at /flows/filter',
    );
    expect(error.message).not.toContain('pnu_wrong-key');
    expect(ctx.stored.size).toBe(0);
  });

  it('reads only what its own instance is named for', async () => {
    seedCrashedCudaRun();
    const ctx = context(undefined, [
      {
        entityRef: 'component:default/x',
        annotations: {
          'prefect.io/flow-name': 'train-fraud',
          'backstage-mlops.dev/prefect-instance': 'staging',
        },
      },
    ]);
    await sync(ctx);
    expect(server.requests).toHaveLength(0);
  });
});
