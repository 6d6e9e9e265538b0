import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/databases';
import { migrateMlopsDatabase } from '../database/migrations';
import { parseLoggedModelFilter } from '../mlflow';
import { LoggedModelStore } from './LoggedModelStore';

jest.setTimeout(60_000);

/*
 * MLflow 3's logged-model search grammar (what MlflowClient's
 * search_logged_models sends) in SQL on both databases: attributes, tags
 * and params with text comparators, timestamps with numeric ones.
 */
describe('logged model search', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let store: LoggedModelStore;
    let experimentId: string;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      const knex: Knex = await databases.init(databaseId);
      await migrateMlopsDatabase(knex);
      const now = new Date();
      await knex('mlops_experiments').insert({
        name: 'logged-model-search',
        tags: '{}',
        created_at: now,
        updated_at: now,
      });
      const row = await knex('mlops_experiments')
        .where({ name: 'logged-model-search' })
        .first();
      experimentId = String(row.id);
      store = new LoggedModelStore(knex);
      const models: Array<{
        name: string;
        tags: Record<string, string>;
        params: Record<string, string>;
      }> = [
        { name: 'tree', tags: { team: 'ml-platform' }, params: { depth: '3' } },
        { name: 'forest', tags: { team: 'risk-ml' }, params: { depth: '5' } },
        { name: 'linear', tags: {}, params: {} },
      ];
      for (const model of models) {
        const created = await store.create({
          experimentId,
          ...model,
          modelType: model.name === 'linear' ? 'baseline' : 'ensemble',
          experimentLocation: `mlflow-artifacts:/${experimentId}`,
        });
        ids[model.name] = created.id;
      }
    });

    async function names(filter: string) {
      const page = await store.search({
        experimentIds: [experimentId],
        clauses: parseLoggedModelFilter(filter),
        orderBy: [{ field: 'name', ascending: true }],
        pageSize: 10,
        offset: 0,
      });
      return page.models.map(m => m.name);
    }

    it('filters on tags and params', async () => {
      expect(await names("tags.team = 'ml-platform'")).toEqual(['tree']);
      expect(await names("tags.team != 'ml-platform'")).toEqual(['forest']);
      expect(await names("tags.team LIKE '%ml%'")).toEqual(['forest', 'tree']);
      expect(await names("tags.team ILIKE 'RISK-%'")).toEqual(['forest']);
      expect(await names("tags.team LIKE 'RISK-%'")).toEqual([]);
      expect(await names("params.depth IN ('3', '5')")).toEqual([
        'forest',
        'tree',
      ]);
      expect(await names("params.depth NOT IN ('3')")).toEqual(['forest']);
      expect(await names("tags.`team` = 'risk-ml'")).toEqual(['forest']);
    });

    it('filters on attributes and combines clauses with AND', async () => {
      expect(await names("name = 'linear'")).toEqual(['linear']);
      expect(
        await names("model_type = 'ensemble' AND params.depth = '5'"),
      ).toEqual(['forest']);
      expect(
        await names(`model_id IN ('${ids.tree}', '${ids.linear}')`),
      ).toEqual(['linear', 'tree']);
      expect(await names("status = 'LOGGED_MODEL_PENDING'")).toHaveLength(3);
      expect(await names('creation_timestamp > 0')).toHaveLength(3);
      expect(await names('creation_time < 0')).toEqual([]);
    });

    it('refuses what MLflow refuses, and metrics, which the portal does not keep', () => {
      expect(() => parseLoggedModelFilter('metrics.rmse < 1')).toThrow(
        /entity type/,
      );
      expect(() => parseLoggedModelFilter("name > 'a'")).toThrow();
      expect(() => parseLoggedModelFilter("flavor = 'sklearn'")).toThrow(
        /Invalid attribute key 'flavor'/,
      );
    });
  });
});
