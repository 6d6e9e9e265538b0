import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  EntityHealthSummary,
  EntityTriage,
  HealthReason,
  TRIAGE_ENTRIES,
} from '@backstage-mlops/plugin-mlops-common';
import { Knex } from 'knex';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { migrateInitialSchema } from './__testUtils__/initialSchema';
import { EntityResolver, ResolvedEntity } from '../shared/EntityResolver';
import { MlopsObjectStore } from '../objects';
import { createTriageRouter } from './router';
import { TriageSignalSource } from './TriageService';

jest.setTimeout(60_000);

const fraudModel: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'fraud-detection',
    namespace: 'default',
    annotations: {
      'backstage-mlops.dev/model': 'fraud-detection',
      'backstage-mlops.dev/serving-url':
        'http://fraud-detection.payments-ml.svc:8080/',
      'backstage.io/kubernetes-namespace': 'payments-ml',
      'backstage.io/kubernetes-label-selector': 'app=fraud-detection',
    },
  },
  spec: { type: 'ml-model', lifecycle: 'production', owner: 'risk-ml' },
};

const trainingPipeline: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'fraud-detection-training',
    namespace: 'default',
    annotations: { 'backstage-mlops.dev/pipeline': 'fraud-detection-training' },
  },
  spec: { type: 'ml-pipeline', lifecycle: 'production', owner: 'risk-ml' },
};

const quietModel: Entity = {
  ...fraudModel,
  metadata: {
    name: 'ticket-classifier',
    namespace: 'default',
    annotations: { 'backstage-mlops.dev/model': 'ticket-classifier' },
  },
};

const errorRateHigh: HealthReason = {
  symptom: 'error_rate_high',
  severity: 'critical',
  message: 'Error rate 12.5% over the last 15 minutes is above 5%',
  observedAt: '2026-11-25T08:00:00Z',
};

/** Health as the detectors would report it, keyed by entity reference. */
function fakeHealth(reasons: Record<string, HealthReason[]>) {
  return {
    async summarize(resolved: ResolvedEntity): Promise<EntityHealthSummary> {
      const found = reasons[resolved.entityRef] ?? [];
      return {
        entityRef: resolved.entityRef,
        status: found.length > 0 ? 'unhealthy' : 'healthy',
        reasons: found,
        links: resolved.links.map(l => ({ ...l, known: true })),
        checkedAt: '2026-11-25T08:00:00Z',
      };
    },
  };
}

async function startTriageBackend(
  knex: Knex,
  options: {
    reasons?: Record<string, HealthReason[]>;
    signals?: TriageSignalSource;
  },
) {
  const plugin = createBackendPlugin({
    pluginId: 'mlops',
    register(env) {
      env.registerInit({
        deps: {
          logger: coreServices.logger,
          httpAuth: coreServices.httpAuth,
          httpRouter: coreServices.httpRouter,
          catalog: catalogServiceRef,
        },
        async init({ logger, httpAuth, httpRouter, catalog }) {
          httpRouter.use(
            createTriageRouter({
              logger,
              httpAuth,
              entities: new EntityResolver(catalog),
              objectFacts: new MlopsObjectStore(knex),
              health: fakeHealth(options.reasons ?? {}),
              triageSignals: options.signals,
            }),
          );
        },
      });
    },
  });
  const { server } = await startTestBackend({
    features: [
      plugin,
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      catalogServiceMock.factory({
        entities: [fraudModel, trainingPipeline, quietModel],
      }),
    ],
  });
  return server;
}

