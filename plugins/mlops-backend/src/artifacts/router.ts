import {
  mlflowNameProblem,
  mlopsNameProblem,
  mlopsValueProblem,
} from '@backstage-mlops/plugin-mlops-common';
import { HttpAuthService, LoggerService } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { Readable } from 'node:stream';
import { z } from 'zod';
import {
  MlflowError,
  mlflowErrorHandler,
  parseLoggedModelFilter,
} from '../mlflow';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';
import { TrackingStore } from '../tracking';
import { ArtifactService } from './ArtifactService';
import { readLoggedModelFiles } from './loggedModelFiles';
import { enrichMlflowResponses } from './mlflowResponses';
import { LOGGED_MODEL_STATUSES, LoggedModel } from './LoggedModelStore';
import {
  MAX_PARTS,
  MultipartUploads,
  PART_SIGNATURE_HEADER,
  PartSignature,
} from './MultipartUploads';
import { joinArtifactPath, safeArtifactPath } from './paths';
import { ArtifactTooLargeError, withByteLimit } from './sizeLimit';

/** Options of the artifact routes. */
export interface ArtifactsRouterOptions {
  logger: LoggerService;
  httpAuth: HttpAuthService;
  tracking: TrackingStore;
  readAccess: MlopsObjectReadAccess;
  artifacts: ArtifactService;
  /** A registered model's version, for its download URI. */
  registry: {
    getVersion(
      name: string,
      version: number,
    ): Promise<{ artifactUri?: string }>;
  };
  multipart: MultipartUploads;
  /**
   * This plugin's external base URL (`backend.baseUrl` + `/api/mlops`),
   * which part URLs of the portal's own start with; without it, the
   * address the create request came to.
   */
  externalBaseUrl?: string;
}

/** Under the MLflow endpoint, as MLflow's own server lays its routes out. */
const MLFLOW_ROOT = '/mlflow/api/2.0';

const runId = z
  .string()
  .regex(/^[0-9a-f]{32}$/i, 'must be a 32-character hexadecimal run id');
const modelId = z
  .string()
  .regex(/^m-[0-9a-f]{32}$/, 'must be a logged model id (m-<32 hex digits>)');

/** MLflow sends int64 fields as numbers, protobuf's JSON as strings. */
const intLike = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^\d{1,9}$/, 'must be an integer')
    .transform(Number),
]);
const partNumber = intLike.pipe(z.number().int().min(1).max(MAX_PARTS));

const keyName = (what: string) =>
  z.string().superRefine((v, ctx) => {
    const problem = mlopsNameProblem(v);
    if (problem)
      ctx.addIssue({ code: 'custom', message: `${what} ${problem}` });
  });
const tagValue = z.string().superRefine((v, ctx) => {
  const problem = mlopsValueProblem('tag', v);
  if (problem)
    ctx.addIssue({ code: 'custom', message: `tag value ${problem}` });
});
const paramValue = z.string().superRefine((v, ctx) => {
  const problem = mlopsValueProblem('param', v);
  if (problem)
    ctx.addIssue({ code: 'custom', message: `param value ${problem}` });
});
/** MLflow's free-text names (datasets, logged models), up to `max`. */
const freeName = (what: string, max: number) =>
  z.string().superRefine((v, ctx) => {
    const problem = mlflowNameProblem(v, max);
    if (problem)
      ctx.addIssue({ code: 'custom', message: `${what} ${problem}` });
  });
/** Free text without NUL or control characters (PostgreSQL refuses NUL). */
const plainText = (max: number) =>
  z
    .string()
    .max(max)
    // eslint-disable-next-line no-control-regex
    .refine(v => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(v), {
      message: 'must not contain control characters',
    });

const keyValues = (value: z.ZodType<string>) =>
  z.array(z.object({ key: keyName('key'), value })).max(100);

function parse<T extends z.ZodTypeAny>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) {
    throw new InputError(
      result.error.issues
        .map(i =>
          i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message,
        )
        .join('; '),
    );
  }
  return result.data;
}

const record = (list?: Array<{ key: string; value: string }>) =>
  Object.fromEntries((list ?? []).map(t => [t.key, t.value]));
const keyValueList = (values: Record<string, string>) =>
  Object.entries(values).map(([key, value]) => ({ key, value }));

