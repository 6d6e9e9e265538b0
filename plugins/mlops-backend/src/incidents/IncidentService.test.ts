import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { createTestDatabases } from '../__testUtils__/databases';
import { mlopsLinksOf } from '../shared/EntityResolver';
import { HealthService } from '../health/HealthService';
import { MlopsObjectStore } from '../objects/MlopsObjectStore';
import { DEFAULT_THRESHOLDS } from './detectors/thresholds';
import { IncidentService, readIncidentConfig } from './IncidentService';
import { IncidentStore } from './IncidentStore';
import { DetectorSources } from './sources';
import { migrateForIncidents } from './__testUtils__/migrate';
import {
  MemoryDeployments,
  MemoryDrift,
  MemoryMonitoring,
  MemoryPipelines,
  MemoryRegistry,
} from './__testUtils__/memorySources';

jest.setTimeout(60_000);

const modelEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'market-master',
    namespace: 'default',
    annotations: { 'backstage-mlops.dev/model': 'market-master' },
  },
  spec: { type: 'ml-model', owner: 'risk-ml', lifecycle: 'production' },
};

const T0 = Date.UTC(2026, 10, 25, 12, 0);

describe('IncidentService detectors', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    async function setup(
      sources: DetectorSources,
      extra: { entities?: Entity[]; autoResolveAfterMs?: number } = {},
    ) {
      const knex = await databases.init(databaseId);
      await migrateForIncidents(knex);
      const objects = new MlopsObjectStore(knex);
      await objects.upsert('pipeline', { name: 'market-master-training' });
      await objects.upsert('model', {
        name: 'market-master',
        pipelineName: 'market-master-training',
      });
      const store = new IncidentStore(knex);
      const clock = { now: T0 };
      const service = new IncidentService({
        store,
        logger: mockServices.logger.mock(),
        sources,
        thresholds: DEFAULT_THRESHOLDS,
        autoResolveAfterMs: extra.autoResolveAfterMs ?? 15 * 60_000,
        debounceMs: 20,
        catalog: catalogServiceMock({ entities: extra.entities ?? [modelEntity] }),
        auth: mockServices.auth(),
        now: () => new Date(clock.now),
      });
      const health = new HealthService(objects, store);
      const summarize = (entity: Entity = modelEntity) =>
        health.summarize({
          entity,
          entityRef: `component:default/${entity.metadata.name}`,
          links: mlopsLinksOf(entity),
        });
      const advance = async (minutes: number) => {
        clock.now += minutes * 60_000;
        return service.evaluateAll();
      };
      return { service, store, summarize, advance, clock, objects };
    }

    it('opens one incident for a latency spike, updates it, and resolves it once after the clear period', async () => {
      const monitoring = new MemoryMonitoring();
      const { service, store, summarize, advance } = await setup({ monitoring });
      const model = { kind: 'model' as const, name: 'market-master' };

      monitoring.set('market-master', { latencyP95Ms: 120 });
      await advance(0);
      expect((await summarize()).status).toBe('healthy');

      monitoring.set('market-master', { latencyP95Ms: 812 });
      expect((await advance(5)).opened).toBe(1);
      monitoring.set('market-master', { latencyP95Ms: 812 });
      expect((await advance(5)).opened).toBe(0);
      monitoring.set('market-master', { latencyP95Ms: 990 });
      expect((await advance(5)).opened).toBe(0);

      const sick = await summarize();
      expect(sick.status).toBe('unhealthy');
      expect(sick.reasons).toHaveLength(1);
      expect(sick.reasons[0]).toMatchObject({
        symptom: 'latency_high',
        severity: 'critical',
        subject: 'model:market-master',
        evidence: {
          values: { latencyP95Ms: 990, count: 1000 },
          threshold: 500,
          windowMinutes: 15,
          link: '/entities/component/default/market-master/metrics?window=1h',
        },
      });
      expect(sick.metrics?.[0]).toMatchObject({
        model: 'market-master',
        latencyP95Ms: 990,
      });
      expect(sick.metrics?.[0].series.map(p => p.latencyP95Ms)).toEqual([
        120, 812, 812, 990,
      ]);

      const [incident] = await store.openIncidents([model]);
      expect(sick.reasons[0].incidentId).toBe(incident.id);
      expect(
        await service.openIncidentCount('component:default/market-master'),
      ).toBe(1);
      expect(incident.timeline.map(e => e.type)).toEqual([
        'opened',
        'evidence_updated',
      ]);

      // Back under the threshold: healthy now, incident waits out 15 minutes.
      monitoring.set('market-master', { latencyP95Ms: 140 });
      await advance(5);
      expect((await summarize()).status).toBe('healthy');
      await advance(5);
      expect(await store.openIncidents([model])).toHaveLength(1);
      await advance(10);
      expect(await store.openIncidents([model])).toHaveLength(0);
      await advance(5);

      const resolved = await service.getIncident(incident.id);
      expect(resolved.status).toBe('resolved');
      expect(resolved.timeline.filter(e => e.type === 'resolved')).toHaveLength(1);
      expect(resolved.timeline.filter(e => e.type === 'opened')).toHaveLength(1);
    });

    it('stays unknown when no source can observe anything', async () => {
      const { summarize, advance, store } = await setup({});
      await advance(0);
      const summary = await summarize();
      expect(summary.status).toBe('unknown');
      expect(summary.reasons).toEqual([]);
      expect(summary.metrics).toBeUndefined();
      expect(summary.evaluatedAt).toBeDefined();
      expect(
        await store.openIncidents([{ kind: 'model', name: 'market-master' }]),
      ).toEqual([]);
    });

    it('applies a stricter latency threshold from the entity annotation', async () => {
      const monitoring = new MemoryMonitoring();
      const strict: Entity = {
        ...modelEntity,
        metadata: {
          ...modelEntity.metadata,
          annotations: {
            ...modelEntity.metadata.annotations,
            'backstage-mlops.dev/latency-p95-ms': '300',
          },
        },
      };
      const { summarize, advance } = await setup(
        { monitoring },
        { entities: [strict] },
      );
      monitoring.set('market-master', { latencyP95Ms: 400 });
      await advance(0);
      const summary = await summarize(strict);
      expect(summary.status).toBe('unhealthy');
      expect(summary.reasons[0].evidence?.threshold).toBe(300);
    });

    it('judges error rate, accuracy against the baseline and missing traffic', async () => {
      const monitoring = new MemoryMonitoring();
      const registry = new MemoryRegistry();
      const { summarize, advance } = await setup({ monitoring, registry });

      registry.production.set('market-master', {
        version: 3,
        metrics: { accuracy: 0.9 },
      });
      monitoring.set('market-master', { errorRate: 0.12, accuracy: 0.72 });
      await advance(0);
      let summary = await summarize();
      expect(summary.reasons.map(r => r.symptom).sort()).toEqual([
        'accuracy_degraded',
        'error_rate_high',
      ]);
      expect(
        summary.reasons.find(r => r.symptom === 'accuracy_degraded')?.evidence
          ?.values,
      ).toMatchObject({ accuracy: 0.72, baselineAccuracy: 0.9 });

      // Too few events to judge a rate: nothing is raised from 5 requests.
      monitoring.set('market-master', { count: 5, errorRate: 0.4 });
      await advance(5);
      summary = await summarize();
      expect(summary.reasons).toEqual([]);

      // Silence after a week of traffic is an outage; silence forever is not.
      monitoring.set('market-master', {
        count: 0,
        errorRate: null,
        latencyP95Ms: null,
      });
      await advance(5);
      expect((await summarize()).reasons).toEqual([]);
      monitoring.lookback.set('market-master', 5000);
      await advance(5);
      summary = await summarize();
      expect(summary.reasons.map(r => r.symptom)).toEqual(['no_traffic']);
      expect(summary.status).toBe('degraded');
    });

    it('judges a quiet model over a four times longer window', async () => {
      const monitoring = new MemoryMonitoring();
      const { summarize, advance } = await setup({ monitoring });
      monitoring.set('market-master', { count: 12, latencyP95Ms: 900 });
      monitoring.windows.set(
        'market-master',
        new Map([
          [
            60,
            {
              count: 48,
              errorRate: 0,
              latencyP95Ms: 870,
              accuracy: null,
              baselineAccuracy: null,
            },
          ],
        ]),
      );
      await advance(0);
      const [reason] = (await summarize()).reasons;
      expect(reason.symptom).toBe('latency_high');
      expect(reason.evidence).toMatchObject({
        values: { latencyP95Ms: 870, count: 48 },
        windowMinutes: 60,
      });

      // Too quiet even over the hour: nothing is judged from 12 predictions.
      monitoring.windows.clear();
      monitoring.set('market-master', { count: 12, latencyP95Ms: 900 });
      await advance(5);
      expect((await summarize()).reasons).toEqual([]);
    });

    it('asks the training pipeline for one retrain when drift opens an incident', async () => {
      const drift = new MemoryDrift();
      const pipelines = new MemoryPipelines();
      const { service, advance, store } = await setup({ drift, pipelines });
      drift.reports.set('market-master', {
        id: 'report-7',
        datasetDrift: true,
        driftShare: 0.6,
        driftedFeatures: ['volume', 'spread', 'momentum'],
        createdAt: new Date(T0).toISOString(),
      });
      await advance(0);
      await advance(5);
      expect(pipelines.requested).toHaveLength(1);
      expect(pipelines.requested[0].pipeline).toBe('market-master-training');
      expect(pipelines.requested[0].reason).toContain('Data drift in 60%');

      const [incident] = await store.openIncidents([
        { kind: 'model', name: 'market-master' },
      ]);
      const full = await service.getIncident(incident.id);
      expect(full.timeline.map(e => e.type)).toEqual([
        'opened',
        'retrain_requested',
      ]);
      expect(full.evidence?.values.reportId).toBe('report-7');
    });

    it('raises failed, rolled back and stuck deployments with the right severity', async () => {
      const deployments = new MemoryDeployments();
      const { summarize, advance } = await setup({ deployments });
      const at = (min: number) => new Date(T0 + min * 60_000).toISOString();
      deployments.latest.set('market-master', [
        { id: 'd1', environment: 'production', version: 4, status: 'rolled_back', message: 'readiness probe failed', updatedAt: at(0) },
        { id: 'd2', environment: 'staging', version: 5, status: 'in_progress', updatedAt: at(-45) },
      ]);
      await advance(0);
      let summary = await summarize();
      expect(summary.status).toBe('degraded');
      expect(summary.reasons.map(r => [r.symptom, r.severity])).toEqual([
        ['deployment_failed', 'warning'],
        ['deployment_stuck', 'warning'],
      ]);
      expect(summary.reasons[0].message).toContain('readiness probe failed');

      deployments.latest.set('market-master', [
        { id: 'd3', environment: 'production', version: 5, status: 'failed', updatedAt: at(5) },
      ]);
      await advance(5);
      summary = await summarize();
      expect(summary.status).toBe('unhealthy');
      expect(summary.reasons.map(r => r.symptom)).toEqual(['deployment_failed']);
    });

    it('classifies a failed pipeline run and hands its reason to triage', async () => {
      const pipelines = new MemoryPipelines();
      const { service, advance } = await setup({ pipelines });
      const iso = (min: number) => new Date(T0 + min * 60_000).toISOString();
      pipelines.runs.set('market-master-training', [
        { id: 'run-2', state: 'FAILED', failureReason: 'train: container exited: OOMKilled (exit code 137)', endedAt: iso(-10) },
        { id: 'run-1', state: 'COMPLETED', endedAt: iso(-1440) },
      ]);
      pipelines.lastSuccess.set('market-master-training', iso(-1440));
      await advance(0);

      const pipelineEntity: Entity = {
        ...modelEntity,
        metadata: {
          name: 'market-master-training',
          namespace: 'default',
          annotations: { 'backstage-mlops.dev/pipeline': 'market-master-training' },
        },
      };
      const incidents = await service.incidentsOf([
        { kind: 'pipeline', name: 'market-master-training' },
      ]);
      expect(incidents).toHaveLength(1);
      expect(incidents[0]).toMatchObject({
        symptom: 'pipeline_failed',
        severity: 'critical',
        evidence: { values: { runId: 'run-2', failureClass: 'oom_killed' } },
      });

      const signals = await service.signalsForObjects(
        mlopsLinksOf(pipelineEntity).map(l => ({
          kind: 'pipeline' as const,
          name: l.name,
        })),
      );
      expect(signals).toEqual({
        symptoms: ['pipeline_failed'],
        failureReasons: ['train: container exited: OOMKilled (exit code 137)'],
      });
      // The model's entity sees its training pipeline's failure reason too.
      const fromModel = await service.signals('component:default/market-master');
      expect(fromModel.failureReasons).toEqual([
        'train: container exited: OOMKilled (exit code 137)',
      ]);

      // A later success clears the failure; a three-day gap makes it stale.
      pipelines.runs.set('market-master-training', [
        { id: 'run-3', state: 'COMPLETED', endedAt: iso(0) },
      ]);
      pipelines.lastSuccess.set('market-master-training', iso(-72 * 60));
      await advance(5);
      const [stale] = (
        await service.incidentsOf([{ kind: 'pipeline', name: 'market-master-training' }])
      ).filter(i => i.symptom === 'pipeline_stale');
      expect(stale.message).toContain('No successful run for 72 hours');
    });

    it('leaves open incidents alone while their source is failing', async () => {
      const monitoring = new MemoryMonitoring();
      const { store, advance } = await setup(
        { monitoring },
        { autoResolveAfterMs: 0 },
      );
      monitoring.set('market-master', { latencyP95Ms: 900 });
      await advance(0);
      monitoring.failing = true;
      await advance(5);
      await advance(5);
      expect(
        await store.openIncidents([{ kind: 'model', name: 'market-master' }]),
      ).toHaveLength(1);
      monitoring.failing = false;
      monitoring.set('market-master', { latencyP95Ms: 100 });
      await advance(5);
      expect(
        await store.openIncidents([{ kind: 'model', name: 'market-master' }]),
      ).toHaveLength(0);
    });

    it('counts every incident a concurrent pass opens', async () => {
      const monitoring = new MemoryMonitoring();
      const { advance, objects } = await setup({ monitoring });
      const names = ['market-master', 'a', 'b', 'c', 'd', 'e', 'f'];
      for (const name of names) {
        await objects.upsert('model', { name });
        monitoring.set(name, { latencyP95Ms: 900 });
      }
      expect((await advance(0)).opened).toBe(names.length);
      expect((await advance(5)).opened).toBe(0);
    });

    it('merges evaluation requests that arrive within the debounce time', async () => {
      const monitoring = new MemoryMonitoring();
      const { service, store } = await setup({ monitoring });
      monitoring.set('market-master', { latencyP95Ms: 900 });
      for (let i = 0; i < 5; i++) {
        service.requestEvaluation('model', 'market-master');
      }
      await service.whenIdle();
      expect(monitoring.calls).toBe(1);
      expect(
        await store.openIncidents([{ kind: 'model', name: 'market-master' }]),
      ).toHaveLength(1);
    });
  });
});

