import {
  readSourcePages,
  type MlopsSource,
  MlopsSourceInstance,
  MlopsSourceInstanceConfig,
  MlopsSourcePipelineRun,
  MlopsSourceSyncContext,
} from '@backstage-mlops/plugin-mlops-node';
import { readDurationFromConfig } from '@backstage/config';
import { Duration } from 'luxon';
import {
  AirflowApi,
  AirflowCredentials,
  AirflowTokenCache,
} from './AirflowApi';
import {
  ANNOTATION_AIRFLOW_DAG_ID,
  ANNOTATION_AIRFLOW_INSTANCE,
  ANNOTATION_MLOPS_PIPELINE,
} from './annotations';
import { pipelineRunOf, stagesOf } from './mapping';
import type { AirflowDagRun, AirflowTaskInstance } from './schemas';

const DAY_MS = 24 * 3_600_000;

/** Runs whose task instances are asked for in one batch call. */
const RUNS_PER_TASK_BATCH = 50;
/** Characters of a failed task's log kept as its failure message. */
const LOG_TAIL_CHARS = 4_000;
/** Runs handed to the pipelines sink at once. */
const RUNS_PER_UPSERT = 200;

/** What one Airflow instance's block says beyond what the backend reads. */
export interface AirflowInstanceOptions {
  apiVersion: 1 | 2;
  credentials: AirflowCredentials;
  /** Items per page of the batch listings. */
  pageSize: number;
  /** How far back the first sync of a DAG reads. */
  initialLookbackMs: number;
  /** Failed tasks whose log tail one sync reads at most. */
  maxLogReads: number;
}

/** Reads and checks an instance's own options; throws naming the problem. */
export function readAirflowInstanceOptions(
  instance: MlopsSourceInstanceConfig,
): AirflowInstanceOptions {
  const { config } = instance;
  const apiVersion = config.getOptionalNumber('apiVersion') ?? 2;
  if (apiVersion !== 1 && apiVersion !== 2) {
    throw new Error(
      `mlops.sources.airflow ${instance.name}: apiVersion must be 1 (Airflow 2) or 2 (Airflow 3), not ${apiVersion}`,
    );
  }
  const username = config.getOptionalString('username');
  const password = config.getOptionalString('password');
  const token = config.getOptionalString('token');
  if ((username === undefined) !== (password === undefined)) {
    throw new Error(
      `mlops.sources.airflow ${instance.name}: username and password go together`,
    );
  }
  if (token !== undefined && username !== undefined) {
    throw new Error(
      `mlops.sources.airflow ${instance.name}: give either token or username and password`,
    );
  }
  if (token !== undefined && apiVersion === 1) {
    throw new Error(
      `mlops.sources.airflow ${instance.name}: Airflow 2 (apiVersion 1) signs in with username and password`,
    );
  }
  let credentials: AirflowCredentials = { kind: 'none' };
  if (token !== undefined) {
    credentials = { kind: 'token', token };
  } else if (username !== undefined && password !== undefined) {
    credentials = { kind: 'password', username, password };
  }
  const pageSize = config.getOptionalNumber('pageSize') ?? 100;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    throw new Error(
      `mlops.sources.airflow ${instance.name}: pageSize must be a whole number from 1 to 1000`,
    );
  }
  const maxLogReads = config.getOptionalNumber('maxLogReads') ?? 20;
  const initialLookbackMs = config.has('initialLookback')
    ? durationMs(config, 'initialLookback')
    : 7 * DAY_MS;
  return {
    apiVersion,
    credentials,
    pageSize,
    initialLookbackMs,
    maxLogReads: Math.max(0, Math.floor(maxLogReads)),
  };
}

function durationMs(
  config: MlopsSourceInstanceConfig['config'],
  key: string,
): number {
  return Duration.fromObject(
    readDurationFromConfig(config, { key }),
  ).toMillis();
}