/** Types the portal previews; everything else is plain bytes. */
const PREVIEW_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  json: 'application/json',
  txt: 'text/plain; charset=utf-8',
  log: 'text/plain; charset=utf-8',
  md: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  yaml: 'text/yaml; charset=utf-8',
  yml: 'text/yaml; charset=utf-8',
  py: 'text/plain; charset=utf-8',
};

function previewType(name: string): string {
  if (name === 'MLmodel' || name === 'requirements.txt') {
    return 'text/yaml; charset=utf-8';
  }
  const extension = /\.([a-z0-9]+)$/i.exec(name)?.[1].toLowerCase() ?? '';
  return PREVIEW_TYPES[extension] ?? 'application/octet-stream';
}

/** A logged model in MLflow 3's JSON shape. */
export function mlflowLoggedModel(model: LoggedModel) {
  return {
    info: {
      model_id: model.id,
      experiment_id: model.experimentId,
      name: model.name,
      creation_timestamp_ms: model.createdAt,
      last_updated_timestamp_ms: model.updatedAt,
      artifact_uri: model.artifactUri,
      status: model.status,
      ...(model.modelType ? { model_type: model.modelType } : {}),
      ...(model.sourceRunId ? { source_run_id: model.sourceRunId } : {}),
      ...(model.statusMessage ? { status_message: model.statusMessage } : {}),
      tags: keyValueList(model.tags),
      registrations: [],
    },
    data: {
      params: keyValueList(model.params),
      metrics: model.metrics.map(m => ({
        key: m.key,
        value: m.value,
        timestamp: m.timestamp,
        step: m.step,
        model_id: model.id,
        run_id: m.runId,
        ...(m.datasetName ? { dataset_name: m.datasetName } : {}),
        ...(m.datasetDigest ? { dataset_digest: m.datasetDigest } : {}),
      })),
    },
  };
}

/**
 * MLflow's artifact proxy (`mlflow-artifacts`), the tracking API's
 * `artifacts/list`, MLflow 3's logged models, `runs/log-inputs` and
 * `runs/log-model`, all under the MLflow endpoint's tracking URI. Uploads
 * stream from the request into the store and downloads from the store into
 * the response; no file is held in memory.
 */
