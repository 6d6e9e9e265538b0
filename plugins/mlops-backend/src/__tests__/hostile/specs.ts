import { FieldKind, ParamKind } from './mutators';

/** Objects the suite seeds before it attacks, so attacks hit real rows too. */
export interface Seeded {
  experimentId: string;
  experimentName: string;
  runId: string;
  model: string;
  /** Models the destructive registry routes each take for themselves. */
  spareModels: {
    rename: string;
    mlflowRename: string;
    delete: string;
    mlflowDelete: string;
    /** Versions 1 and 2 in no stage, never deployed: deletable. */
    versions: string;
  };
  pipeline: string;
  pipelineRunId: string;
  deploymentId: string;
  incidentId: string;
  /** An MLflow 3 logged model of the experiment. */
  loggedModelId: string;
  /** The run's artifact folder as the proxy names it (`<experiment>/<run>/artifacts`). */
  artifactFolder: string;
  /** A multipart upload of `hostile.bin` in that folder, its one part sent. */
  multipartUpload: { uploadId: string; etag: string };
}

/** One field of a route's body the suite attacks. */
export interface FieldSpec {
  /** Dotted path into the body, e.g. `metrics.0.value`. */
  path: string;
  kind: FieldKind;
  /** Removing it must be refused. */
  required?: boolean;
  /** `null` is a legal value (it clears the field). */
  nullable?: boolean;
}

/** A path parameter: its kind and a value naming a seeded object. */
export interface ParamSpec {
  kind: ParamKind;
  value: string;
  /**
   * False when an unknown value is a legal request (the route creates what
   * it names); otherwise an unknown value must be a 404 and is attacked too.
   */
  mustExist?: boolean;
  /** The unknown value to send; defaults by kind. */
  unknown?: string;
}

/** A write route and what the suite sends it. */
export interface RouteSpec {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path pattern as the router declares it. */
  path: string;
  params?: Record<string, ParamSpec>;
  /** A body the route would accept; undefined for routes that read none. */
  body?: Record<string, unknown>;
  fields?: FieldSpec[];
  /** Hostile query strings, e.g. `dryRun=maybe`. */
  badQueries?: string[];
  /** Sent with service credentials (routes that allow only services). */
  asService?: boolean;
  /** Answers in MLflow's error shape. */
  mlflow?: boolean;
}

const NOW = Date.UTC(2026, 0, 1);
const MLFLOW = '/mlflow/api/2.0/mlflow';

const f = (
  path: string,
  kind: FieldKind,
  opts: Partial<FieldSpec> = {},
): FieldSpec => ({ path, kind, ...opts });

const NAME: FieldKind = { type: 'name' };
const ENUM: FieldKind = { type: 'enum' };
const BOOL: FieldKind = { type: 'bool' };
const RECORD: FieldKind = { type: 'record' };
const text = (max: number): FieldKind => ({ type: 'text', max });

