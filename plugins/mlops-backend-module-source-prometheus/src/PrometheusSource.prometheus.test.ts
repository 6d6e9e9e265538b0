import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import fs from 'node:fs';
import { createPrometheusSource } from './PrometheusSource';
import { plainHttpClient } from '@backstage-mlops/plugin-mlops-node/testUtils';
import {
  PROMETHEUS_BINARY,
  TestExporter,
  TestPrometheus,
} from './__testUtils__/prometheus';

/*
 * Against a real Prometheus (Debian's `prometheus` package), started here on
 * this suite's port with a temporary config and storage folder, scraping an
 * exporter this test serves. CI must `apt-get install prometheus`.
 */

const PROMETHEUS_PORT = 9191;
const EXPORTER_PORT = 7291;
const WINDOW_MS = 15_000;
const hasPrometheus = fs.existsSync(PROMETHEUS_BINARY);
if (!hasPrometheus) {
  // eslint-disable-next-line no-console
  console.warn(
    `Skipping the Prometheus source tests: ${PROMETHEUS_BINARY} is absent (apt-get install prometheus)`,
  );
}
const describeWithPrometheus = hasPrometheus ? describe : describe.skip;

jest.setTimeout(120_000);

describeWithPrometheus('Prometheus source against a real Prometheus', () => {
  const exporter = new TestExporter(EXPORTER_PORT);
  const prometheus = new TestPrometheus(PROMETHEUS_PORT, [
    { job: 'fraud-serving', target: `127.0.0.1:${EXPORTER_PORT}` },
  ]);

  beforeAll(async () => {
    await exporter.start();
    await prometheus.start();
    await prometheus.waitFor(
      'rate(http_server_request_duration_seconds_count{job="fraud-serving",http_response_status_code="500"}[30s]) > 0',
    );
    // rate() over a window is only whole once the window is full of scrapes.
    await new Promise(r => setTimeout(r, WINDOW_MS + 2_000));
  });

  afterAll(async () => {
    await prometheus.stop();
    await exporter.stop();
  });

  const subject = {
    entityRef: 'component:default/fraud-serving',
    model: 'fraud-detection',
    annotations: {
      'backstage-mlops.dev/prometheus-selector':
        'job="fraud-serving",namespace="payments-ml"',
    },
  };

  async function figures() {
    const instance = await createPrometheusSource().createInstance({
      type: 'prometheus',
      name: 'default',
      baseUrl: prometheus.baseUrl,
      logger: mockServices.logger.mock(),
      config: new ConfigReader({ cacheTtl: { seconds: 0 } }),
    });
    const to = new Date();
    return instance.monitoring!.windowMetrics({
      subject,
      from: new Date(to.getTime() - WINDOW_MS),
      to,
      http: plainHttpClient(prometheus.baseUrl),
      signal: new AbortController().signal,
    });
  }

  it('reads latency, error rate and throughput, then sees a latency spike', async () => {
    const calm = (await figures())!;
    expect(calm.latencyMs!.p95).toBeGreaterThan(5);
    expect(calm.latencyMs!.p95).toBeLessThan(60);
    expect(calm.errorRate).toBeGreaterThan(0);
    expect(calm.errorRate).toBeLessThan(0.05);
    // Ten requests every 100 ms.
    expect(calm.throughputPerSecond).toBeGreaterThan(50);
    expect(calm.throughputPerSecond).toBeLessThan(150);
    expect(calm.requestCount).toBeGreaterThan(750);

    exporter.latencySeconds = 1.5;
    exporter.errorShare = 0.2;
    const deadline = Date.now() + 60_000;
    let spiked = calm;
    while (Date.now() < deadline) {
      await new Promise(r => setTimeout(r, 2_000));
      spiked = (await figures())!;
      if ((spiked.latencyMs?.p95 ?? 0) > 1000 && (spiked.errorRate ?? 0) > 0.05)
        break;
    }
    expect(spiked.latencyMs!.p95).toBeGreaterThan(1000);
    expect(spiked.errorRate).toBeGreaterThan(0.05);
  });

  it('answers nothing for a subject without Prometheus annotations, and refuses a smuggled query', async () => {
    const instance = await createPrometheusSource().createInstance({
      type: 'prometheus',
      name: 'default',
      baseUrl: prometheus.baseUrl,
      logger: mockServices.logger.mock(),
      config: new ConfigReader({}),
    });
    const http = plainHttpClient(prometheus.baseUrl);
    const to = new Date();
    const ask = (annotations: Record<string, string>) =>
      instance.monitoring!.windowMetrics({
        subject: { entityRef: 'component:default/x', annotations },
        from: new Date(to.getTime() - 60_000),
        to,
        http,
        signal: new AbortController().signal,
      });
    await expect(ask({})).resolves.toBeUndefined();
    await expect(
      ask({
        'backstage-mlops.dev/prometheus-selector':
          'job="x"} or up{job="fraud-serving"',
      }),
    ).rejects.toThrow(/not a label selector/);
    expect(http.calls).toBe(0);
  });
});
