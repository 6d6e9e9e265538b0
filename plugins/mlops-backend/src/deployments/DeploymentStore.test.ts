import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/databases';
import { DEPLOYMENT_MIGRATIONS, migrateOnly } from './migrateForTests';
import { MlopsObjectStore } from '../objects/MlopsObjectStore';
import { DeploymentStore } from './DeploymentStore';

jest.setTimeout(60_000);

const MINUTE = 60_000;

describe('DeploymentStore', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let knex: Knex;
    let clock: Date;
    let store: DeploymentStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      await migrateOnly(knex, DEPLOYMENT_MIGRATIONS);
      await new MlopsObjectStore(knex).upsert('model', {
        name: 'fraud-detection',
      });
    });

    beforeEach(async () => {
      await knex('mlops_deployments').delete();
      clock = new Date('2026-11-20T10:00:00Z');
      store = new DeploymentStore(knex, 30 * MINUTE, () => clock);
    });

    afterAll(async () => {
      await knex.destroy();
    });

    const deploy = (version: number, environment = 'production') =>
      store.create({
        model: 'fraud-detection',
        version,
        environment,
        target: 'record',
      });

    async function succeed(id: string) {
      await store.updateStatus(id, { status: 'in_progress' });
      return store.updateStatus(id, { status: 'succeeded', message: 'ready' });
    }

    it('walks a deployment from pending through in_progress to succeeded', async () => {
      const created = await deploy(3);
      expect(created).toMatchObject({ status: 'pending', version: 3 });
      clock = new Date(clock.getTime() + MINUTE);
      const running = await store.updateStatus(created.id, {
        status: 'in_progress',
        message: 'rolling out',
      });
      expect(running.status).toBe('in_progress');
      expect(running.startedAt).toBe('2026-11-20T10:01:00.000Z');
      const done = await store.updateStatus(created.id, {
        status: 'succeeded',
      });
      expect(done.status).toBe('succeeded');
      expect(done.message).toBe('rolling out');
      expect(done.finishedAt).toBeDefined();
    });

    it('refuses illegal transitions and leaves the deployment unchanged', async () => {
      const created = await deploy(3);
      await expect(
        store.updateStatus(created.id, { status: 'succeeded' }),
      ).rejects.toThrow(/is pending; it cannot move to succeeded/);
      const done = await succeed(created.id);
      await expect(
        store.updateStatus(done.id, { status: 'in_progress' }),
      ).rejects.toThrow(/is succeeded/);
      expect((await store.get(created.id))!.status).toBe('succeeded');
    });

    it('allows one deployment in flight per model and environment, even when racing', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => deploy(4)),
      );
      const won = results.filter(r => r.status === 'fulfilled');
      const lost = results.filter(
        r => r.status === 'rejected',
      ) as PromiseRejectedResult[];
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(4);
      const winner = (won[0] as PromiseFulfilledResult<{ id: string }>).value;
      for (const failure of lost) {
        expect(failure.reason.name).toBe('ConflictError');
        expect(failure.reason.message).toContain(`Deployment ${winner.id} `);
      }
      // Another environment is independent, and a finished one frees the slot.
      await expect(deploy(4, 'staging')).resolves.toBeDefined();
      await succeed(winner.id);
      await expect(deploy(5)).resolves.toMatchObject({ status: 'pending' });
    });

    it('reports a deployment in progress for too long as stuck, and lets the CD system still finish it', async () => {
      const created = await deploy(3);
      await store.updateStatus(created.id, { status: 'in_progress' });
      clock = new Date(clock.getTime() + 29 * MINUTE);
      // A progress report does not reset the clock.
      await store.updateStatus(created.id, {
        status: 'in_progress',
        message: 'still going',
      });
      expect((await store.get(created.id))!.status).toBe('in_progress');
      clock = new Date(clock.getTime() + 2 * MINUTE);
      expect((await store.get(created.id))!.status).toBe('stuck');
      expect(await store.latestByEnvironment('fraud-detection')).toEqual([
        expect.objectContaining({ id: created.id, status: 'stuck' }),
      ]);
      await expect(
        store.updateStatus(created.id, {
          status: 'failed',
          message: 'gave up',
        }),
      ).resolves.toMatchObject({ status: 'failed' });
    });

    it('returns the latest deployment per environment and the history newest first', async () => {
      const a = await deploy(1, 'staging');
      await succeed(a.id);
      const b = await deploy(1);
      await succeed(b.id);
      const c = await deploy(2, 'staging');
      await store.updateStatus(c.id, {
        status: 'failed',
        message: 'probe failed',
      });

      expect(await store.latestByEnvironment('fraud-detection')).toEqual([
        expect.objectContaining({
          environment: 'production',
          version: 1,
          status: 'succeeded',
        }),
        expect.objectContaining({
          environment: 'staging',
          version: 2,
          status: 'failed',
          message: 'probe failed',
        }),
      ]);
      expect((await store.history('fraud-detection')).map(d => d.id)).toEqual([
        c.id,
        b.id,
        a.id,
      ]);
      expect(
        (
          await store.history('fraud-detection', { environment: 'staging' })
        ).map(d => d.id),
      ).toEqual([c.id, a.id]);
    });

    it('knows which versions are deployed, for the registry retention', async () => {
      const v1 = await deploy(1);
      await succeed(v1.id);
      const v2 = await deploy(2);
      expect(await store.isDeployed('fraud-detection', 1)).toBe(true);
      expect(await store.isDeployed('fraud-detection', 2)).toBe(true); // in flight
      await succeed(v2.id);
      expect(await store.isDeployed('fraud-detection', 1)).toBe(false);
      expect(await store.isDeployed('fraud-detection', 2)).toBe(true);
      expect(await store.isDeployed('fraud-detection', 3)).toBe(false);
    });

    it('rolls back by marking the bad deployment and recording the good version, atomically', async () => {
      const good = await deploy(1);
      await succeed(good.id);
      const bad = await deploy(2);
      await store.updateStatus(bad.id, { status: 'failed' });
      const last = await store.lastSucceeded(
        'fraud-detection',
        'production',
        2,
      );
      expect(last?.version).toBe(1);
      const rollback = await store.createRollback((await store.get(bad.id))!, {
        model: 'fraud-detection',
        version: 1,
        environment: 'production',
        target: 'record',
        reason: 'v2 broke',
      });
      expect(rollback).toMatchObject({
        status: 'pending',
        version: 1,
        rollbackOf: bad.id,
        reason: 'v2 broke',
      });
      expect((await store.get(bad.id))!.status).toBe('rolled_back');

      // Rolling back the same deployment twice is refused.
      await expect(
        store.createRollback((await store.get(bad.id))!, {
          model: 'fraud-detection',
          version: 1,
          environment: 'production',
          target: 'record',
        }),
      ).rejects.toThrow(/changed while the rollback/);
    });
  });
});
