import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  PIPELINE_MIGRATIONS,
  migrateOnly,
} from '../deployments/migrateForTests';
import { PipelineStore } from './PipelineStore';

jest.setTimeout(60_000);

const MINUTE = 60_000;

describe('PipelineStore', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let knex: Knex;
    let clock: Date;
    let store: PipelineStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      await migrateOnly(knex, PIPELINE_MIGRATIONS);
    });

    beforeEach(async () => {
      await knex('mlops_pipeline_run_stages').delete();
      await knex('mlops_pipeline_runs').delete();
      await knex('mlops_pipelines').delete();
      clock = new Date('2026-11-20T02:00:00Z');
      store = new PipelineStore(
        knex,
        { heartbeatTimeoutMs: 10 * MINUTE, lateAfterMs: 15 * MINUTE },
        () => clock,
      );
      await store.upsertDefinition('fraud-detection-training', {
        owner: 'group:default/risk-ml',
        orchestrator: 'prefect',
        stages: ['ingest', 'train', 'register'],
        slaMinutes: 24 * 60,
      });
    });

    afterAll(async () => {
      await knex.destroy();
    });

    const advance = (minutes: number) => {
      clock = new Date(clock.getTime() + minutes * MINUTE);
    };

    it('runs stages in order and completes, with a timeline per stage', async () => {
      const { run, created } = await store.createRun(
        'fraud-detection-training',
        {},
      );
      expect(created).toBe(true);
      expect(run.state).toBe('SCHEDULED');
      expect(run.stages.map(s => [s.name, s.state])).toEqual([
        ['ingest', 'PENDING'],
        ['train', 'PENDING'],
        ['register', 'PENDING'],
      ]);

      advance(1);
      const started = await store.moveStage(
        'fraud-detection-training',
        run.id,
        'ingest',
        { state: 'RUNNING' },
      );
      expect(started.state).toBe('RUNNING');
      expect(started.startedAt).toBe('2026-11-20T02:01:00.000Z');
      advance(4);
      await store.moveStage('fraud-detection-training', run.id, 'ingest', {
        state: 'COMPLETED',
      });
      await store.moveStage('fraud-detection-training', run.id, 'train', {
        state: 'RUNNING',
      });
      advance(30);
      await store.moveStage('fraud-detection-training', run.id, 'train', {
        state: 'COMPLETED',
      });
      const done = await store.finishRun('fraud-detection-training', run.id, {
        state: 'COMPLETED',
      });
      expect(done.state).toBe('COMPLETED');
      expect(done.stages).toEqual([
        {
          name: 'ingest',
          state: 'COMPLETED',
          startedAt: '2026-11-20T02:01:00.000Z',
          endedAt: '2026-11-20T02:05:00.000Z',
        },
        {
          name: 'train',
          state: 'COMPLETED',
          startedAt: '2026-11-20T02:05:00.000Z',
          endedAt: '2026-11-20T02:35:00.000Z',
        },
        // never started: cancelled when the run ended
        { name: 'register', state: 'CANCELLED' },
      ]);
      expect(await store.lastSuccessAt('fraud-detection-training')).toBe(
        '2026-11-20T02:35:00.000Z',
      );
    });

    it('classifies the failure reason of a stage and carries it to the run', async () => {
      const { run } = await store.createRun('fraud-detection-training', {
        state: 'RUNNING',
      });
      await store.moveStage('fraud-detection-training', run.id, 'train', {
        state: 'FAILED',
        failureReason: 'Pod trainer-abc terminated: OOMKilled (exit code 137)',
      });
      const failed = await store.finishRun('fraud-detection-training', run.id, {
        state: 'FAILED',
      });
      expect(failed).toMatchObject({
        state: 'FAILED',
        failureReason: 'Pod trainer-abc terminated: OOMKilled (exit code 137)',
        failureClass: 'oom_killed',
      });
      expect(failed.stages.find(s => s.name === 'train')).toMatchObject({
        state: 'FAILED',
        failureClass: 'oom_killed',
      });
      expect(await store.latestRuns('fraud-detection-training', 5)).toEqual([
        expect.objectContaining({
          id: run.id,
          state: 'FAILED',
          failureClass: 'oom_killed',
        }),
      ]);
      expect(
        await store.lastSuccessAt('fraud-detection-training'),
      ).toBeUndefined();
    });

    it('keeps the end of a very long log and classifies the whole of it', async () => {
      const { run } = await store.createRun('fraud-detection-training', {
        state: 'RUNNING',
      });
      const log = `RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB\n${'x'.repeat(
        20_000,
      )}\nexit`;
      const failed = await store.finishRun('fraud-detection-training', run.id, {
        state: 'FAILED',
        failureReason: log,
      });
      expect(failed.failureClass).toBe('cuda_out_of_memory');
      expect(failed.failureReason!.length).toBeLessThanOrEqual(8001);
      expect(failed.failureReason!.endsWith('exit')).toBe(true);
    });

    it('refuses reports on finished runs and illegal moves', async () => {
      const { run } = await store.createRun('fraud-detection-training', {});
      await expect(
        store.finishRun('fraud-detection-training', run.id, {
          state: 'COMPLETED',
        }),
      ).rejects.toThrow(/is SCHEDULED; it cannot move to COMPLETED/);
      await store.finishRun('fraud-detection-training', run.id, {
        state: 'CANCELLED',
      });
      await expect(
        store.heartbeat('fraud-detection-training', run.id),
      ).rejects.toThrow(/is CANCELLED/);
      await expect(
        store.moveStage('fraud-detection-training', run.id, 'train', {
          state: 'RUNNING',
        }),
      ).rejects.toThrow(/is CANCELLED/);

      const { run: second } = await store.createRun(
        'fraud-detection-training',
        { state: 'RUNNING' },
      );
      await store.moveStage('fraud-detection-training', second.id, 'ingest', {
        state: 'COMPLETED',
      });
      await expect(
        store.moveStage('fraud-detection-training', second.id, 'ingest', {
          state: 'RUNNING',
        }),
      ).rejects.toThrow(/Stage ingest of run \d+ is COMPLETED/);
      await expect(
        store.getRun('other-pipeline', second.id),
      ).resolves.toBeUndefined();
    });

    it('returns the same run for a retried create with the orchestrator run id', async () => {
      const first = await store.createRun('fraud-detection-training', {
        externalId: 'prefect-42',
      });
      const again = await store.createRun('fraud-detection-training', {
        externalId: 'prefect-42',
      });
      expect(again).toEqual({ run: first.run, created: false });
      await expect(store.createRun('no-such-pipeline', {})).rejects.toThrow(
        /No pipeline no-such-pipeline/,
      );
    });

    it('marks runs without heartbeats CRASHED and late scheduled runs LATE', async () => {
      const { run: running } = await store.createRun(
        'fraud-detection-training',
        { state: 'RUNNING' },
      );
      await store.moveStage('fraud-detection-training', running.id, 'ingest', {
        state: 'RUNNING',
      });
      const { run: beating } = await store.createRun(
        'fraud-detection-training',
        { state: 'RUNNING' },
      );
      const { run: scheduled } = await store.createRun(
        'fraud-detection-training',
        {
          scheduledAt: new Date(clock.getTime() + 5 * MINUTE),
        },
      );

      advance(9);
      await store.heartbeat('fraud-detection-training', beating.id);
      expect(await store.sweep()).toEqual({
        crashed: [],
        late: [],
        becameStale: [],
        becameFresh: [],
      });

      advance(2); // 11 minutes of silence for `running`, 2 for `beating`
      const result = await store.sweep();
      expect(result.crashed).toEqual([running.id]);
      const crashed = await store.getRun(
        'fraud-detection-training',
        running.id,
      );
      expect(crashed).toMatchObject({
        state: 'CRASHED',
        failureClass: 'timeout',
      });
      expect(crashed!.stages[0]).toMatchObject({
        name: 'ingest',
        state: 'CRASHED',
      });
      expect(
        (await store.getRun('fraud-detection-training', beating.id))!.state,
      ).toBe('RUNNING');

      // scheduled for +5 min, late after 15 more
      advance(8);
      expect((await store.sweep()).late).toEqual([]);
      advance(2);
      expect((await store.sweep()).late).toEqual([scheduled.id]);
      expect(
        (await store.getRun('fraud-detection-training', scheduled.id))!.state,
      ).toBe('LATE');
      // A late run that finally starts is RUNNING.
      const started = await store.heartbeat(
        'fraud-detection-training',
        scheduled.id,
      );
      expect(started.state).toBe('RUNNING');
    });

    it('makes a pipeline stale without a success within its SLA, and fresh after one', async () => {
      const { run } = await store.createRun('fraud-detection-training', {
        state: 'RUNNING',
      });
      await store.finishRun('fraud-detection-training', run.id, {
        state: 'COMPLETED',
      });
      advance(23 * 60);
      expect((await store.sweep()).becameStale).toEqual([]);
      expect((await store.status('fraud-detection-training'))!.stale).toBe(
        false,
      );
      advance(2 * 60);
      expect((await store.sweep()).becameStale).toEqual([
        'fraud-detection-training',
      ]);
      const stale = (await store.status('fraud-detection-training'))!;
      expect(stale).toMatchObject({
        stale: true,
        slaMinutes: 1440,
        staleSince: '2026-11-21T02:00:00.000Z',
      });
      // A second sweep does not report it again.
      expect((await store.sweep()).becameStale).toEqual([]);

      const { run: next } = await store.createRun('fraud-detection-training', {
        state: 'RUNNING',
      });
      await store.finishRun('fraud-detection-training', next.id, {
        state: 'COMPLETED',
      });
      const fresh = (await store.status('fraud-detection-training'))!;
      expect(fresh.stale).toBe(false);
      expect(fresh.staleSince).toBeUndefined();
    });

    it('records a requested run once while it waits to start', async () => {
      const first = await store.requestRun(
        'fraud-detection-training',
        'drift on amount',
      );
      const second = await store.requestRun(
        'fraud-detection-training',
        'accuracy dropped',
      );
      expect(second).toEqual(first);
      const run = await store.getRun('fraud-detection-training', first.id);
      expect(run).toMatchObject({
        state: 'SCHEDULED',
        trigger: 'requested',
        reason: 'drift on amount',
      });
      await store.heartbeat('fraud-detection-training', first.id);
      const third = await store.requestRun(
        'fraud-detection-training',
        'accuracy dropped',
      );
      expect(third.id).not.toBe(first.id);
    });

    it('mirrors observed runs: inserts, updates only on change, keeps open runs out of the sweep', async () => {
      const pipeline = 'fraud-detection-training';
      const scheduledAt = new Date('2026-11-20T01:55:00Z');
      const first = await store.recordObservedRun(pipeline, {
        externalId: 'scheduled__2026-11-20',
        state: 'RUNNING',
        scheduledAt,
        startedAt: new Date('2026-11-20T01:56:00Z'),
        stages: [
          { name: 'ingest', state: 'COMPLETED' },
          { name: 'train', state: 'RUNNING' },
        ],
      });
      expect(first.changed).toBe(true);
      expect(first.run.stages.map(s => [s.name, s.state])).toEqual([
        ['ingest', 'COMPLETED'],
        ['train', 'RUNNING'],
      ]);

      // Seen again unchanged 20 minutes later: nothing is rewritten, but the
      // heartbeat moves, so the sweep does not call it crashed.
      advance(20);
      const again = await store.recordObservedRun(pipeline, {
        externalId: 'scheduled__2026-11-20',
        state: 'RUNNING',
        scheduledAt,
        startedAt: new Date('2026-11-20T01:56:00Z'),
        stages: [
          { name: 'ingest', state: 'COMPLETED' },
          { name: 'train', state: 'RUNNING' },
        ],
      });
      expect(again.changed).toBe(false);
      expect((await store.sweep()).crashed).toEqual([]);
      // Not seen again for half an hour (a sync that finds nothing new
      // writes nothing): still not crashed, nor a scheduled run made late.
      await store.recordObservedRun(pipeline, {
        externalId: 'scheduled__2026-11-20-later',
        state: 'SCHEDULED',
        scheduledAt: new Date(clock.getTime() - 60 * MINUTE),
      });
      advance(30);
      expect(await store.sweep()).toMatchObject({ crashed: [], late: [] });

      // The source says the train task failed; the run takes its reason.
      const failed = await store.recordObservedRun(pipeline, {
        externalId: 'scheduled__2026-11-20',
        state: 'FAILED',
        scheduledAt,
        startedAt: new Date('2026-11-20T01:56:00Z'),
        endedAt: new Date('2026-11-20T02:19:00Z'),
        stages: [
          { name: 'ingest', state: 'COMPLETED' },
          {
            name: 'train',
            state: 'FAILED',
            failureReason:
              'Pod train-7f9 terminated: OOMKilled (exit code 137)',
          },
        ],
      });
      expect(failed.changed).toBe(true);
      expect(failed.run).toMatchObject({
        id: first.run.id,
        state: 'FAILED',
        failureClass: 'oom_killed',
        endedAt: '2026-11-20T02:19:00.000Z',
      });
      expect(failed.run.failureReason).toContain('OOMKilled');
      const runs = await store.latestRuns(pipeline, 10);
      expect(runs).toHaveLength(2);
      expect(runs.find(r => r.id === first.run.id)).toMatchObject({
        state: 'FAILED',
        failureClass: 'oom_killed',
      });
    });
  });
});