/** Every write route of the plugin, with a valid body and its attackable fields. */
export function routeSpecs(s: Seeded): RouteSpec[] {
  const model: ParamSpec = { kind: 'name', value: s.model, mustExist: true };
  const version: ParamSpec = {
    kind: 'version',
    value: '1',
    mustExist: true,
    unknown: '999',
  };
  const pipeline: ParamSpec = {
    kind: 'name',
    value: s.pipeline,
    mustExist: true,
  };
  const pipelineRun: ParamSpec = {
    kind: 'numericId',
    value: s.pipelineRunId,
    mustExist: true,
    unknown: '987654321',
  };
  const runId: ParamSpec = {
    kind: 'hexId',
    value: s.runId,
    mustExist: true,
    unknown: 'f'.repeat(32),
  };
  const rows = [
    { amount: 12.5, country: 'DE' },
    { amount: 40, country: 'FR' },
    { amount: 7.25, country: 'DE' },
  ];
  const driftOptions = [
    f('options.driftShareThreshold', { type: 'number', min: 0, max: 1 }),
    f('options.correction', ENUM),
    f('options.minSampleSize', { type: 'int', min: 1 }),
    f('options.columns', { type: 'list', item: 'amount' }),
    f('requiredColumns', { type: 'list', item: 'amount' }),
  ];
  return [
    // Tracking ------------------------------------------------------------
    {
      method: 'POST',
      path: '/experiments',
      body: {
        name: 'hostile-new-experiment',
        owner: 'team-a',
        description: 'd',
        tags: { team: 'ml' },
      },
      fields: [
        f('name', NAME, { required: true }),
        f('owner', text(255)),
        f('description', text(10_000)),
        f('tags', RECORD),
      ],
    },
    {
      method: 'POST',
      path: '/runs',
      body: {
        experimentName: s.experimentName,
        name: 'r',
        status: 'RUNNING',
        startTime: NOW,
        source: 'train.py',
        parentRunId: s.runId,
        tags: { a: 'b' },
      },
      fields: [
        f('experimentName', NAME, { required: true }),
        f('name', text(250)),
        f('status', ENUM),
        f('startTime', { type: 'time', epoch: true }),
        f('source', text(500)),
        f('parentRunId', { type: 'id' }),
        f('tags', RECORD),
      ],
    },
    {
      method: 'POST',
      path: '/runs/search',
      body: {
        experimentIds: [s.experimentId],
        filter: [{ type: 'metric', key: 'loss', op: '<', value: 1 }],
        pageSize: 10,
      },
      fields: [
        f('experimentIds', { type: 'list', max: 100, item: s.experimentId }),
        f('experimentNames', {
          type: 'list',
          max: 100,
          item: s.experimentName,
        }),
        f('filter', {
          type: 'list',
          max: 20,
          item: { type: 'metric', key: 'loss', op: '<', value: 1 },
        }),
        f('filter.0.key', NAME),
        f('filter.0.op', ENUM),
        f('filter.0.value', { type: 'number' }),
        f('pageSize', { type: 'int', min: 1, max: 1000 }),
        f('pageToken', text(2000)),
      ],
    },
    {
      method: 'PATCH',
      path: '/runs/:id',
      params: { id: runId },
      body: {
        name: 'renamed',
        status: 'FINISHED',
        endTime: NOW,
        deleted: false,
      },
      fields: [
        f('name', text(250)),
        f('status', ENUM),
        f('endTime', { type: 'time', epoch: true }),
        f('deleted', BOOL),
      ],
    },
    {
      method: 'POST',
      path: '/runs/:id/log-batch',
      params: { id: runId },
      body: {
        metrics: [{ key: 'loss', value: 0.5, step: 1, timestamp: NOW }],
        params: [{ key: 'new-param', value: '1' }],
        tags: [{ key: 'new-tag', value: 'v' }],
      },
      fields: [
        f('metrics', {
          type: 'list',
          max: 1000,
          item: { key: 'loss', value: 0.5, step: 1, timestamp: NOW },
        }),
        f('metrics.0.key', NAME, { required: true }),
        f('metrics.0.value', { type: 'metric' }, { required: true }),
        f('metrics.0.step', { type: 'int', min: 0 }),
        f('metrics.0.timestamp', { type: 'int', min: 0 }),
        f('params', { type: 'list', max: 100, item: { key: 'p', value: '1' } }),
        f('params.0.key', NAME, { required: true }),
        f('params.0.value', text(6000), { required: true }),
        f('tags.0.key', NAME, { required: true }),
        f('tags.0.value', text(8000), { required: true }),
      ],
    },
    // Registry ------------------------------------------------------------
    {
      method: 'POST',
      path: '/models',
      body: {
        name: 'hostile-new-model',
        description: 'd',
        tags: { team: 'ml' },
        pipelineName: s.pipeline,
        experimentName: s.experimentName,
      },
      fields: [
        f('name', NAME, { required: true }),
        f('owner', text(255)),
        f('description', text(5000)),
        f('tags', RECORD),
        f('pipelineName', NAME),
        f('experimentName', NAME),
      ],
    },
    {
      method: 'PATCH',
      path: '/models/:name',
      params: { name: model },
      body: { description: 'new description' },
      fields: [
        f('owner', text(255), { nullable: true }),
        f('description', text(5000), { nullable: true }),
        f('tags', RECORD),
        f('pipelineName', NAME, { nullable: true }),
        f('experimentName', NAME, { nullable: true }),
      ],
    },
    {
      method: 'POST',
      path: '/models/:name/versions',
      params: { name: model },
      body: {
        runId: s.runId,
        artifactUri: 's3://models/fraud/3',
        description: 'd',
        tags: { a: 'b' },
      },
      fields: [
        f('runId', { type: 'id' }),
        f('artifactUri', { type: 'uri' }),
        f('description', text(5000)),
        f('tags', RECORD),
      ],
    },
    {
      method: 'POST',
      path: '/models/:name/versions/:version/stage',
      params: { name: model, version: { ...version, value: '2' } },
      body: { stage: 'Staging', archiveExisting: false, reason: 'promote' },
      fields: [
        f('stage', ENUM, { required: true }),
        f('archiveExisting', BOOL),
        f('reason', text(1000)),
      ],
    },
    {
      method: 'PUT',
      path: '/models/:name/aliases/:alias',
      params: { name: model, alias: { kind: 'alias', value: 'challenger' } },
      body: { version: 2, reason: 'try it' },
      fields: [
        f(
          'version',
          { type: 'int', min: 1, max: 2_147_483_647 },
          { required: true },
        ),
        f('reason', text(1000)),
      ],
    },
    {
      method: 'DELETE',
      path: '/models/:name/aliases/:alias',
      params: { name: model, alias: { kind: 'alias', value: 'champion' } },
    },
    {
      method: 'POST',
      path: '/models/:name/rollback',
      params: { name: model },
      body: { reason: 'bad release' },
      fields: [f('reason', text(1000), { required: true })],
    },
    {
      method: 'POST',
      path: '/models/:name/retention',
      params: { name: model },
      body: { keep: 1, dryRun: true },
      fields: [
        f('keep', { type: 'int', min: 1, max: 10_000 }, { required: true }),
        f('dryRun', BOOL),
      ],
    },
    // Whole-model edits, version deletes and version tags. Each destructive
    // route names a spare model of its own (see Seeded.spareModels).
    {
      method: 'POST',
      path: '/models/:name/rename',
      params: { name: { ...model, value: s.spareModels.rename } },
      body: { newName: 'hostile-renamed-model' },
      fields: [f('newName', NAME, { required: true })],
    },
    {
      method: 'DELETE',
      path: '/models/:name',
      params: { name: { ...model, value: s.spareModels.delete } },
    },
    {
      method: 'DELETE',
      path: '/models/:name/versions/:version',
      params: { name: { ...model, value: s.spareModels.versions }, version },
    },
    {
      method: 'PUT',
      path: '/models/:name/versions/:version/tags/:key',
      params: {
        name: model,
        version,
        key: { kind: 'name', value: 'hostile-tag', mustExist: false },
      },
      body: { value: 'v' },
      fields: [f('value', text(8000), { required: true })],
    },
    {
      method: 'DELETE',
      path: '/models/:name/versions/:version/tags/:key',
      params: {
        name: model,
        version,
        key: { kind: 'name', value: 'hostile-tag', mustExist: false },
      },
    },
    // Monitoring ----------------------------------------------------------
    {
      method: 'POST',
      path: '/models/:name/predictions',
      params: { name: model },
      body: {
        events: [
          {
            id: 'evt-hostile',
            timestamp: new Date().toISOString(),
            environment: 'production',
            modelVersion: 1,
            latencyMs: 12,
            status: 'ok',
            prediction: 0.2,
            confidence: 0.9,
          },
        ],
      },
      fields: [
        f(
          'events',
          {
            type: 'list',
            max: 5000,
            item: {
              timestamp: new Date().toISOString(),
              environment: 'production',
              latencyMs: 12,
              status: 'ok',
            },
          },
          { required: true },
        ),
        f('events.0.timestamp', { type: 'time' }, { required: true }),
        f('events.0.environment', NAME, { required: true }),
        f('events.0.latencyMs', { type: 'number', min: 0 }, { required: true }),
        f('events.0.status', ENUM, { required: true }),
        f(
          'events.0.confidence',
          { type: 'number', min: 0, max: 1 },
          { nullable: true },
        ),
        f('events.0.features', { type: 'object' }),
      ],
    },
    // Drift ---------------------------------------------------------------
    {
      method: 'POST',
      path: '/drift/compare',
      body: {
        reference: rows,
        current: rows,
        options: { driftShareThreshold: 0.5 },
      },
      fields: [
        f('reference', { type: 'list', item: rows[0] }, { required: true }),
        f('current', { type: 'list', item: rows[0] }, { required: true }),
        ...driftOptions,
      ],
    },
    {
      method: 'POST',
      path: '/models/:name/versions/:version/baseline',
      params: { name: model, version: { ...version, value: '2' } },
      body: { rows },
      fields: [f('rows', { type: 'list', item: rows[0] }, { required: true })],
      badQueries: [
        'replace=yes',
        'replace[]=true',
        `replace=${encodeURIComponent("true'; --")}`,
      ],
    },
    {
      method: 'POST',
      path: '/models/:name/drift/current',
      params: { name: model },
      body: { rows, version: 1 },
      fields: [
        f('rows', { type: 'list', item: rows[0] }, { required: true }),
        f('version', { type: 'int', min: 1 }),
        ...driftOptions,
      ],
    },
    // Deployments ---------------------------------------------------------
    {
      method: 'POST',
      path: '/models/:name/deployments',
      params: { name: model },
      body: { version: 2, environment: 'staging', target: 'record' },
      fields: [
        f('version', { type: 'int', min: 1 }, { required: true }),
        f('environment', NAME, { required: true }),
        f('target', { type: 'target' }),
      ],
    },
    {
      method: 'POST',
      path: '/models/:name/deployments/rollback',
      params: { name: model },
      body: { environment: 'production', reason: 'bad', target: 'record' },
      fields: [
        f('environment', NAME, { required: true }),
        f('reason', text(2000), { required: true }),
        f('target', { type: 'target' }),
      ],
    },
    {
      method: 'PATCH',
      path: '/deployments/:id',
      params: {
        id: {
          kind: 'numericId',
          value: s.deploymentId,
          mustExist: true,
          unknown: '987654321',
        },
      },
      body: { status: 'succeeded', message: 'done' },
      fields: [f('status', ENUM, { required: true }), f('message', text(4000))],
    },
    // Pipelines -----------------------------------------------------------
    {
      method: 'PUT',
      path: '/pipelines/:name/definition',
      params: { name: { ...pipeline, mustExist: false } },
      body: {
        owner: 'team-a',
        description: 'd',
        orchestrator: 'prefect',
        schedule: '0 * * * *',
        stages: ['prep', 'train'],
        slaMinutes: 60,
      },
      fields: [
        f('owner', text(255)),
        f('description', text(10_000)),
        f('orchestrator', ENUM),
        f('schedule', text(255)),
        f('stages', { type: 'list', max: 100, item: 'stage' }),
        f(
          'slaMinutes',
          { type: 'int', min: 1, max: 525_600 },
          { nullable: true },
        ),
      ],
    },
    {
      method: 'POST',
      path: '/pipelines/:name/runs',
      params: { name: { ...pipeline, mustExist: false } },
      body: {
        state: 'PENDING',
        scheduledAt: new Date(NOW).toISOString(),
        stages: ['prep', 'train'],
        externalId: 'ext-1',
        trigger: 'api',
      },
      fields: [
        f('state', ENUM),
        f('scheduledAt', { type: 'time' }),
        f('stages', { type: 'list', max: 100, item: 'stage' }),
        f('externalId', text(255)),
        f('trigger', ENUM),
      ],
    },
    {
      method: 'POST',
      path: '/pipelines/:name/runs/request',
      params: { name: pipeline },
      body: { reason: 'drift found' },
      fields: [f('reason', text(2000), { required: true })],
    },
    {
      method: 'POST',
      path: '/pipelines/:name/runs/:runId/stages/:stage',
      params: {
        name: pipeline,
        runId: pipelineRun,
        stage: { kind: 'stage', value: 'train' },
      },
      body: { state: 'RUNNING' },
      fields: [
        f('state', ENUM, { required: true }),
        f('failureReason', text(100_000)),
      ],
    },
    {
      method: 'POST',
      path: '/pipelines/:name/runs/:runId/heartbeat',
      params: { name: pipeline, runId: pipelineRun },
    },
    {
      method: 'POST',
      path: '/pipelines/:name/runs/:runId/finish',
      params: { name: pipeline, runId: pipelineRun },
      body: { state: 'FAILED', failureReason: 'OOMKilled' },
      fields: [
        f('state', ENUM, { required: true }),
        f('failureReason', text(100_000)),
      ],
    },
    // Incidents -----------------------------------------------------------
    ...(['acknowledge', 'resolve'] as const).map(
      (action): RouteSpec => ({
        method: 'POST',
        path: `/incidents/:id/${action}`,
        params: {
          id: {
            kind: 'uuid',
            value: s.incidentId,
            mustExist: true,
            unknown: '00000000-0000-4000-8000-000000000000',
          },
        },
        body: { note: 'looking' },
        fields: [f('note', text(2000))],
      }),
    ),
    // Objects (services only) ---------------------------------------------
    {
      method: 'POST',
      path: '/objects/register',
      asService: true,
      body: {
        owner: 'group:default/ml-team',
        pipeline: {
          name: 'hostile-new-pipeline',
          orchestrator: 'prefect',
          stages: ['a'],
        },
        model: {
          name: 'hostile-new-model-2',
          servingUrl: 'https://serve.example.com/x',
        },
      },
      fields: [
        f('owner', { type: 'ref' }, { required: true }),
        f('pipeline', { type: 'object' }, { required: true }),
        f('pipeline.name', NAME, { required: true }),
        f('pipeline.orchestrator', ENUM),
        f('pipeline.stages', { type: 'list', max: 50, item: 'stage' }),
        f('pipeline.tags', RECORD),
        f('model', { type: 'object' }, { required: true }),
        f('model.name', NAME, { required: true }),
        f('model.servingUrl', { type: 'url' }),
        f('experiment', { type: 'object' }),
      ],
      badQueries: ['dryRun=maybe', 'dryRun[]=true'],
    },
    {
      // A read of several objects; POST only because the refs are a body.
      method: 'POST',
      path: '/objects/by-refs',
      body: { refs: [{ kind: 'model', name: s.model }] },
      fields: [
        f(
          'refs',
          { type: 'list', max: 500, item: { kind: 'model', name: s.model } },
          { required: true },
        ),
        f('refs.0.kind', ENUM, { required: true }),
        f('refs.0.name', NAME, { required: true }),
      ],
    },
    {
      method: 'DELETE',
      path: '/objects/:kind/:name',
      asService: true,
      params: {
        kind: { kind: 'kind', value: 'model' },
        name: { kind: 'name', value: s.model, mustExist: false },
      },
    },
    // MLflow --------------------------------------------------------------
    ...mlflowSpecs(s),
  ];
}

