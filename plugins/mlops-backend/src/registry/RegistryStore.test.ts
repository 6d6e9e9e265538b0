import { ConflictError, NotFoundError } from '@backstage/errors';
import { createTestDatabases } from '../__testUtils__/databases';
import { migrateRegistryOnly } from './__testUtils__/migrateRegistry';
import { RegistryStore } from './RegistryStore';

jest.setTimeout(60_000);

const alice = 'user:default/alice';
const bob = 'user:default/bob';

describe('RegistryStore', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    async function setup() {
      const knex = await databases.init(databaseId);
      await migrateRegistryOnly(knex);
      const store = new RegistryStore(knex);
      await store.createModel({
        name: 'fraud-detection',
        owner: 'group:default/risk-ml',
        tags: { domain: 'payments' },
        pipelineName: 'fraud-detection-training',
        experimentName: 'fraud-detection',
      });
      return { knex, store };
    }

    async function withVersions(store: RegistryStore, count: number) {
      for (let i = 0; i < count; i++) {
        await store.createVersion(
          'fraud-detection',
          { artifactUri: `s3://models/fraud/${i + 1}` },
          { metrics: { auc: 0.9 + i / 100 }, params: { depth: String(i) } },
          alice,
        );
      }
    }

    it('registers a model once and refuses the same name again', async () => {
      const { store } = await setup();
      const model = await store.getModel('fraud-detection');
      expect(model).toMatchObject({
        name: 'fraud-detection',
        owner: 'group:default/risk-ml',
        tags: { domain: 'payments' },
        pipelineName: 'fraud-detection-training',
        latestVersion: 0,
        aliases: {},
      });
      expect(model.productionVersion).toBeUndefined();
      await expect(
        store.createModel({ name: 'fraud-detection' }),
      ).rejects.toThrow(ConflictError);
      await expect(store.getModel('nope')).rejects.toThrow(NotFoundError);

      const updated = await store.updateModel('fraud-detection', {
        description: 'Scores card payments',
        pipelineName: null,
      });
      expect(updated.description).toBe('Scores card payments');
      expect(updated.pipelineName).toBeUndefined();
      expect(updated.owner).toBe('group:default/risk-ml');
    });

    it('numbers versions from 1 and copies the run snapshot, NaN included', async () => {
      const { store } = await setup();
      const v1 = await store.createVersion(
        'fraud-detection',
        { runId: 'run-1', artifactUri: 's3://m/1', tags: { git: 'abc' } },
        { metrics: { auc: 0.93, loss: NaN }, params: { lr: '0.1' } },
        alice,
      );
      const v2 = await store.createVersion(
        'fraud-detection',
        {},
        undefined,
        bob,
      );
      // A model that does not exist gets no version and leaves the count alone.
      await expect(
        store.createVersion('ghost', {}, undefined, bob),
      ).rejects.toThrow(NotFoundError);
      expect(v1).toMatchObject({
        model: 'fraud-detection',
        version: 1,
        stage: 'None',
        status: 'READY',
        runId: 'run-1',
        artifactUri: 's3://m/1',
        params: { lr: '0.1' },
        tags: { git: 'abc' },
        createdBy: alice,
      });
      expect(v1.metrics.auc).toBe(0.93);
      expect(v1.metrics.loss).toBeNaN();
      expect(v2.version).toBe(2);
      expect(
        (await store.listVersions('fraud-detection')).map(v => v.version),
      ).toEqual([2, 1]);
      expect((await store.getModel('fraud-detection')).latestVersion).toBe(2);
      await expect(
        store.createVersion('ghost', {}, undefined, alice),
      ).rejects.toThrow(NotFoundError);
      await expect(store.getVersion('fraud-detection', 3)).rejects.toThrow(
        'Model "fraud-detection" has no version 3',
      );
    });

    it('gives concurrent version creates distinct consecutive numbers', async () => {
      const { store, knex } = await setup();
      const created = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          store.createVersion(
            'fraud-detection',
            { description: `candidate ${i}` },
            undefined,
            alice,
          ),
        ),
      );
      const numbers = created.map(v => v.version).sort((a, b) => a - b);
      expect(numbers).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      const [{ n }] = await knex('mlops_model_versions').count({ n: '*' });
      expect(Number(n)).toBe(12);
    });

    it('moves stages, archives the existing Production version on request and records who did it', async () => {
      const { store } = await setup();
      await withVersions(store, 3);
      await store.transitionStage(
        'fraud-detection',
        1,
        { stage: 'Production', reason: 'first release' },
        alice,
      );
      await store.transitionStage(
        'fraud-detection',
        2,
        { stage: 'Staging' },
        bob,
      );
      const result = await store.transitionStage(
        'fraud-detection',
        2,
        { stage: 'Production', archiveExisting: true, reason: 'better auc' },
        bob,
      );
      expect(result.version.stage).toBe('Production');
      expect(result.archived).toEqual([1]);
      expect((await store.getVersion('fraud-detection', 1)).stage).toBe(
        'Archived',
      );
      expect(await store.productionVersion('fraud-detection')).toEqual({
        version: 2,
        metrics: { auc: 0.91 },
      });
      expect(await store.productionVersion('ghost')).toBeUndefined();

      // Moving to the current stage is not a change and records nothing.
      await store.transitionStage(
        'fraud-detection',
        2,
        { stage: 'Production' },
        bob,
      );

      const history = await store.history('fraud-detection');
      expect(
        history.map(h => [h.version, h.action, h.from, h.to, h.actor]),
      ).toEqual([
        [2, 'stage', 'Staging', 'Production', bob],
        [1, 'stage', 'Production', 'Archived', bob],
        [2, 'stage', 'None', 'Staging', bob],
        [1, 'stage', 'None', 'Production', alice],
      ]);
      expect(history[0].reason).toBe('better auc');
      expect(history[1].reason).toContain('version 2 moved to Production');
      expect(history[3].reason).toBe('first release');
      expect(Date.parse(history[0].at)).not.toBeNaN();
      await expect(
        store.transitionStage('fraud-detection', 9, { stage: 'Staging' }, bob),
      ).rejects.toThrow(NotFoundError);
    });

    it('keeps both Production versions without archiveExisting and reports the newest promotion', async () => {
      const { store } = await setup();
      await withVersions(store, 2);
      await store.transitionStage(
        'fraud-detection',
        2,
        { stage: 'Production' },
        alice,
      );
      await new Promise(r => setTimeout(r, 5));
      await store.transitionStage(
        'fraud-detection',
        1,
        { stage: 'Production' },
        alice,
      );
      expect((await store.getVersion('fraud-detection', 2)).stage).toBe(
        'Production',
      );
      expect((await store.productionVersion('fraud-detection'))?.version).toBe(
        1,
      );
      expect((await store.getModel('fraud-detection')).productionVersion).toBe(
        1,
      );
    });

    it('sets, moves and deletes aliases with history entries', async () => {
      const { store } = await setup();
      await withVersions(store, 2);
      await store.setAlias('fraud-detection', 'champion', 1, alice);
      await store.setAlias('fraud-detection', 'champion', 2, bob, 'promoted');
      await store.setAlias('fraud-detection', 'champion', 2, bob);
      await store.setAlias('fraud-detection', 'challenger', 1, bob);
      expect((await store.getModel('fraud-detection')).aliases).toEqual({
        champion: 2,
        challenger: 1,
      });
      expect((await store.getVersion('fraud-detection', 2)).aliases).toEqual([
        'champion',
      ]);
      await store.deleteAlias('fraud-detection', 'challenger', alice);
      await expect(
        store.deleteAlias('fraud-detection', 'challenger', alice),
      ).rejects.toThrow('has no alias "challenger"');
      await expect(
        store.setAlias('fraud-detection', 'champion', 7, alice),
      ).rejects.toThrow(NotFoundError);

      const history = await store.history('fraud-detection');
      expect(history.map(h => [h.action, h.alias, h.from, h.to])).toEqual([
        ['alias_deleted', 'challenger', '1', undefined],
        ['alias_set', 'challenger', undefined, '1'],
        ['alias_set', 'champion', '1', '2'],
        ['alias_set', 'champion', undefined, '1'],
      ]);
      expect(
        (await store.history('fraud-detection', { limit: 1 })).length,
      ).toBe(1);
      expect(
        (await store.history('fraud-detection', { before: history[2].id })).map(
          h => h.id,
        ),
      ).toEqual([history[3].id]);
    });

    it('rolls back through earlier Production versions, one step per rollback', async () => {
      const { store } = await setup();
      await withVersions(store, 3);
      for (const version of [1, 2, 3]) {
        await store.transitionStage(
          'fraud-detection',
          version,
          { stage: 'Production', archiveExisting: true },
          alice,
        );
      }
      const first = await store.rollback(
        'fraud-detection',
        'recall dropped',
        bob,
      );
      expect(first).toMatchObject({ from: 3, to: 2 });
      expect(first.version.stage).toBe('Production');
      expect((await store.getVersion('fraud-detection', 3)).stage).toBe(
        'Archived',
      );
      const second = await store.rollback('fraud-detection', 'still bad', bob);
      expect(second).toMatchObject({ from: 2, to: 1 });
      await expect(
        store.rollback('fraud-detection', 'again', bob),
      ).rejects.toThrow(ConflictError);

      const history = await store.history('fraud-detection', { limit: 4 });
      expect(history.map(h => [h.version, h.action, h.from, h.to])).toEqual([
        [1, 'rollback', 'Archived', 'Production'],
        [2, 'stage', 'Production', 'Archived'],
        [2, 'rollback', 'Archived', 'Production'],
        [3, 'stage', 'Production', 'Archived'],
      ]);
      expect(history[0].reason).toBe('still bad');
      expect(history[0].actor).toBe(bob);
    });

    it('refuses a rollback without a Production version and leaves stages alone', async () => {
      const { store } = await setup();
      await withVersions(store, 1);
      await expect(
        store.rollback('fraud-detection', 'why', alice),
      ).rejects.toThrow('no version in Production');
      await store.transitionStage(
        'fraud-detection',
        1,
        { stage: 'Production' },
        alice,
      );
      await expect(
        store.rollback('fraud-detection', 'why', alice),
      ).rejects.toThrow('no earlier Production version');
      expect((await store.getVersion('fraud-detection', 1)).stage).toBe(
        'Production',
      );
      expect(await store.history('fraud-detection')).toHaveLength(1);
    });

    it('retention deletes only the old, unprotected, undeployed versions and says why it kept the rest', async () => {
      const { store } = await setup();
      await withVersions(store, 8);
      await store.transitionStage(
        'fraud-detection',
        1,
        { stage: 'Production' },
        alice,
      );
      await store.transitionStage(
        'fraud-detection',
        2,
        { stage: 'Staging' },
        alice,
      );
      await store.transitionStage(
        'fraud-detection',
        5,
        { stage: 'Archived' },
        alice,
      );
      await store.setAlias('fraud-detection', 'champion', 3, alice);
      const deployments = {
        isDeployed: jest.fn(
          async (_model: string, version: number) => version === 4,
        ),
      };

      const dry = await store.applyRetention(
        'fraud-detection',
        { keep: 2, dryRun: true, actor: bob },
        deployments,
      );
      expect(dry.deleted).toEqual([5, 6]);
      expect((await store.listVersions('fraud-detection')).length).toBe(8);

      const result = await store.applyRetention(
        'fraud-detection',
        { keep: 2, actor: bob },
        deployments,
      );
      expect(result).toEqual({
        model: 'fraud-detection',
        keep: 2,
        dryRun: false,
        deleted: [5, 6],
        kept: [
          { version: 8, reasons: ['newest'] },
          { version: 7, reasons: ['newest'] },
          { version: 4, reasons: ['deployed'] },
          { version: 3, reasons: ['aliased'] },
          { version: 2, reasons: ['staging'] },
          { version: 1, reasons: ['production'] },
        ],
      });
      expect(
        (await store.listVersions('fraud-detection')).map(v => v.version),
      ).toEqual([8, 7, 4, 3, 2, 1]);
      const deletions = (await store.history('fraud-detection')).filter(
        h => h.action === 'version_deleted',
      );
      expect(deletions.map(h => h.version).sort()).toEqual([5, 6]);
      expect(deletions[0].actor).toBe(bob);

      // Numbers are never reused after a deletion.
      const next = await store.createVersion(
        'fraud-detection',
        {},
        undefined,
        alice,
      );
      expect(next.version).toBe(9);
    });

    it('lists models with their aliases and Production version', async () => {
      const { store } = await setup();
      await store.createModel({ name: 'ticket-classifier' });
      await withVersions(store, 2);
      await store.transitionStage(
        'fraud-detection',
        2,
        { stage: 'Production' },
        alice,
      );
      await store.setAlias('fraud-detection', 'champion', 2, alice);
      const models = await store.listModels();
      expect(models.map(m => m.name)).toEqual([
        'fraud-detection',
        'ticket-classifier',
      ]);
      expect(models[0]).toMatchObject({
        latestVersion: 2,
        productionVersion: 2,
        aliases: { champion: 2 },
      });
      expect(models[1]).toMatchObject({ latestVersion: 0, aliases: {} });

      // The card's view agrees with the separate reads, limits applied.
      expect(
        await store.modelView('fraud-detection', { versions: 1, history: 1 }),
      ).toEqual({
        model: await store.getModel('fraud-detection'),
        versions: (await store.listVersions('fraud-detection')).slice(0, 1),
        history: await store.history('fraud-detection', { limit: 1 }),
      });
      expect(
        await store.modelView('ghost', { versions: 1, history: 1 }),
      ).toBeUndefined();
    });
  });
});
