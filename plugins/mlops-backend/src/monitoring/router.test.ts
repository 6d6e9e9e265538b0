import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startMlopsTestBackend } from '../__testUtils__/mlopsBackend';
import { MAX_EVENTS_PER_BATCH } from './validation';

jest.setTimeout(120_000);

const modelEntity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'fraud-detection',
    namespace: 'default',
    annotations: { 'backstage-mlops.dev/model': 'fraud-detection' },
  },
  spec: { type: 'ml-model', lifecycle: 'production', owner: 'risk-ml' },
};

const plainEntity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'website', namespace: 'default' },
  spec: { type: 'website', lifecycle: 'production', owner: 'web' },
};

const PREDICTIONS = '/api/mlops/models/fraud-detection/predictions';
const METRICS = '/api/mlops/entities/component/default/fraud-detection/metrics';

function event(id: string, overrides: Record<string, unknown> = {}) {
  return {
    id,
    timestamp: new Date(Date.now() - 5_000).toISOString(),
    environment: 'production',
    modelVersion: 3,
    latencyMs: 42,
    status: 'ok',
    prediction: 'fraud',
    confidence: 0.91,
    label: 'fraud',
    features: { amount: 12.5, merchant: 'grocery', card_present: true },
    ...overrides,
  };
}

describe('monitoring routes', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
    let knex: Knex;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      ({ server } = await startMlopsTestBackend({
        knex,
        entities: [modelEntity, plainEntity],
      }));
      await knex('mlops_registered_models').insert({
        name: 'fraud-detection',
        owner: 'group:default/risk-ml',
        created_at: new Date(),
        updated_at: new Date(),
      });
    });

    beforeEach(async () => {
      await knex('mlops_prediction_rollups').delete();
      await knex('mlops_prediction_event_ids').delete();
      await knex('mlops_prediction_samples').delete();
      await knex('mlops_prediction_sample_windows').delete();
    });

    async function rollupCount() {
      const [row] = await knex('mlops_prediction_rollups').count({ n: '*' });
      const [ids] = await knex('mlops_prediction_event_ids').count({ n: '*' });
      return Number(row.n) + Number(ids.n);
    }

    function post(body: unknown) {
      return request(server)
        .post(PREDICTIONS)
        .set('Authorization', mockCredentials.service.header())
        .send(body as object);
    }

    it('ingests a batch once and serves it as metrics', async () => {
      const events = [
        event('a'),
        event('b', { status: 'error', prediction: null, label: undefined }),
        event('c', { latencyMs: 900, label: 'legit' }),
        event('d', { environment: 'staging', features: undefined }),
      ];
      const first = await post({ events });
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ accepted: 4, duplicates: 0 });
      // The client retries after a timeout: nothing is counted twice.
      const retry = await post({ events });
      expect(retry.body).toEqual({ accepted: 0, duplicates: 4 });

      const metrics = await request(server)
        .get(`${METRICS}?window=1h`)
        .set('Authorization', mockCredentials.user.header());
      expect(metrics.status).toBe(200);
      expect(metrics.body).toMatchObject({
        entityRef: 'component:default/fraud-detection',
        window: '1h',
        bucketMinutes: 1,
      });
      const [model] = metrics.body.models;
      expect(model.model).toBe('fraud-detection');
      expect(model.series).toHaveLength(60);
      expect(model.totals).toMatchObject({
        count: 4,
        errors: 1,
        errorRate: 0.25,
        labelled: 3,
      });
      expect(model.totals.accuracy).toBeCloseTo(2 / 3);
      expect(model.environments).toEqual(['production', 'staging']);
      expect(model.baseline).toMatchObject({
        source: 'first_production_day',
      });

      const staging = await request(server)
        .get(`${METRICS}?window=7d&environment=staging`)
        .set('Authorization', mockCredentials.user.header());
      expect(staging.body.models[0].totals.count).toBe(1);
      expect(staging.body.models[0].series).toHaveLength(168);
    });

    it('answers an entity without a model annotation with no models', async () => {
      const response = await request(server)
        .get('/api/mlops/entities/component/default/website/metrics')
        .set('Authorization', mockCredentials.user.header());
      expect(response.status).toBe(200);
      expect(response.body.models).toEqual([]);
      expect(response.body.window).toBe('24h');
    });

    it.each([
      ['no body', undefined, 'events'],
      ['an empty batch', { events: [] }, 'at least one event'],
      ['events that are not a list', { events: 'x' }, 'events'],
      [
        'an unknown top-level field',
        { events: [event('a')], extra: 1 },
        'extra',
      ],
      [
        'a missing id',
        { events: [event('a', { id: undefined })] },
        'events.0.id',
      ],
      [
        'a negative latency',
        { events: [event('a', { latencyMs: -1 })] },
        'events.0.latencyMs',
      ],
      [
        'an unknown status',
        { events: [event('a', { status: 'meh' })] },
        'events.0.status',
      ],
      [
        'a confidence above 1',
        { events: [event('a', { confidence: 1.5 })] },
        'events.0.confidence',
      ],
      [
        'an unparseable timestamp',
        { events: [event('a', { timestamp: 'yesterday' })] },
        'events.0.timestamp',
      ],
      [
        'a timestamp older than seven days',
        { events: [event('a', { timestamp: Date.now() - 8 * 86_400_000 })] },
        '7 days old',
      ],
      [
        'a timestamp in the future',
        { events: [event('a', { timestamp: Date.now() + 3_600_000 })] },
        'in the future',
      ],
      [
        'a bad environment',
        { events: [event('a', { environment: 'Prod Env' })] },
        'events.0.environment',
      ],
      [
        'too many features',
        {
          events: [
            event('a', {
              features: Object.fromEntries(
                Array.from({ length: 101 }, (_, i) => [`f${i}`, i]),
              ),
            }),
          ],
        },
        'at most 100 features',
      ],
      [
        'a nested feature value',
        { events: [event('a', { features: { x: { y: 1 } } })] },
        'events.0.features.x',
      ],
      [
        'one bad event after good ones',
        { events: [event('a'), event('b'), event('c', { latencyMs: 'slow' })] },
        'events.2.latencyMs',
      ],
      [
        'too many events',
        {
          events: Array.from({ length: MAX_EVENTS_PER_BATCH + 1 }, (_, i) => ({
            id: `${i}`,
          })),
        },
        `at most ${MAX_EVENTS_PER_BATCH} events`,
      ],
    ])(
      'rejects %s with a 400 and records nothing',
      async (_what, body, message) => {
        const response = await post(body);
        expect(response.status).toBe(400);
        expect(response.body.error.message).toContain(message);
        expect(await rollupCount()).toBe(0);
      },
    );

    it('rejects a body over the size limit and records nothing', async () => {
      const events = Array.from({ length: 4000 }, (_, i) =>
        event(`big${i}`, { features: { text: 'x'.repeat(300) } }),
      );
      const response = await post({ events });
      expect(response.status).toBe(413);
      expect(await rollupCount()).toBe(0);
    });

    it('answers 404 for a model that is not registered', async () => {
      const response = await request(server)
        .post('/api/mlops/models/ghost/predictions')
        .set('Authorization', mockCredentials.service.header())
        .send({ events: [event('a')] });
      expect(response.status).toBe(404);
      expect(response.body.error.message).toContain("'ghost'");
      expect(await rollupCount()).toBe(0);
    });

    it('refuses anonymous ingest and reads', async () => {
      expect(
        (
          await request(server)
            .post(PREDICTIONS)
            .send({ events: [event('a')] })
        ).status,
      ).toBe(401);
      expect((await request(server).get(METRICS)).status).toBe(401);
      expect(await rollupCount()).toBe(0);
    });

    it.each([
      ['window=30d', 'window'],
      ['environment=Not%20Valid', 'environment'],
      ['bogus=1', 'bogus'],
    ])('rejects the metrics query %s with a 400', async (query, message) => {
      const response = await request(server)
        .get(`${METRICS}?${query}`)
        .set('Authorization', mockCredentials.user.header());
      expect(response.status).toBe(400);
      expect(response.body.error.message).toContain(message);
    });

    it('answers 404 for an entity the catalog does not have', async () => {
      const response = await request(server)
        .get('/api/mlops/entities/component/default/ghost/metrics')
        .set('Authorization', mockCredentials.user.header());
      expect(response.status).toBe(404);
    });
  });
});