describe('triage routes', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let knex: Knex;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      await migrateInitialSchema(knex);
      const now = new Date();
      await knex('mlops_pipelines').insert({
        name: 'fraud-detection-training',
        orchestrator: 'prefect',
        experiment_name: 'fraud-detection',
        created_at: now,
        updated_at: now,
      });
      await knex('mlops_registered_models').insert({
        name: 'fraud-detection',
        pipeline_name: 'fraud-detection-training',
        experiment_name: 'fraud-detection',
        created_at: now,
        updated_at: now,
      });
    });

    const startBackend = (options: {
      reasons?: Record<string, HealthReason[]>;
      signals?: TriageSignalSource;
    }) => startTriageBackend(knex, options);

    const get = (server: any, url: string) =>
      request(server)
        .get(url)
        .set('Authorization', mockCredentials.user.header());

    it('ranks the entry that explains both the health reason and the failure first, with evidence and filled commands', async () => {
      const server = await startBackend({
        reasons: { 'component:default/fraud-detection': [errorRateHigh] },
        signals: {
          signals: async ref => ({
            symptoms:
              ref === 'component:default/fraud-detection'
                ? ['deployment_failed']
                : [],
            failureReasons:
              ref === 'component:default/fraud-detection'
                ? [
                    'Back-off restarting failed container; Last State: Terminated, Reason: OOMKilled, Exit Code: 137',
                  ]
                : [],
          }),
        },
      });
      const response = await get(
        server,
        '/api/mlops/entities/component/default/fraud-detection/triage',
      );
      expect(response.status).toBe(200);
      const body = response.body as EntityTriage;
      expect(body.status).toBe('unhealthy');
      expect(body.problems.map(p => p.source)).toEqual([
        'health',
        'incident',
        'failure',
      ]);
      expect(body.problems[2].failureClasses).toContain('oom_killed');

      const [best] = body.matches;
      expect(best.entry.id).toBe('incident-serving-pods-oom-killed');
      expect(best.evidence).toEqual(
        expect.arrayContaining([
          expect.stringContaining(errorRateHigh.message),
          expect.stringContaining('Open incident for deployment failed'),
          expect.stringMatching(/OOMKilled.*\(oom_killed\)/),
        ]),
      );
      const scores = body.matches.map(m => m.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));

      expect(best.steps[0].command).toBe(
        'kubectl get pods -n payments-ml -l app=fraud-detection',
      );
      expect(best.steps[0].missing).toEqual([]);
      expect(JSON.stringify(body.matches.map(m => m.steps))).not.toContain(
        '{{',
      );
      expect(body.context).toMatchObject({
        namespace: 'payments-ml',
        labelSelector: 'app=fraud-detection',
        servingUrl: 'http://fraud-detection.payments-ml.svc:8080',
        model: 'fraud-detection',
        pipeline: 'fraud-detection-training',
        experiment: 'fraud-detection',
        orchestrator: 'prefect',
      });
    });

    it('keeps values the entity does not state as visible placeholders', async () => {
      const server = await startBackend({
        reasons: {
          'component:default/fraud-detection': [
            { ...errorRateHigh, symptom: 'deployment_stuck' },
          ],
        },
      });
      const response = await get(
        server,
        '/api/mlops/entities/component/default/fraud-detection/triage?limit=50',
      );
      expect(response.status).toBe(200);
      const steps = (response.body as EntityTriage).matches.flatMap(
        m => m.steps,
      );
      const rollout = steps.find(s => s.command.includes('rollout status'));
      expect(rollout?.command).toBe(
        'kubectl rollout status deploy/<deployment> -n payments-ml --timeout=60s',
      );
      expect(rollout?.missing).toEqual(['deployment']);
    });

    it('fills the environment from the query and rejects a malformed one', async () => {
      const server = await startBackend({
        reasons: { 'component:default/fraud-detection': [errorRateHigh] },
      });
      const ok = await get(
        server,
        '/api/mlops/entities/component/default/fraud-detection/triage?environment=production',
      );
      expect(ok.body.context.environment).toBe('production');
      const bad = await get(
        server,
        '/api/mlops/entities/component/default/fraud-detection/triage?environment=..%2Fetc',
      );
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain('environment');
      const badLimit = await get(
        server,
        '/api/mlops/entities/component/default/fraud-detection/triage?limit=0',
      );
      expect(badLimit.status).toBe(400);
    });

    it('reads the orchestrator of a pipeline entity from the store', async () => {
      const server = await startBackend({
        reasons: {
          'component:default/fraud-detection-training': [
            { ...errorRateHigh, symptom: 'pipeline_failed' },
          ],
        },
      });
      const response = await get(
        server,
        '/api/mlops/entities/component/default/fraud-detection-training/triage',
      );
      expect(response.status).toBe(200);
      expect(response.body.context).toEqual({
        orchestrator: 'prefect',
        pipeline: 'fraud-detection-training',
        experiment: 'fraud-detection',
      });
      expect(response.body.matches[0].entry.answersSymptoms).toContain(
        'pipeline_failed',
      );
    });

    it('answers a healthy entity with no problems and no guidance', async () => {
      const server = await startBackend({});
      const response = await get(
        server,
        '/api/mlops/entities/component/default/ticket-classifier/triage',
      );
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        entityRef: 'component:default/ticket-classifier',
        status: 'healthy',
        problems: [],
        matches: [],
      });
    });

    it('still answers from health when the incident signals fail', async () => {
      const server = await startBackend({
        reasons: { 'component:default/fraud-detection': [errorRateHigh] },
        signals: {
          signals: async () => {
            throw new Error('incidents table locked');
          },
        },
      });
      const response = await get(
        server,
        '/api/mlops/entities/component/default/fraud-detection/triage',
      );
      expect(response.status).toBe(200);
      expect(response.body.problems).toHaveLength(1);
      expect(response.body.matches.length).toBeGreaterThan(0);
    });

    it('answers 404 for an entity the catalog does not have, 401 without credentials', async () => {
      const server = await startBackend({});
      const missing = await get(
        server,
        '/api/mlops/entities/component/default/ghost/triage',
      );
      expect(missing.status).toBe(404);
      const anonymous = await request(server).get(
        '/api/mlops/entities/component/default/fraud-detection/triage',
      );
      expect(anonymous.status).toBe(401);
    });
  });

  describe('knowledge base search', () => {
    let server: any;
    beforeAll(async () => {
      const knex = await databases.init('SQLITE_3');
      server = await startTriageBackend(knex, {});
    });
    const get = (url: string) =>
      request(server)
        .get(url)
        .set('Authorization', mockCredentials.user.header());

    it('finds the CrashLoopBackOff entry from a partial word', async () => {
      const response = await get('/api/mlops/triage/entries?q=crashloop');
      expect(response.status).toBe(200);
      expect(response.body.items[0].entry.id).toBe('pod-crash-loop-backoff');
      expect(response.body.total).toBe(response.body.items.length);
    });

    it('browses one category and lists everything without a query', async () => {
      const all = await get('/api/mlops/triage/entries');
      expect(all.body.total).toBe(TRIAGE_ENTRIES.length);
      const kubernetes = await get(
        '/api/mlops/triage/entries?category=kubernetes',
      );
      expect(kubernetes.body.total).toBeGreaterThan(0);
      expect(kubernetes.body.total).toBeLessThan(TRIAGE_ENTRIES.length);
      expect(
        kubernetes.body.items.every(
          (i: any) => i.entry.category === 'kubernetes',
        ),
      ).toBe(true);
    });

    it('rejects an unknown category and an overlong query', async () => {
      const category = await get(
        '/api/mlops/triage/entries?category=astrology',
      );
      expect(category.status).toBe(400);
      expect(category.body.error.message).toContain('category');
      const long = await get(`/api/mlops/triage/entries?q=${'a'.repeat(201)}`);
      expect(long.status).toBe(400);
    });

    it('returns one entry in full by id, 404 for an unknown id', async () => {
      const found = await get('/api/mlops/triage/entries/image-pull-backoff');
      expect(found.status).toBe(200);
      expect(found.body.title).toBe('Pod stuck in ImagePullBackOff');
      expect(found.body.fix.length).toBeGreaterThan(0);
      const missing = await get('/api/mlops/triage/entries/no-such-entry');
      expect(missing.status).toBe(404);
      const malformed = await get('/api/mlops/triage/entries/Not_An_Id');
      expect(malformed.status).toBe(400);
    });

    it('refuses the search without credentials', async () => {
      const response = await request(server).get('/api/mlops/triage/entries');
      expect(response.status).toBe(401);
    });
  });
});