describe('readIncidentConfig', () => {
  it('reads the clear period and thresholds with defaults', () => {
    expect(
      readIncidentConfig(
        new ConfigReader({
          mlops: {
            incidents: { autoResolveAfter: { minutes: 30 } },
            thresholds: { latencyP95Ms: 250 },
          },
        }),
      ),
    ).toEqual({
      autoResolveAfterMs: 30 * 60_000,
      thresholds: { ...DEFAULT_THRESHOLDS, latencyP95Ms: 250 },
    });
    expect(readIncidentConfig(new ConfigReader({})).autoResolveAfterMs).toBe(
      15 * 60_000,
    );
  });

  it('takes lateness and staleness from the pipelines settings unless thresholds say otherwise', () => {
    const pipelines = { lateAfter: { minutes: 20 }, defaultSla: { hours: 26 } };
    const deployments = { stuckAfter: { minutes: 45 } };
    const { thresholds } = readIncidentConfig(
      new ConfigReader({ mlops: { pipelines, deployments } }),
    );
    expect(thresholds.deploymentStuckMinutes).toBe(45);
    expect(thresholds.pipelineLateMinutes).toBe(20);
    expect(thresholds.pipelineStaleHours).toBe(26);
    const overridden = readIncidentConfig(
      new ConfigReader({
        mlops: { pipelines, thresholds: { pipelineStaleHours: 72 } },
      }),
    );
    expect(overridden.thresholds.pipelineStaleHours).toBe(72);
  });
});
