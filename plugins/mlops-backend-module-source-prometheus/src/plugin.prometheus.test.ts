import {
  SchedulerService,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
// The real MLOps backend plugin with this module, as a portal installs them.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import mlopsPlugin from '@backstage-mlops/plugin-mlops-backend';
import fs from 'node:fs';
import { Server } from 'node:http';
import request from 'supertest';
import { mlopsModuleSourcePrometheus } from './module';
import {
  PROMETHEUS_BINARY,
  TestExporter,
  TestPrometheus,
} from './__testUtils__/prometheus';

/*
 * End to end, against a real Prometheus (Debian's `prometheus`; CI must
 * `apt-get install prometheus`) started here with its own config and storage
 * folder, scraping an exporter this test serves: a model whose server never
 * reports to the portal shows latency and error rate on its metrics card
 * (from the Prometheus instance), and its health turns unhealthy when the
 * server's latency spikes.
 */

const PROMETHEUS_PORT = 9192;
const EXPORTER_PORT = 7292;
const AUTH = { Authorization: mockCredentials.user.header() };
const hasPrometheus = fs.existsSync(PROMETHEUS_BINARY);
if (!hasPrometheus) {
  // eslint-disable-next-line no-console
  console.warn(
    `Skipping the Prometheus end-to-end test: ${PROMETHEUS_BINARY} is absent (apt-get install prometheus)`,
  );
}
const describeWithPrometheus = hasPrometheus ? describe : describe.skip;

jest.setTimeout(180_000);

const servingEntity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'fraud-serving',
    namespace: 'default',
    annotations: {
      'backstage-mlops.dev/model': 'fraud-detection',
      'backstage-mlops.dev/prometheus-selector':
        'job="fraud-serving",namespace="payments-ml"',
    },
  },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'group:default/risk-ml',
  },
};

describeWithPrometheus(
  'a model served behind Prometheus, in the MLOps backend',
  () => {
    const exporter = new TestExporter(EXPORTER_PORT);
    const prometheus = new TestPrometheus(PROMETHEUS_PORT, [
      { job: 'fraud-serving', target: `127.0.0.1:${EXPORTER_PORT}` },
    ]);
    const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
    let backend: Awaited<ReturnType<typeof startTestBackend>> | undefined;

    beforeAll(async () => {
      await exporter.start();
      await prometheus.start();
      await prometheus.waitFor(
        'rate(http_server_request_duration_seconds_count{job="fraud-serving",http_response_status_code="500"}[30s]) > 0',
      );
      // The card's latency needs two scrapes of the buckets too; on a busy
      // machine they can lag the counters.
      await prometheus.waitFor(
        'histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{job="fraud-serving"}[30s]))) > 0',
      );
    });

    afterAll(async () => {
      await backend?.stop();
      await prometheus.stop();
      await exporter.stop();
    });

    it('shows latency and error rate on the metrics card and turns unhealthy on a latency spike', async () => {
      const scheduler = mockServices.scheduler() as SchedulerService & {
        factory(options: { skipTaskRunOnStartup?: boolean }): ServiceFactory;
      };
      backend = await startTestBackend({
        features: [
          mlopsPlugin,
          mlopsModuleSourcePrometheus,
          mockServices.database.factory({
            knex: await databases.init('SQLITE_3'),
          }),
          mockServices.httpAuth.factory({
            defaultCredentials: mockCredentials.none(),
          }),
          mockServices.rootConfig.factory({
            data: {
              mlops: {
                sources: {
                  prometheus: [
                    {
                      name: 'default',
                      baseUrl: prometheus.baseUrl,
                      cacheTtl: { seconds: 0 },
                    },
                  ],
                },
                // Judge the last minute, so the spike shows within seconds.
                thresholds: { windowMinutes: 1 },
              },
            },
          }),
          catalogServiceMock.factory({ entities: [servingEntity] }),
          scheduler.factory({ skipTaskRunOnStartup: true }),
        ],
      });
      const server = backend.server as Server;
      const created = await request(server)
        .post('/api/mlops/models')
        .set(AUTH)
        .send({ name: 'fraud-detection', owner: 'group:default/risk-ml' });
      expect(created.status).toBe(201);

      // Prometheus answers from its last scrapes: right after its start the
      // bucket rates can still be empty, so read the card until they are not
      // (the assertions below say what it must then show).
      const readCard = () =>
        request(server)
          .get(
            '/api/mlops/entities/component/default/fraud-serving/metrics?window=1h',
          )
          .set(AUTH);
      let card = await readCard();
      for (
        let i = 0;
        i < 30 &&
        card.body.models?.[0]?.totals?.latencyP95Ms === null &&
        card.status === 200;
        i++
      ) {
        await new Promise(r => setTimeout(r, 1000));
        card = await readCard();
      }
      expect(card.status).toBe(200);
      const [model] = card.body.models;
      expect(model).toMatchObject({
        model: 'fraud-detection',
        source: { type: 'prometheus', name: 'default' },
      });
      expect(model.totals.latencyP95Ms).toBeGreaterThan(5);
      expect(model.totals.latencyP95Ms).toBeLessThan(60);
      expect(model.totals.errorRate).toBeGreaterThan(0);
      expect(model.totals.errorRate).toBeLessThan(0.05);
      expect(model.totals.count).toBeGreaterThan(20);

      // The chart's points come from Prometheus too, one per finished minute.
      const pointDeadline = Date.now() + 75_000;
      let points: any[] = [];
      while (Date.now() < pointDeadline) {
        const res = await request(server)
          .get(
            '/api/mlops/entities/component/default/fraud-serving/metrics?window=1h',
          )
          .set(AUTH);
        points = res.body.models[0].series.filter(
          (p: any) => p.latencyP95Ms !== null,
        );
        if (points.length > 0) break;
        await new Promise(r => setTimeout(r, 3_000));
      }
      expect(points.length).toBeGreaterThan(0);
      expect(points[0].latencyP95Ms).toBeLessThan(60);
      expect(points[0].count).toBeGreaterThan(0);

      const healthOf = async () => {
        await scheduler.triggerTask('mlops-health-checks');
        const summary = await request(server)
          .get('/api/mlops/entities/component/default/fraud-serving/summary')
          .set(AUTH);
        expect(summary.status).toBe(200);
        return summary.body;
      };
      expect((await healthOf()).status).toBe('healthy');

      exporter.latencySeconds = 1.5;
      const deadline = Date.now() + 90_000;
      let health = await healthOf();
      while (health.status !== 'unhealthy' && Date.now() < deadline) {
        await new Promise(r => setTimeout(r, 2_000));
        health = await healthOf();
      }
      expect(health.status).toBe('unhealthy');
      expect(JSON.stringify(health)).toMatch(/latency/i);
    });
  },
);
