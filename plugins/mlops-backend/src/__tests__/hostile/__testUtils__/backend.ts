import {
  LoggerService,
  RootLoggerService,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  ANNOTATION_MLOPS_MODEL,
  ANNOTATION_MLOPS_PIPELINE,
} from '@backstage-mlops/plugin-mlops-common';
import { Entity } from '@backstage/catalog-model';
import { Knex } from 'knex';
import fs from 'node:fs/promises';
import os from 'node:os';
import nodePath from 'node:path';
import request from 'supertest';
import { IncidentStore } from '../../../incidents/IncidentStore';
import { mlopsPlugin } from '../../../plugin';
import { Seeded } from '../specs';

/** A logger that keeps every line, meta included, for the secrets checks. */
export class CapturingLogger implements RootLoggerService {
  constructor(
    readonly lines: string[] = [],
    private readonly meta: object = {},
  ) {}
  private write(level: string, message: string, meta?: Error | object) {
    const extra =
      meta instanceof Error
        ? {
            name: meta.name,
            message: meta.message,
            stack: meta.stack,
            cause: String((meta as any).cause ?? ''),
          }
        : meta;
    this.lines.push(JSON.stringify({ level, message, ...this.meta, extra }));
  }
  error(message: string, meta?: Error | object) {
    this.write('error', message, meta);
  }
  warn(message: string, meta?: Error | object) {
    this.write('warn', message, meta);
  }
  info(message: string, meta?: Error | object) {
    this.write('info', message, meta);
  }
  debug(message: string, meta?: Error | object) {
    this.write('debug', message, meta);
  }
  child(meta: object): LoggerService {
    return new CapturingLogger(this.lines, { ...this.meta, ...meta });
  }
}

const MODEL = 'fraud-model';
const PIPELINE = 'fraud-train';

/**
 * Models the destructive registry routes act on, one per route, so that the
 * valid request of one (controls.test) does not remove what another names,
 * and none of them takes fraud-model away from the rest of the specs.
 */
const SPARE_MODELS = {
  rename: 'hostile-rename-model',
  mlflowRename: 'hostile-mlflow-rename-model',
  delete: 'hostile-delete-model',
  mlflowDelete: 'hostile-mlflow-delete-model',
  /** Two versions in no stage, never deployed: the version deletes may remove them. */
  versions: 'hostile-versions-model',
};

/** A catalog entity owned by the test user that links to one model. */
function modelEntity(model: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: model,
      namespace: 'default',
      annotations: { [ANNOTATION_MLOPS_MODEL]: model },
    },
    spec: {
      type: 'ml-model',
      lifecycle: 'production',
      owner: 'user:default/mock',
    },
    relations: [{ type: 'ownedBy', targetRef: 'user:default/mock' }],
  };
}

/** The catalog the suite's backend sees: the model and pipeline, owned by the test user. */
const entities: Entity[] = [
  modelEntity(MODEL),
  ...Object.values(SPARE_MODELS).map(modelEntity),
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: PIPELINE,
      namespace: 'default',
      annotations: { [ANNOTATION_MLOPS_PIPELINE]: PIPELINE },
    },
    spec: {
      type: 'ml-pipeline',
      lifecycle: 'production',
      owner: 'user:default/mock',
    },
    relations: [{ type: 'ownedBy', targetRef: 'user:default/mock' }],
  },
];

/** A started backend for the hostile suite. */
export interface HostileBackend {
  server: any;
  logs: string[];
  stop(): Promise<void>;
}

/** Starts one MLOps backend on `knex`, with every log line captured. */
export async function startHostileBackend(
  knex: Knex,
  config: Record<string, unknown> = {},
  extraFeatures: any[] = [],
): Promise<HostileBackend> {
  const logs: string[] = [];
  const root = new CapturingLogger(logs);
  // Artifacts (the multipart specs upload some) go to a folder of its own.
  const artifacts = await fs.mkdtemp(
    nodePath.join(os.tmpdir(), 'mlops-hostile-artifacts-'),
  );
  const { mlops, ...rest } = config as { mlops?: Record<string, unknown> };
  const backend = await startTestBackend({
    features: [
      mlopsPlugin,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          mlops: {
            drift: { limits: { maxBodyBytes: 1024 * 1024 } },
            ...mlops,
            artifacts: {
              filesystem: { root: artifacts },
              ...(mlops?.artifacts as object | undefined),
            },
          },
          ...rest,
        },
      }),
      mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      createServiceFactory({
        service: coreServices.rootLogger,
        deps: {},
        factory: () => root,
      }),
      createServiceFactory({
        service: coreServices.logger,
        deps: { plugin: coreServices.pluginMetadata },
        factory: ({ plugin }) => root.child({ plugin: plugin.getId() }),
      }),
      catalogServiceMock.factory({ entities }),
      ...extraFeatures,
    ],
  });
  return {
    server: backend.server,
    logs,
    async stop() {
      await backend.stop();
      await fs.rm(artifacts, { recursive: true, force: true });
    },
  };
}

async function ok(response: request.Response, what: string) {
  if (response.status >= 300) {
    throw new Error(
      `Seeding failed at ${what}: ${response.status} ${JSON.stringify(
        response.body,
      )}`,
    );
  }
  return response.body;
}

/**
 * A small realistic state, written through the routes a training job, a CD
 * system and a person would use: an experiment with a run and metrics, a
 * model with two versions (one in Production, aliased), a pipeline with a
 * run, a deployment, a drift baseline, predictions and an open incident.
 */