function mlflowSpecs(s: Seeded): RouteSpec[] {
  const runRef = f('run_id', { type: 'id' }, { required: true });
  const expRef = f('experiment_id', { type: 'id' }, { required: true });
  const modelName = f('name', NAME, { required: true });
  // MLflow's names are free text (mlflowNameProblem), keys are not.
  const experimentName: FieldKind = { type: 'mlflowName', max: 500 };
  const runName: FieldKind = { type: 'mlflowName', max: 250 };
  const loggedModel: ParamSpec = {
    kind: 'name',
    value: s.loggedModelId,
    unknown: `m-${'f'.repeat(32)}`,
  };
  const int64 = (min?: number): FieldKind => ({
    type: 'int',
    int64: true,
    min,
  });
  const versionField = f(
    'version',
    { type: 'int', int64: true, min: 1 },
    { required: true },
  );
  const kv = (item: object) => ({ type: 'list', item } as FieldKind);
  const spec = (
    method: RouteSpec['method'],
    path: string,
    body: Record<string, unknown>,
    fields: FieldSpec[],
  ): RouteSpec => ({
    method,
    path: `${MLFLOW}${path}`,
    body,
    fields,
    mlflow: true,
  });
  return [
    spec(
      'POST',
      '/experiments/create',
      { name: 'hostile-mlflow-exp', tags: [{ key: 'a', value: 'b' }] },
      [
        f('name', experimentName, { required: true }),
        f('tags', kv({ key: 'a', value: 'b' })),
        f('tags.0.key', NAME, { required: true }),
      ],
    ),
    spec(
      'POST',
      '/experiments/search',
      { max_results: 10, view_type: 'ACTIVE_ONLY' },
      [f('max_results', int64(1)), f('view_type', ENUM)],
    ),
    spec(
      'POST',
      '/experiments/update',
      { experiment_id: s.experimentId, new_name: 'renamed-exp' },
      [expRef, f('new_name', experimentName)],
    ),
    spec('POST', '/experiments/delete', { experiment_id: s.experimentId }, [
      expRef,
    ]),
    spec('POST', '/experiments/restore', { experiment_id: s.experimentId }, [
      expRef,
    ]),
    spec(
      'POST',
      '/experiments/set-experiment-tag',
      { experiment_id: s.experimentId, key: 'k', value: 'v' },
      [
        expRef,
        f('key', NAME, { required: true }),
        f('value', text(8000), { required: true }),
      ],
    ),
    spec(
      'POST',
      '/runs/create',
      {
        experiment_id: s.experimentId,
        run_name: 'r',
        start_time: NOW,
        tags: [{ key: 'a', value: 'b' }],
      },
      [
        expRef,
        f('user_id', text(255)),
        f('run_name', runName),
        f('start_time', int64()),
        f('tags', kv({ key: 'a', value: 'b' })),
      ],
    ),
    spec(
      'POST',
      '/runs/update',
      {
        run_id: s.runId,
        status: 'FINISHED',
        end_time: NOW,
        run_name: 'renamed',
      },
      [
        runRef,
        f('status', ENUM),
        f('end_time', int64()),
        f('run_name', runName),
      ],
    ),
    spec('POST', '/runs/delete', { run_id: s.runId }, [runRef]),
    spec('POST', '/runs/restore', { run_id: s.runId }, [runRef]),
    spec(
      'POST',
      '/runs/log-metric',
      { run_id: s.runId, key: 'loss', value: 0.1, timestamp: NOW, step: 3 },
      [
        runRef,
        f('key', NAME, { required: true }),
        f('value', { type: 'metric' }, { required: true }),
        f('timestamp', int64()),
        f('step', int64()),
      ],
    ),
    spec(
      'POST',
      '/runs/log-parameter',
      { run_id: s.runId, key: 'new-param', value: '1' },
      [
        runRef,
        f('key', NAME, { required: true }),
        f('value', text(6000), { required: true }),
      ],
    ),
    spec('POST', '/runs/set-tag', { run_id: s.runId, key: 'k', value: 'v' }, [
      runRef,
      f('key', NAME, { required: true }),
      f('value', text(8000), { required: true }),
    ]),
    spec('POST', '/runs/delete-tag', { run_id: s.runId, key: 'team' }, [
      runRef,
      f('key', { type: 'enum' }, { required: true }),
    ]),
    spec(
      'POST',
      '/runs/log-batch',
      {
        run_id: s.runId,
        metrics: [{ key: 'loss', value: 0.1, timestamp: NOW, step: 4 }],
        params: [{ key: 'batch-param', value: '1' }],
        tags: [{ key: 'batch-tag', value: 'v' }],
      },
      [
        runRef,
        f('metrics', {
          type: 'list',
          max: 1000,
          item: { key: 'loss', value: 0.1, timestamp: NOW, step: 4 },
        }),
        f('metrics.0.key', NAME, { required: true }),
        f('metrics.0.value', { type: 'metric' }, { required: true }),
        f('metrics.0.timestamp', int64()),
        f('params', { type: 'list', max: 100, item: { key: 'p', value: '1' } }),
        f('params.0.key', NAME, { required: true }),
        f('tags.0.value', text(8000), { required: true }),
      ],
    ),
    spec(
      'POST',
      '/runs/search',
      {
        experiment_ids: [s.experimentId],
        filter: 'metrics.loss < 1',
        max_results: 10,
      },
      [
        f(
          'experiment_ids',
          { type: 'list', item: s.experimentId },
          { required: true },
        ),
        f('filter', { type: 'enum' }),
        f('max_results', int64(1)),
        f('order_by', { type: 'list', item: 'metrics.loss DESC' }),
      ],
    ),
    spec(
      'POST',
      '/registered-models/create',
      { name: 'hostile-mlflow-model', description: 'd' },
      [modelName, f('description', text(5000))],
    ),
    spec(
      'PATCH',
      '/registered-models/update',
      { name: s.model, description: 'new' },
      [modelName, f('description', text(5000))],
    ),
    spec(
      'POST',
      '/registered-models/get-latest-versions',
      { name: s.model, stages: ['Production'] },
      [
        modelName,
        f('stages', { type: 'list', item: 'Production' }),
        f('stages.0', ENUM),
      ],
    ),
    spec(
      'POST',
      '/registered-models/alias',
      { name: s.model, alias: 'challenger', version: 2 },
      [
        modelName,
        f('alias', { type: 'alias' }, { required: true }),
        versionField,
      ],
    ),
    spec(
      'DELETE',
      '/registered-models/alias',
      { name: s.model, alias: 'challenger' },
      [modelName, f('alias', { type: 'alias' }, { required: true })],
    ),
    spec(
      'POST',
      '/model-versions/create',
      {
        name: s.model,
        source: 's3://models/fraud/9',
        run_id: s.runId,
        description: 'd',
      },
      [
        modelName,
        f('source', { type: 'uri' }),
        // MLflow clients send "" or null for a version without a run.
        f('run_id', { type: 'id' }, { nullable: true }),
        f('description', text(5000)),
      ],
    ),
    spec(
      'PATCH',
      '/model-versions/update',
      { name: s.model, version: 1, description: 'new' },
      [modelName, versionField, f('description', text(5000))],
    ),
    // Version 2 of fraud-model is staged, aliased and deployed by earlier
    // control bodies, which governance rightly refuses to delete.
    spec(
      'DELETE',
      '/model-versions/delete',
      { name: s.spareModels.versions, version: 2 },
      [modelName, versionField],
    ),
    ...(['registered-models', 'model-versions'] as const).map(kind =>
      spec(
        'POST',
        `/${kind}/search`,
        { filter: `name = '${s.model}'`, max_results: 10 },
        [
          // A filter the grammar cannot read: SQL, NUL, unknown words.
          f('filter', ENUM),
          f('max_results', {
            type: 'int',
            int64: true,
            min: 1,
            max: kind === 'registered-models' ? 1000 : 200_000,
          }),
          f('order_by', { type: 'list', item: 'name ASC' }),
          f('page_token', text(2000)),
        ],
      ),
    ),
    spec(
      'POST',
      '/registered-models/rename',
      { name: s.spareModels.mlflowRename, new_name: 'hostile-mlflow-renamed' },
      [modelName, f('new_name', NAME, { required: true })],
    ),
    spec(
      'DELETE',
      '/registered-models/delete',
      { name: s.spareModels.mlflowDelete },
      [modelName],
    ),
    spec(
      'POST',
      '/registered-models/set-tag',
      { name: s.model, key: 'hostile-tag', value: 'v' },
      [
        modelName,
        f('key', NAME, { required: true }),
        f('value', text(8000), { required: true }),
      ],
    ),
    spec(
      'DELETE',
      '/registered-models/delete-tag',
      { name: s.model, key: 'hostile-tag' },
      [modelName, f('key', NAME, { required: true })],
    ),
    spec(
      'POST',
      '/model-versions/set-tag',
      { name: s.model, version: 1, key: 'hostile-tag', value: 'v' },
      [
        modelName,
        versionField,
        f('key', NAME, { required: true }),
        f('value', text(8000), { required: true }),
      ],
    ),
    spec(
      'DELETE',
      '/model-versions/delete-tag',
      { name: s.model, version: 1, key: 'hostile-tag' },
      [modelName, versionField, f('key', NAME, { required: true })],
    ),
    spec(
      'POST',
      '/model-versions/transition-stage',
      {
        name: s.model,
        version: 2,
        stage: 'Staging',
        archive_existing_versions: false,
      },
      [
        modelName,
        versionField,
        f('stage', ENUM, { required: true }),
        f('archive_existing_versions', BOOL),
      ],
    ),
    // Artifacts capability (src/artifacts): the JSON routes. The proxy's
    // PUT/DELETE take file bytes, not JSON, and are attacked by path in
    // src/artifacts/router.test.ts.
    spec(
      'POST',
      '/runs/log-inputs',
      {
        run_id: s.runId,
        datasets: [
          {
            tags: [{ key: 'mlflow.data.context', value: 'training' }],
            dataset: {
              name: 'd',
              digest: 'abc',
              source_type: 'local',
              source: 'x',
            },
          },
        ],
      },
      [
        runRef,
        f('datasets', {
          type: 'list',
          max: 1000,
          item: {
            dataset: {
              name: 'd',
              digest: 'abc',
              source_type: 'local',
              source: 'x',
            },
          },
        }),
        f('datasets.0.dataset.name', experimentName, { required: true }),
        f('datasets.0.dataset.digest', text(36), { required: true }),
        f('datasets.0.dataset.source_type', text(36), { required: true }),
        f('datasets.0.tags.0.key', NAME, { required: true }),
      ],
    ),
    spec(
      'POST',
      '/runs/log-model',
      { run_id: s.runId, model_json: '{"artifact_path": "model"}' },
      [runRef, f('model_json', text(1024 * 1024), { required: true })],
    ),
    spec(
      'POST',
      '/runs/outputs',
      { run_id: s.runId, models: [{ model_id: s.loggedModelId, step: 0 }] },
      [runRef, f('models.0.model_id', { type: 'id' }, { required: true })],
    ),
    spec(
      'POST',
      '/logged-models',
      {
        experiment_id: s.experimentId,
        name: 'hostile-logged-model',
        tags: [{ key: 'a', value: 'b' }],
      },
      [
        expRef,
        f('name', experimentName),
        f('source_run_id', { type: 'id' }),
        f('tags.0.key', NAME, { required: true }),
      ],
    ),
    spec(
      'POST',
      '/logged-models/search',
      { experiment_ids: [s.experimentId], max_results: 10 },
      [
        f('experiment_ids', { type: 'list', max: 100, item: s.experimentId }),
        f('max_results', { type: 'int', min: 1, max: 1000 }),
        f('filter', text(2000)),
      ],
    ),
    ...(
      [
        'PATCH /logged-models/:modelId',
        'PATCH /logged-models/:modelId/tags',
        'POST /logged-models/:modelId/params',
      ] as const
    ).map(route => {
      const [method, path] = route.split(' ') as [RouteSpec['method'], string];
      const bodies: Record<string, Record<string, unknown>> = {
        tags: { tags: [{ key: 'a', value: 'b' }] },
        params: { params: [{ key: 'a', value: 'b' }] },
        ':modelId': { status: 'LOGGED_MODEL_READY' },
      };
      const body = bodies[path.split('/').pop()!];
      return {
        ...spec(method, path, body, [
          f(
            Object.keys(body)[0],
            { type: 'list', item: {} },
            { required: true },
          ),
        ]),
        params: { modelId: loggedModel },
      };
    }),
    // MLflow's multipart uploads (src/artifacts/MultipartUploads.ts): the
    // JSON routes. Each names a folder as the rest of its path and a local
    // file in its body. The part route's PUT takes file bytes and is
    // attacked in src/artifacts/multipart.test.ts.
    ...multipartSpecs(s),
    // The tag first: the valid control request of the other deletes the model.
    ...['/logged-models/:modelId/tags/:key', '/logged-models/:modelId'].map(
      path => ({
        method: 'DELETE' as const,
        path: `${MLFLOW}${path}`,
        mlflow: true,
        params: {
          modelId: loggedModel,
          ...(path.endsWith(':key')
            ? {
                key: {
                  kind: 'name' as ParamKind,
                  value: 'a',
                  mustExist: false,
                },
              }
            : {}),
        },
      }),
    ),
  ];
}