export function createArtifactsRouter(
  options: ArtifactsRouterOptions,
): express.Router {
  const { httpAuth, tracking, readAccess, artifacts } = options;
  const proxy = Router();
  const api = Router();

  async function caller(req: express.Request) {
    const { principal } = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    return principal.type === 'user' ? principal.userEntityRef : undefined;
  }

  /**
   * A proxied path under an experiment's default location starts with the
   * experiment id; that experiment must exist and be readable by the caller
   * (404 otherwise, as for every other read of it). Paths under a requested
   * `mlflow-artifacts:` location that names no experiment are open to any
   * signed-in caller, like the rest of MLflow's proxy.
   */
  async function requireExperimentOf(req: express.Request, path: string) {
    await caller(req);
    const first = path.split('/')[0];
    if (/^\d{1,18}$/.test(first)) {
      const scope = await readAccess.scopeOf(req);
      if (!(await tracking.findExperimentById(first, scope))) {
        throw new NotFoundError(`No experiment with id ${first}`);
      }
    }
  }

  function tooLarge(res: express.Response) {
    // The client may still be sending: answer, then close the connection.
    res.set('Connection', 'close');
    res.status(413).json({
      error_code: 'RESOURCE_LIMIT_EXCEEDED',
      message: `The artifact is larger than this server's limit of ${artifacts.maxFileBytes} bytes per file (mlops.artifacts.maxFileBytes)`,
    });
  }

  /** Streams an upload's body into `write`, answering 413 past the limit. */
  async function limitedUpload(
    req: express.Request,
    res: express.Response,
    write: (body: Readable, contentLength?: number) => Promise<unknown>,
  ): Promise<boolean> {
    const declared = req.headers['content-length'];
    const contentLength = declared === undefined ? undefined : Number(declared);
    if (contentLength !== undefined && contentLength > artifacts.maxFileBytes) {
      tooLarge(res);
      return false;
    }
    const body = withByteLimit(req, artifacts.maxFileBytes);
    try {
      await write(
        body,
        Number.isSafeInteger(contentLength) ? contentLength : undefined,
      );
    } catch (error) {
      if (error instanceof ArtifactTooLargeError) {
        req.unpipe();
        tooLarge(res);
        return false;
      }
      throw error;
    }
    return true;
  }

  // A part sent to a part URL this backend signed (filesystem store).
  // MLflow's client sends no credentials with it: the signature (in the
  // PART_SIGNATURE_HEADER header create answered, never in the URL, which
  // request logs write) is the authorisation, checked before a byte is
  // read. It is registered before the credentials check below for that
  // reason. A signature in the query is not looked at: 403.
  proxy.put('/mpu/part/*', async (req, res) => {
    const path = safeArtifactPath((req.params as Record<string, string>)[0]);
    const query = z
      .object({
        upload_id: z.string().min(1).max(1024),
        part_number: partNumber,
        expires: z
          .string()
          .regex(/^\d{1,12}$/)
          .transform(Number),
      })
      .safeParse(req.query);
    const signature = z
      .string()
      .min(1)
      .max(128)
      .safeParse(req.headers[PART_SIGNATURE_HEADER]);
    const part: PartSignature | undefined =
      query.success && signature.success
        ? {
            uploadId: query.data.upload_id,
            partNumber: query.data.part_number,
            expires: query.data.expires,
            signature: signature.data,
          }
        : undefined;
    if (!part || !options.multipart.verify(path, part)) {
      throw new MlflowError(
        'PERMISSION_DENIED',
        'This part URL was not signed by this server for this upload, or it has expired',
      );
    }
    let etag = '';
    const stored = await limitedUpload(req, res, async (body, length) => {
      ({ etag } = await options.multipart.uploadPart(path, part, body, length));
    });
    if (stored) {
      res.set('ETag', etag).status(200).end();
    }
  });

  // Credentials before anything else, so that an anonymous caller learns
  // nothing, not even whether its input was well-formed.
  const signedIn: express.RequestHandler = async (req, _res, next) => {
    await caller(req);
    next();
  };
  proxy.use(signedIn);
  api.use(
    [
      '/artifacts/list',
      '/runs/log-inputs',
      '/runs/outputs',
      '/runs/log-model',
      '/model-versions/get-download-uri',
      '/logged-models',
    ],
    signedIn,
  );

  // The artifact proxy -------------------------------------------------------

  proxy.get('/artifacts', async (req, res) => {
    const { path: raw } = parse(
      z.object({ path: z.string().optional() }),
      req.query,
    );
    const path = safeArtifactPath(raw ?? '', { allowRoot: true });
    if (path !== '') await requireExperimentOf(req, path);
    else await caller(req);
    const files = await artifacts.store.list(path);
    res.json({
      files: files.map(f => ({
        // MLflow's proxy answers names relative to the listed folder.
        path: f.path.slice(path === '' ? 0 : path.length + 1),
        is_dir: f.isDir,
        ...(f.isDir ? {} : { file_size: f.size }),
      })),
    });
  });

  proxy.get('/artifacts/*', async (req, res) => {
    const path = safeArtifactPath((req.params as Record<string, string>)[0]);
    await requireExperimentOf(req, path);
    const content = await artifacts.store.read(path);
    if (!content) {
      throw new NotFoundError(`No artifact at ${path}`);
    }
    const name = path.split('/').pop()!;
    res.set({
      // Served as bytes to download, never rendered by a browser.
      'Content-Type': 'application/octet-stream',
      'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(
        name,
      )}`,
      'X-Content-Type-Options': 'nosniff',
      ...(content.size !== undefined
        ? { 'Content-Length': String(content.size) }
        : {}),
    });
    content.stream.on('error', error => {
      options.logger.warn(`Artifact download of ${path} failed: ${error}`);
      res.destroy(error);
    });
    content.stream.pipe(res);
  });

  proxy.put('/artifacts/*', async (req, res) => {
    const path = safeArtifactPath((req.params as Record<string, string>)[0]);
    await requireExperimentOf(req, path);
    const stored = await limitedUpload(req, res, (body, contentLength) =>
      artifacts.store.write(path, body, {
        contentLength,
        contentType: req.headers['content-type'],
      }),
    );
    if (stored) {
      res.json({});
    }
  });

  proxy.delete('/artifacts/*', async (req, res) => {
    const path = safeArtifactPath((req.params as Record<string, string>)[0]);
    await requireExperimentOf(req, path);
    await artifacts.store.delete(path);
    res.json({});
  });

  // Multipart uploads (MLflow 2.17's proxy multipart). The URL names the
  // folder, the body's `path` the client's local file, whose name the
  // upload is stored under, as MLflow's server does.
  const mpuJson = express.json({ limit: 8 * 1024 * 1024 });
  const localFile = plainText(4096).pipe(z.string().min(1));
  const uploadId = plainText(1024).pipe(z.string().min(1));

  async function uploadTarget(req: express.Request, localPath: string) {
    const folder = safeArtifactPath((req.params as Record<string, string>)[0]);
    // A path ending in a separator names no file: refused below.
    const name = localPath.split(/[\\/]/).pop() ?? '';
    const path = safeArtifactPath(joinArtifactPath(folder, name));
    if (path === folder) {
      throw new InputError('path must name a file');
    }
    // The store's support first, as MLflow's server checks it: a client
    // falls back to one PUT only on that answer.
    options.multipart.checkSupported();
    await requireExperimentOf(req, path);
    return path;
  }

  proxy.post('/mpu/create/*', mpuJson, async (req, res) => {
    const body = parse(
      z.object({ path: localFile, num_parts: partNumber }),
      req.body,
    );
    const path = await uploadTarget(req, body.path);
    const base =
      options.externalBaseUrl !== undefined
        ? `${options.externalBaseUrl}${MLFLOW_ROOT}/mlflow-artifacts`
        : `${req.protocol}://${req.get('host')}${req.baseUrl}`;
    res.json(
      await options.multipart.create(path, body.num_parts, `${base}/mpu/part`),
    );
  });

  proxy.post('/mpu/complete/*', mpuJson, async (req, res) => {
    const body = parse(
      z.object({
        path: localFile,
        upload_id: uploadId,
        parts: z
          .array(
            z.object({
              part_number: partNumber,
              etag: plainText(1024),
              url: plainText(8192).optional(),
            }),
          )
          .min(1)
          .max(MAX_PARTS),
      }),
      req.body,
    );
    const path = await uploadTarget(req, body.path);
    try {
      await options.multipart.complete(
        path,
        body.upload_id,
        body.parts.map(p => ({ partNumber: p.part_number, etag: p.etag })),
      );
    } catch (error) {
      if (error instanceof ArtifactTooLargeError) {
        tooLarge(res);
        return;
      }
      throw error;
    }
    res.json({});
  });

  proxy.post('/mpu/abort/*', mpuJson, async (req, res) => {
    const body = parse(
      z.object({ path: localFile, upload_id: uploadId }),
      req.body,
    );
    const path = await uploadTarget(req, body.path);
    await options.multipart.abort(path, body.upload_id);
    res.json({});
  });

  // The tracking API's share --------------------------------------------------

  // MLflow's 1 MB per request; a dataset's schema alone may be up to 1 MB.
  const json = express.json({ limit: 1024 * 1024 });
  const datasetJson = express.json({ limit: 2 * 1024 * 1024 });

  api.get('/artifacts/list', async (req, res) => {
    const query = parse(
      z.object({
        run_id: runId.optional(),
        run_uuid: runId.optional(),
        path: z.string().optional(),
        page_token: z.string().optional(),
      }),
      req.query,
    );
    const id = query.run_id ?? query.run_uuid;
    if (!id) throw new InputError('run_id is required');
    await caller(req);
    await tracking.requireReadableRuns([id], await readAccess.scopeOf(req));
    const run = await tracking.getRun(id);
    const rootUri = await artifacts.locations.runUri(run.experimentId, run.id);
    const relative = safeArtifactPath(query.path ?? '', { allowRoot: true });
    const root = artifacts.storePathOf(rootUri);
    if (root === undefined) {
      // The client wrote these itself (a requested s3:// location, say);
      // the portal cannot see them.
      res.json({ root_uri: rootUri, files: [] });
      return;
    }
    const files = await artifacts.store.list(joinArtifactPath(root, relative));
    res.json({
      root_uri: rootUri,
      files: files.map(f => ({
        path: f.path.slice(root === '' ? 0 : root.length + 1),
        is_dir: f.isDir,
        ...(f.isDir ? {} : { file_size: f.size }),
      })),
    });
  });

  const datasetInput = z.object({
    tags: keyValues(tagValue).optional(),
    dataset: z.object({
      name: freeName('dataset name', 500),
      digest: plainText(36).pipe(z.string().min(1)),
      source_type: plainText(36).pipe(z.string().min(1)),
      source: plainText(65535),
      schema: plainText(1048575).optional(),
      profile: plainText(16384).optional(),
    }),
  });

  api.post('/runs/log-inputs', datasetJson, async (req, res) => {
    const body = parse(
      z.object({
        run_id: runId,
        datasets: z.array(datasetInput).max(1000).optional(),
        // MLflow 3 also links logged models as inputs, by id (any id, as
        // MLflow's server does): the run's inputs.model_inputs.
        models: z
          .array(z.object({ model_id: modelId }))
          .max(1000)
          .optional(),
      }),
      req.body,
    );
    await caller(req);
    const run = await tracking.getRun(body.run_id);
    await artifacts.datasets.logInputs(
      run.id,
      run.experimentId,
      (body.datasets ?? []).map(d => ({
        dataset: {
          name: d.dataset.name,
          digest: d.dataset.digest,
          sourceType: d.dataset.source_type,
          source: d.dataset.source,
          schema: d.dataset.schema,
          profile: d.dataset.profile,
        },
        tags: record(d.tags),
      })),
    );
    await artifacts.loggedModels.logRunInputs(
      run.id,
      (body.models ?? []).map(m => m.model_id),
    );
    res.json({});
  });

  // MLflow 3 links the logged models a run produced. A run's model outputs
  // are answered from the models' source_run_id (enrichMlflowResponses), so
  // this checks the request and keeps nothing else.
  api.post('/runs/outputs', json, async (req, res) => {
    const body = parse(
      z.object({
        run_id: runId,
        models: z
          .array(
            z.object({ model_id: modelId, step: z.number().int().optional() }),
          )
          .max(100),
      }),
      req.body,
    );
    await tracking.getRun(body.run_id);
    for (const model of body.models) {
      await artifacts.loggedModels.require(model.model_id);
    }
    res.json({});
  });

  api.post('/runs/log-model', json, async (req, res) => {
    const body = parse(
      z.object({ run_id: runId, model_json: z.string().min(2) }),
      req.body,
    );
    await caller(req);
    let model: unknown;
    try {
      model = JSON.parse(body.model_json);
    } catch {
      throw new InputError('model_json must be a JSON object');
    }
    if (!model || typeof model !== 'object' || Array.isArray(model)) {
      throw new InputError('model_json must be a JSON object');
    }
    const run = await tracking.getRun(body.run_id);
    await tracking.logBatch(run.id, {
      metrics: [],
      params: [],
      tags: [
        {
          key: 'mlflow.log-model.history',
          value: artifacts.appendModelHistory(
            run.tags['mlflow.log-model.history'],
            model,
          ),
        },
      ],
    });
    res.json({});
  });

  api.get('/model-versions/get-download-uri', async (req, res) => {
    const query = parse(
      z.object({
        name: z.string().min(1).max(500),
        version: z.string().regex(/^\d{1,9}$/, 'must be a version number'),
      }),
      req.query,
    );
    await caller(req);
    await readAccess.requireReadable(req, 'model', query.name);
    const version = await options.registry.getVersion(
      query.name,
      Number(query.version),
    );
    res.json({
      artifact_uri: await artifacts.downloadUriOf(version.artifactUri ?? ''),
    });
  });

  // MLflow 3's logged models ---------------------------------------------------

  api.post('/logged-models', json, async (req, res) => {
    const body = parse(
      z.object({
        experiment_id: z
          .string()
          .regex(/^\d{1,18}$/, 'must be an experiment id'),
        name: freeName('logged model name', 500).optional(),
        model_type: plainText(500).optional(),
        source_run_id: runId.optional(),
        params: keyValues(paramValue).optional(),
        tags: keyValues(tagValue).optional(),
      }),
      req.body,
    );
    const creator = await caller(req);
    const experiment = await artifacts.requireExperiment(body.experiment_id);
    const model = await artifacts.loggedModels.create({
      experimentId: experiment.id,
      name: body.name,
      modelType: body.model_type,
      sourceRunId: body.source_run_id,
      creator,
      tags: record(body.tags),
      params: record(body.params),
      experimentLocation: await artifacts.locations.experimentLocation(
        experiment.id,
      ),
    });
    res.json({ model: mlflowLoggedModel(model) });
  });

  api.post('/logged-models/search', json, async (req, res) => {
    const body = parse(
      z.object({
        experiment_ids: z.array(z.string().min(1)).min(1).max(100),
        filter: plainText(2000).optional(),
        max_results: z.number().int().min(1).max(1000).optional(),
        order_by: z
          .array(
            z.object({
              field_name: z.enum([
                'creation_timestamp',
                'last_updated_timestamp',
                'name',
              ]),
              ascending: z.boolean().optional(),
            }),
          )
          .max(5)
          .optional(),
        page_token: z
          .string()
          .regex(/^\d{1,9}$/, 'is not a page token')
          .optional(),
      }),
      req.body,
    );
    await caller(req);
    const scope = await readAccess.scopeOf(req);
    const readable: string[] = [];
    for (const id of body.experiment_ids) {
      if (await tracking.findExperimentById(id, scope)) readable.push(id);
    }
    const page = await artifacts.loggedModels.search({
      experimentIds: readable,
      clauses: parseLoggedModelFilter(body.filter),
      orderBy: (body.order_by ?? []).map(o => ({
        field: o.field_name,
        ascending: o.ascending ?? true,
      })),
      pageSize: body.max_results ?? 50,
      offset: body.page_token ? Number(body.page_token) : 0,
    });
    res.json({
      models: page.models.map(mlflowLoggedModel),
      ...(page.nextOffset !== undefined
        ? { next_page_token: String(page.nextOffset) }
        : {}),
    });
  });

  async function readableModel(req: express.Request, id: string) {
    await caller(req);
    const model = await artifacts.loggedModels.require(parse(modelId, id));
    const scope = await readAccess.scopeOf(req);
    if (!(await tracking.findExperimentById(model.experimentId, scope))) {
      throw new NotFoundError(`No logged model with id ${id}`);
    }
    return model;
  }

  api.get('/logged-models/:modelId', async (req, res) => {
    res.json({
      model: mlflowLoggedModel(await readableModel(req, req.params.modelId)),
    });
  });

  api.patch('/logged-models/:modelId', json, async (req, res) => {
    const { status } = parse(
      z.object({
        // protobuf JSON sends enums by name, some clients by number.
        status: z.union([
          z.enum(LOGGED_MODEL_STATUSES),
          z
            .number()
            .int()
            .min(0)
            .max(3)
            .transform(n => LOGGED_MODEL_STATUSES[n]),
        ]),
      }),
      req.body,
    );
    const model = await readableModel(req, req.params.modelId);
    res.json({
      model: mlflowLoggedModel(
        await artifacts.loggedModels.finalize(model.id, status),
      ),
    });
  });

  // DELETE bodies are parsed too, so a malformed one is refused like on
  // every other route rather than ignored.
  api.delete('/logged-models/:modelId', json, async (req, res) => {
    const model = await readableModel(req, req.params.modelId);
    await artifacts.loggedModels.delete(model.id);
    res.json({});
  });

  api.patch('/logged-models/:modelId/tags', json, async (req, res) => {
    const { tags } = parse(z.object({ tags: keyValues(tagValue) }), req.body);
    const model = await readableModel(req, req.params.modelId);
    res.json({
      model: mlflowLoggedModel(
        await artifacts.loggedModels.merge(model.id, 'tags', current => ({
          ...current,
          ...record(tags),
        })),
      ),
    });
  });

  api.delete('/logged-models/:modelId/tags/:key', json, async (req, res) => {
    const model = await readableModel(req, req.params.modelId);
    const key = parse(keyName('tag key'), req.params.key);
    await artifacts.loggedModels.merge(model.id, 'tags', current => {
      const { [key]: _removed, ...rest } = current;
      return rest;
    });
    res.json({});
  });

  api.post('/logged-models/:modelId/params', json, async (req, res) => {
    const { params } = parse(
      z.object({ params: keyValues(paramValue) }),
      req.body,
    );
    const model = await readableModel(req, req.params.modelId);
    await artifacts.loggedModels.merge(model.id, 'params', current => ({
      ...record(params),
      // Params are written once, as a run's are: the first value stays.
      ...current,
    }));
    res.json({});
  });

  api.get('/logged-models/:modelId/artifacts/directories', async (req, res) => {
    const model = await readableModel(req, req.params.modelId);
    const relative = safeArtifactPath(
      String(req.query.artifact_directory_path ?? ''),
      { allowRoot: true },
    );
    const root = artifacts.storePathOf(model.artifactUri);
    const files =
      root === undefined
        ? []
        : await artifacts.store.list(joinArtifactPath(root, relative));
    res.json({
      root_uri: model.artifactUri,
      files: files.map(f => ({
        path: f.path.slice(root ? root.length + 1 : 0),
        is_dir: f.isDir,
        ...(f.isDir ? {} : { file_size: f.size }),
      })),
    });
  });

  // The portal's own view of a run's artifacts (Backstage's error shape) --

  const portal = Router();

  async function readableRun(req: express.Request) {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const id = parse(runId, req.params.runId);
    await tracking.requireReadableRuns([id], await readAccess.scopeOf(req));
    const run = await tracking.getRun(id);
    const rootUri = await artifacts.locations.runUri(run.experimentId, run.id);
    return { run, rootUri, root: artifacts.storePathOf(rootUri) };
  }

  portal.get('/runs/:runId/artifacts', async (req, res) => {
    const { rootUri, root } = await readableRun(req);
    const relative = safeArtifactPath(String(req.query.path ?? ''), {
      allowRoot: true,
    });
    const files =
      root === undefined
        ? []
        : await artifacts.store.list(joinArtifactPath(root, relative));
    res.json({
      rootUri,
      // False when the client wrote the files elsewhere itself (s3://…).
      stored: root !== undefined,
      files: files.map(f => ({
        path: f.path.slice(root ? root.length + 1 : 0),
        isDir: f.isDir,
        ...(f.isDir ? {} : { size: f.size }),
      })),
    });
  });

  portal.get('/runs/:runId/artifacts/content', async (req, res) => {
    const { root } = await readableRun(req);
    const relative = safeArtifactPath(String(req.query.path ?? ''));
    const content =
      root === undefined
        ? undefined
        : await artifacts.store.read(joinArtifactPath(root, relative));
    if (!content) {
      throw new NotFoundError(`No artifact at ${relative}`);
    }
    const name = relative.split('/').pop()!;
    res.set({
      'Content-Type': previewType(name),
      // Never rendered as a page of the portal's origin: the frontend reads
      // it through fetch and shows text or an <img> of its own.
      'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(
        name,
      )}`,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'",
      ...(content.size !== undefined
        ? { 'Content-Length': String(content.size) }
        : {}),
    });
    content.stream.on('error', error => res.destroy(error));
    content.stream.pipe(res);
  });

  portal.get(
    '/models/:name/versions/:version/logged-model',
    async (req, res) => {
      await httpAuth.credentials(req, { allow: ['user', 'service'] });
      const { name, version } = parse(
        z.object({
          name: z.string().min(1).max(500),
          version: z.string().regex(/^\d{1,9}$/, 'must be a version number'),
        }),
        req.params,
      );
      await readAccess.requireReadable(req, 'model', name);
      const stored = await options.registry.getVersion(name, Number(version));
      const uri = await artifacts
        .downloadUriOf(stored.artifactUri ?? '')
        .catch(() => stored.artifactUri ?? '');
      const modelPath = uri ? artifacts.storePathOf(uri) : undefined;
      const files =
        modelPath === undefined
          ? undefined
          : await readLoggedModelFiles(artifacts.store, modelPath);
      res.json({
        artifactUri: uri,
        // False when the files are outside the portal (s3://… written by the client).
        stored: modelPath !== undefined,
        found: files !== undefined,
        ...files,
      });
    },
  );

  portal.get('/runs/:runId/inputs', async (req, res) => {
    const { run } = await readableRun(req);
    const inputs = await artifacts.inputsOf([run.id]);
    res.json({ datasets: inputs.get(run.id) ?? [] });
  });

  const errors = mlflowErrorHandler(options.logger);
  const router = Router();
  router.use(portal);
  router.use(`${MLFLOW_ROOT}/mlflow-artifacts`, proxy, errors);
  for (const base of [
    `${MLFLOW_ROOT}/mlflow`,
    `${MLFLOW_ROOT}/preview/mlflow`,
  ]) {
    router.use(base, enrichMlflowResponses(artifacts), api, errors);
  }
  return router;
}