export async function seed(server: any, knex: Knex): Promise<Seeded> {
  const api = (method: 'post' | 'put' | 'patch', path: string, body: object) =>
    (request(server) as any)[method](`/api/mlops${path}`).send(body);
  const experiment = await ok(
    await api('post', '/experiments', {
      name: 'hostile-exp',
      tags: { team: 'ml' },
    }),
    'experiment',
  );
  const run = await ok(
    await api('post', '/runs', {
      experimentName: 'hostile-exp',
      name: 'baseline',
      tags: { team: 'ml' },
    }),
    'run',
  );
  await ok(
    await api('post', `/runs/${run.id}/log-batch`, {
      metrics: [
        { key: 'loss', value: 0.3, step: 1 },
        { key: 'auc', value: 0.91, step: 1 },
      ],
      params: [{ key: 'lr', value: '0.01' }],
      tags: [{ key: 'stage', value: 'train' }],
    }),
    'log-batch',
  );
  await ok(
    await api('post', '/models', {
      name: MODEL,
      experimentName: 'hostile-exp',
      pipelineName: PIPELINE,
    }),
    'model',
  );
  for (const n of [1, 2]) {
    await ok(
      await api('post', `/models/${MODEL}/versions`, {
        runId: run.id,
        artifactUri: `s3://models/fraud/${n}`,
      }),
      `version ${n}`,
    );
  }
  await ok(
    await api('post', `/models/${MODEL}/versions/1/stage`, {
      stage: 'Production',
      reason: 'first',
    }),
    'stage',
  );
  await ok(
    await api('put', `/models/${MODEL}/aliases/champion`, { version: 1 }),
    'alias',
  );
  for (const spare of Object.values(SPARE_MODELS)) {
    await ok(await api('post', '/models', { name: spare }), spare);
  }
  for (const n of [1, 2]) {
    await ok(
      await api('post', `/models/${SPARE_MODELS.versions}/versions`, {
        runId: run.id,
        artifactUri: `s3://models/spare/${n}`,
      }),
      `${SPARE_MODELS.versions} version ${n}`,
    );
  }
  await ok(
    await api('put', `/pipelines/${PIPELINE}/definition`, {
      stages: ['prep', 'train'],
      orchestrator: 'prefect',
    }),
    'pipeline',
  );
  const pipelineRun = await ok(
    await api('post', `/pipelines/${PIPELINE}/runs`, { state: 'RUNNING' }),
    'pipeline run',
  );
  const deployment = await ok(
    await api('post', `/models/${MODEL}/deployments`, {
      version: 1,
      environment: 'production',
    }),
    'deployment',
  );
  const rows = Array.from({ length: 30 }, (_, i) => ({
    amount: 10 + (i % 7),
    country: i % 3 ? 'DE' : 'FR',
  }));
  await ok(
    await api('post', `/models/${MODEL}/versions/1/baseline`, { rows }),
    'baseline',
  );
  await ok(
    await api('post', `/models/${MODEL}/predictions`, {
      events: [
        {
          id: 'evt-1',
          timestamp: new Date().toISOString(),
          environment: 'production',
          latencyMs: 20,
          status: 'ok',
          modelVersion: 1,
        },
      ],
    }),
    'predictions',
  );
  const incidents = new IncidentStore(knex);
  await incidents.reportSymptom(
    { kind: 'model', name: MODEL },
    {
      symptom: 'latency_high',
      severity: 'warning',
      message: 'p95 latency 812 ms is above 500 ms',
      evidence: {},
    } as any,
    new Date(),
  );
  // MLflow's Default experiment 0 appears with the first MLflow call, as in
  // MLflow; made here, it is part of the state every attack must leave alone.
  await ok(
    await (request(server) as any).get(
      '/api/mlops/mlflow/api/2.0/mlflow/experiments/get?experiment_id=0',
    ),
    'the Default experiment',
  );
  const loggedModel = await ok(
    await (request(server) as any)
      .post('/api/mlops/mlflow/api/2.0/mlflow/logged-models')
      .send({ experiment_id: experiment.id, name: 'hostile-logged-model' }),
    'logged model',
  );
  // A multipart upload with its part sent, for the complete and abort routes.
  const artifactFolder = `${experiment.id}/${run.id}/artifacts`;
  const upload = await ok(
    await (request(server) as any)
      .post(
        `/api/mlops/mlflow/api/2.0/mlflow-artifacts/mpu/create/${artifactFolder}`,
      )
      .send({ path: '/home/ds/hostile.bin', num_parts: 1 }),
    'multipart upload',
  );
  const partUrl = new URL(upload.credentials[0].url);
  const part = await (request(server) as any)
    .put(`${partUrl.pathname}${partUrl.search}`)
    .set(upload.credentials[0].headers)
    .send(Buffer.from('one part'));
  await ok(part, 'multipart part');
  const incident = await knex('mlops_incidents').first('id');
  return {
    experimentId: experiment.id,
    experimentName: 'hostile-exp',
    runId: run.id,
    model: MODEL,
    spareModels: SPARE_MODELS,
    pipeline: PIPELINE,
    pipelineRunId: String(pipelineRun.id),
    deploymentId: String(deployment.id),
    incidentId: incident.id,
    loggedModelId: loggedModel.model.info.model_id,
    artifactFolder,
    multipartUpload: { uploadId: upload.upload_id, etag: part.headers.etag },
  };
}

/** Headers that make a request as the test user, or as a service. */
export function credentialsHeader(asService?: boolean): string {
  return asService
    ? mockCredentials.service.header()
    : mockCredentials.user.header();
}