/**
 * The store pipelines each annotated DAG feeds: an entity's
 * `backstage-mlops.dev/pipeline` names it, otherwise the DAG id does.
 */
export async function dagBindings(
  context: MlopsSourceSyncContext,
  isDefaultInstance: boolean,
): Promise<Map<string, Set<string>>> {
  const entities = await context.entities.withAnnotation(
    ANNOTATION_AIRFLOW_DAG_ID,
  );
  const bindings = new Map<string, Set<string>>();
  for (const entity of entities) {
    const instance = entity.annotations[ANNOTATION_AIRFLOW_INSTANCE]?.trim();
    if (instance ? instance !== context.instance.name : !isDefaultInstance) {
      continue;
    }
    const named =
      entity.annotations[ANNOTATION_MLOPS_PIPELINE]?.split(',')[0]?.trim();
    for (const dagId of entity.annotations[ANNOTATION_AIRFLOW_DAG_ID].split(',')
      .map(s => s.trim())
      .filter(Boolean)) {
      const pipeline = named || dagId;
      if (
        context.scope?.pipelines &&
        !context.scope.pipelines.includes(pipeline)
      ) {
        continue;
      }
      const set = bindings.get(dagId) ?? new Set<string>();
      set.add(pipeline);
      bindings.set(dagId, set);
    }
  }
  return bindings;
}

function checkAborted(signal: AbortSignal) {
  if (signal.aborted) {
    throw new Error('Airflow sync stopped: its time ran out');
  }
}

const runKey = (dagId: string, runId: string) => `${dagId}\u0000${runId}`;

/**
 * One sync of one Airflow instance: the runs of every annotated DAG due
 * since its cursor (all DAGs in one batch listing), their task instances,
 * and the log tail of failed tasks, written through the pipelines sink.
 * Each DAG's cursor stays at its oldest run still open, so a run is read
 * again until it finishes; the sink only upserts, so an error or an empty
 * answer never removes a stored run.
 */