const PROXY = '/mlflow/api/2.0/mlflow-artifacts';

function multipartSpecs(s: Seeded): RouteSpec[] {
  const folder: ParamSpec = {
    kind: 'artifactPath',
    value: s.artifactFolder,
    mustExist: true,
    // An experiment id nobody has: its folder is refused with a 404.
    unknown: '987654321/r/artifacts',
  };
  const localFile = f(
    'path',
    { type: 'localFile', max: 4096 },
    { required: true },
  );
  const uploadId = f('upload_id', text(1024), { required: true });
  const part = { part_number: 1, etag: s.multipartUpload.etag };
  return [
    {
      method: 'POST',
      path: `${PROXY}/mpu/create/*`,
      mlflow: true,
      params: { '*': folder },
      body: { path: '/home/ds/hostile-new.bin', num_parts: 2 },
      fields: [
        localFile,
        f(
          'num_parts',
          { type: 'int', min: 1, max: 10_000, int64: true },
          { required: true },
        ),
      ],
    },
    {
      method: 'POST',
      path: `${PROXY}/mpu/complete/*`,
      mlflow: true,
      params: { '*': folder },
      body: {
        path: '/home/ds/hostile.bin',
        upload_id: s.multipartUpload.uploadId,
        parts: [part],
      },
      fields: [
        localFile,
        uploadId,
        f(
          'parts',
          { type: 'list', max: 10_000, item: part },
          { required: true },
        ),
        f(
          'parts.0.part_number',
          { type: 'int', min: 1, max: 10_000, int64: true },
          { required: true },
        ),
        f('parts.0.etag', text(1024), { required: true }),
      ],
    },
    {
      method: 'POST',
      path: `${PROXY}/mpu/abort/*`,
      mlflow: true,
      params: { '*': folder },
      body: {
        path: '/home/ds/hostile.bin',
        upload_id: s.multipartUpload.uploadId,
      },
      fields: [localFile, uploadId],
    },
  ];
}