export async function syncAirflow(
  context: MlopsSourceSyncContext,
  options: AirflowInstanceOptions & {
    api: AirflowApi;
    isDefaultInstance: boolean;
    now?: () => Date;
  },
): Promise<{ runs: number }> {
  const now = options.now?.() ?? new Date();
  const bindings = await dagBindings(context, options.isDefaultInstance);
  if (bindings.size === 0) {
    return { runs: 0 };
  }
  const dagIds = [...bindings.keys()].sort();
  const cursors = new Map<string, string>();
  for (const dagId of dagIds) {
    cursors.set(
      dagId,
      (await context.cursors.get(`dueAfter:${dagId}`)) ??
        new Date(now.getTime() - options.initialLookbackMs).toISOString(),
    );
  }
  const dueAfter = [...cursors.values()].sort()[0];

  const runs = await readSourcePages<AirflowDagRun>({
    source: 'Airflow',
    signal: context.signal,
    keyOf: run => runKey(run.dagId, run.runId),
    page: async offset => {
      const page = await options.api.listDagRuns({
        dagIds,
        dueAfter,
        offset,
        limit: options.pageSize,
      });
      return { items: page.runs, total: page.total };
    },
  });
  const wanted = runs.filter(run => bindings.has(run.dagId));

  const tasksByRun = new Map<string, AirflowTaskInstance[]>();
  for (let i = 0; i < wanted.length; i += RUNS_PER_TASK_BATCH) {
    const chunk = wanted.slice(i, i + RUNS_PER_TASK_BATCH);
    const keys = new Set(chunk.map(run => runKey(run.dagId, run.runId)));
    const tasks = await readSourcePages<AirflowTaskInstance>({
      source: 'Airflow',
      signal: context.signal,
      keyOf: task =>
        `${runKey(task.dagId, task.runId)}\u0000${task.taskId}\u0000${
          task.mapIndex
        }`,
      page: async offset => {
        const page = await options.api.listTaskInstances({
          dagIds: [...new Set(chunk.map(run => run.dagId))],
          runIds: [...new Set(chunk.map(run => run.runId))],
          offset,
          limit: options.pageSize,
        });
        return { items: page.tasks, total: page.total };
      },
    });
    for (const task of tasks) {
      const key = runKey(task.dagId, task.runId);
      if (keys.has(key)) {
        tasksByRun.set(key, [...(tasksByRun.get(key) ?? []), task]);
      }
    }
  }

  // The reason a task failed (OOMKilled, CUDA out of memory…) is only in its
  // log; the newest failures are read first, up to the configured number.
  const failureMessages = new Map<AirflowTaskInstance, string>();
  const failedTasks = [...wanted]
    .reverse()
    .flatMap(run => tasksByRun.get(runKey(run.dagId, run.runId)) ?? [])
    .filter(task => task.state === 'failed');
  for (const [index, task] of failedTasks.entries()) {
    const summary = `Task ${task.taskId}${
      task.mapIndex >= 0 ? `[${task.mapIndex}]` : ''
    } failed on try ${task.tryNumber}`;
    if (index >= options.maxLogReads) {
      failureMessages.set(task, summary);
      continue;
    }
    checkAborted(context.signal);
    try {
      const log = (await options.api.taskLog(task)).trim();
      failureMessages.set(
        task,
        log ? `${summary}:\n${log.slice(-LOG_TAIL_CHARS)}` : summary,
      );
    } catch (error) {
      // A missing log must not hide the failure itself.
      context.logger.debug(
        `Could not read the log of ${task.dagId}/${task.runId}/${task.taskId}: ${error}`,
      );
      failureMessages.set(task, summary);
    }
  }

  const pipelineRuns: MlopsSourcePipelineRun[] = [];
  for (const run of wanted) {
    const stages = stagesOf(
      tasksByRun.get(runKey(run.dagId, run.runId)) ?? [],
      failureMessages,
    );
    for (const pipeline of bindings.get(run.dagId)!) {
      pipelineRuns.push(pipelineRunOf(pipeline, run, stages));
    }
  }
  for (let i = 0; i < pipelineRuns.length; i += RUNS_PER_UPSERT) {
    checkAborted(context.signal);
    await context.pipelines.upsertRuns(
      pipelineRuns.slice(i, i + RUNS_PER_UPSERT),
    );
  }

  for (const dagId of dagIds) {
    const ofDag = wanted.filter(run => run.dagId === dagId && run.dueAt);
    if (ofDag.length === 0) {
      continue;
    }
    const open = ofDag.filter(
      run => run.state === 'queued' || run.state === 'running',
    );
    const next = (open.length > 0 ? open : ofDag).map(run => run.dueAt!).sort()[
      open.length > 0 ? 0 : ofDag.length - 1
    ];
    await context.cursors.set(`dueAfter:${dagId}`, next);
  }
  return { runs: pipelineRuns.length };
}

/**
 * The Airflow source: one instance per `mlops.sources.airflow` block. The
 * first block is the default for entities without an
 * `backstage-mlops.dev/airflow-instance` annotation.
 *
 * @public
 */
export function createAirflowSource(): MlopsSource {
  let created = 0;
  return {
    type: 'airflow',
    secretKeys: ['password', 'token'],
    createInstance(instance): MlopsSourceInstance {
      const options = readAirflowInstanceOptions(instance);
      const isDefaultInstance = created++ === 0;
      // Kept between syncs, so a JWT is reused until it is about to expire.
      const tokens: AirflowTokenCache = {};
      return {
        async sync(context) {
          const api = new AirflowApi(context.http, { ...options, tokens });
          const { runs } = await syncAirflow(context, {
            ...options,
            api,
            isDefaultInstance,
          });
          context.logger.debug(
            `Airflow ${instance.name}: ${runs} pipeline runs read`,
          );
        },
      };
    },
  };
}
