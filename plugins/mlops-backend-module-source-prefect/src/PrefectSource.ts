import {
  readSourcePages,
  type MlopsSource,
  type MlopsSourceInstance,
  type MlopsSourceInstanceConfig,
  type MlopsSourcePipelineRun,
  type MlopsSourceSyncContext,
} from '@backstage-mlops/plugin-mlops-node';
import { readDurationFromConfig } from '@backstage/config';
import { Duration } from 'luxon';
import {
  ANNOTATION_MLOPS_PIPELINE,
  ANNOTATION_PREFECT_DEPLOYMENT,
  ANNOTATION_PREFECT_FLOW_NAME,
  ANNOTATION_PREFECT_INSTANCE,
} from './annotations';
import { isOpen, pipelineRunOf } from './mapping';
import { PrefectApi } from './PrefectApi';
import type {
  PrefectDeployment,
  PrefectFlow,
  PrefectFlowRun,
  PrefectTaskRun,
} from './schemas';

const DAY_MS = 24 * 3_600_000;
/** Flow runs whose task runs are asked for in one call. */
const FLOW_RUNS_PER_TASK_QUERY = 50;
/** Runs handed to the pipelines sink at once. */
const RUNS_PER_UPSERT = 200;

/** What one Prefect instance's block says beyond what the backend reads. */
export interface PrefectInstanceOptions {
  apiKey?: string;
  /** Items per page; Prefect's server caps it at its default limit, 200. */
  pageSize: number;
  initialLookbackMs: number;
}

/** Reads and checks an instance's own options; throws naming the problem. */
export function readPrefectInstanceOptions(
  instance: MlopsSourceInstanceConfig,
): PrefectInstanceOptions {
  const { config } = instance;
  const pageSize = config.getOptionalNumber('pageSize') ?? 200;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 200) {
    throw new Error(
      `mlops.sources.prefect ${instance.name}: pageSize must be a whole number from 1 to 200`,
    );
  }
  return {
    apiKey: config.getOptionalString('apiKey'),
    pageSize,
    initialLookbackMs: config.has('initialLookback')
      ? Duration.fromObject(
          readDurationFromConfig(config, { key: 'initialLookback' }),
        ).toMillis()
      : 7 * DAY_MS,
  };
}

/** One annotation value and the store pipelines it feeds. */
interface Binding {
  kind: 'deployment' | 'flow';
  /** `flow/deployment`, a bare deployment name, or a flow name. */
  value: string;
  pipelines: Set<string>;
}

const splitList = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);

/**
 * What the instance's entities ask for: deployments and flows, each with the
 * pipelines it feeds (the entity's `backstage-mlops.dev/pipeline`, else the
 * annotation value itself).
 */
export async function prefectBindings(
  context: MlopsSourceSyncContext,
  isDefaultInstance: boolean,
): Promise<Binding[]> {
  const entities = [
    ...(await context.entities.withAnnotation(ANNOTATION_PREFECT_DEPLOYMENT)),
    ...(await context.entities.withAnnotation(ANNOTATION_PREFECT_FLOW_NAME)),
  ];
  const byKey = new Map<string, Binding>();
  const seen = new Set<string>();
  for (const entity of entities) {
    if (seen.has(entity.entityRef)) continue;
    seen.add(entity.entityRef);
    const instance = entity.annotations[ANNOTATION_PREFECT_INSTANCE]?.trim();
    if (instance ? instance !== context.instance.name : !isDefaultInstance) {
      continue;
    }
    const named = splitList(entity.annotations[ANNOTATION_MLOPS_PIPELINE])[0];
    const wanted: Array<[Binding['kind'], string]> = [
      ...splitList(entity.annotations[ANNOTATION_PREFECT_DEPLOYMENT]).map(
        v => ['deployment', v] as [Binding['kind'], string],
      ),
      ...splitList(entity.annotations[ANNOTATION_PREFECT_FLOW_NAME]).map(
        v => ['flow', v] as [Binding['kind'], string],
      ),
    ];
    for (const [kind, value] of wanted) {
      const pipeline = named || value;
      if (
        context.scope?.pipelines &&
        !context.scope.pipelines.includes(pipeline)
      ) {
        continue;
      }
      const key = `${kind}:${value}`;
      const binding = byKey.get(key) ?? { kind, value, pipelines: new Set() };
      binding.pipelines.add(pipeline);
      byKey.set(key, binding);
    }
  }
  return [...byKey.values()];
}

/** `flow/deployment` or a bare deployment name, split. */
function deploymentParts(value: string): { flow?: string; name: string } {
  const slash = value.indexOf('/');
  return slash > 0
    ? { flow: value.slice(0, slash), name: value.slice(slash + 1) }
    : { name: value };
}

/**
 * One sync of one Prefect instance: resolves the annotated flows and
 * deployments to ids, reads their flow runs expected since each binding's
 * cursor (oldest first, every page), then their task runs, and writes them
 * through the pipelines sink. A binding's cursor stays at its oldest run
 * still open. Nothing is deleted, and cursors move only when the sync gets
 * to its end.
 */
export async function syncPrefect(
  context: MlopsSourceSyncContext,
  options: PrefectInstanceOptions & {
    api: PrefectApi;
    isDefaultInstance: boolean;
    now?: () => Date;
  },
): Promise<{ runs: number }> {
  const { api, pageSize } = options;
  const now = options.now?.() ?? new Date();
  const bindings = await prefectBindings(context, options.isDefaultInstance);
  if (bindings.length === 0) {
    return { runs: 0 };
  }
  const page = <T>(
    keyOf: (item: T) => string,
    read: (offset: number) => Promise<T[]>,
  ) =>
    readSourcePages<T>({
      source: 'Prefect',
      signal: context.signal,
      keyOf,
      limit: pageSize,
      page: async offset => ({ items: await read(offset) }),
    });

  const flowNames = [
    ...new Set(
      bindings.flatMap(b =>
        b.kind === 'flow'
          ? [b.value]
          : [deploymentParts(b.value).flow ?? []].flat(),
      ),
    ),
  ];
  const flows =
    flowNames.length > 0
      ? await page<PrefectFlow>(
          f => f.id,
          offset => api.flows(flowNames, offset, pageSize),
        )
      : [];
  const flowIdByName = new Map(flows.map(f => [f.name, f.id]));

  const deploymentBindings = bindings.filter(b => b.kind === 'deployment');
  const deploymentIdsOf = new Map<Binding, string[]>();
  if (deploymentBindings.length > 0) {
    const parts = deploymentBindings.map(b => deploymentParts(b.value));
    // A bare name may be a deployment of any flow; only when every value
    // names its flow can the flows narrow the query.
    const flowIds = parts.every(p => p.flow)
      ? [
          ...new Set(
            parts.flatMap(p => {
              const id = flowIdByName.get(p.flow!);
              return id ? [id] : [];
            }),
          ),
        ]
      : undefined;
    const deployments =
      flowIds && flowIds.length === 0
        ? []
        : await page<PrefectDeployment>(
            d => d.id,
            offset =>
              api.deployments(
                [...new Set(parts.map(p => p.name))],
                flowIds ?? [],
                offset,
                pageSize,
              ),
          );
    for (const binding of deploymentBindings) {
      const { flow, name } = deploymentParts(binding.value);
      const flowId = flow ? flowIdByName.get(flow) : undefined;
      deploymentIdsOf.set(
        binding,
        deployments
          .filter(d => d.name === name && (!flow || d.flow_id === flowId))
          .map(d => d.id),
      );
    }
  }

  const cursorOf = async (binding: Binding) =>
    (await context.cursors.get(`after:${binding.kind}:${binding.value}`)) ??
    new Date(now.getTime() - options.initialLookbackMs).toISOString();

  // Every flow run read, with the bindings it belongs to.
  const runs = new Map<
    string,
    { run: PrefectFlowRun; bindings: Set<Binding> }
  >();
  const add = (run: PrefectFlowRun, binding: Binding) => {
    const entry = runs.get(run.id) ?? { run, bindings: new Set<Binding>() };
    entry.bindings.add(binding);
    runs.set(run.id, entry);
  };
  const withDeployments = deploymentBindings.filter(
    b => (deploymentIdsOf.get(b) ?? []).length > 0,
  );
  if (withDeployments.length > 0) {
    const ids = [
      ...new Set(withDeployments.flatMap(b => deploymentIdsOf.get(b)!)),
    ];
    const after = (await Promise.all(withDeployments.map(cursorOf))).sort()[0];
    const found = await page<PrefectFlowRun>(
      r => r.id,
      offset => api.flowRuns({ deploymentIds: ids }, after, offset, pageSize),
    );
    for (const run of found) {
      for (const binding of withDeployments) {
        if (
          run.deployment_id &&
          deploymentIdsOf.get(binding)!.includes(run.deployment_id)
        ) {
          add(run, binding);
        }
      }
    }
  }
  const flowBindings = bindings.filter(
    b => b.kind === 'flow' && flowIdByName.has(b.value),
  );
  if (flowBindings.length > 0) {
    const ids = flowBindings.map(b => flowIdByName.get(b.value)!);
    const after = (await Promise.all(flowBindings.map(cursorOf))).sort()[0];
    const found = await page<PrefectFlowRun>(
      r => r.id,
      offset => api.flowRuns({ flowIds: ids }, after, offset, pageSize),
    );
    for (const run of found) {
      for (const binding of flowBindings) {
        if (run.flow_id === flowIdByName.get(binding.value)) {
          add(run, binding);
        }
      }
    }
  }

  const runIds = [...runs.keys()];
  const tasksByRun = new Map<string, PrefectTaskRun[]>();
  for (let i = 0; i < runIds.length; i += FLOW_RUNS_PER_TASK_QUERY) {
    const chunk = runIds.slice(i, i + FLOW_RUNS_PER_TASK_QUERY);
    const tasks = await page<PrefectTaskRun>(
      t => t.id,
      offset => api.taskRuns(chunk, offset, pageSize),
    );
    for (const task of tasks) {
      if (task.flow_run_id && runs.has(task.flow_run_id)) {
        tasksByRun.set(task.flow_run_id, [
          ...(tasksByRun.get(task.flow_run_id) ?? []),
          task,
        ]);
      }
    }
  }

  const pipelineRuns: MlopsSourcePipelineRun[] = [];
  // Oldest first, so the store's newest-first order follows Prefect's.
  const ordered = [...runs.values()].sort((a, b) =>
    (a.run.expected_start_time ?? '') < (b.run.expected_start_time ?? '')
      ? -1
      : 1,
  );
  for (const { run, bindings: of } of ordered) {
    const pipelines = new Set([...of].flatMap(b => [...b.pipelines]));
    for (const pipeline of pipelines) {
      pipelineRuns.push(
        pipelineRunOf(pipeline, run, tasksByRun.get(run.id) ?? []),
      );
    }
  }
  for (let i = 0; i < pipelineRuns.length; i += RUNS_PER_UPSERT) {
    await context.pipelines.upsertRuns(
      pipelineRuns.slice(i, i + RUNS_PER_UPSERT),
    );
  }

  for (const binding of bindings) {
    const mine = ordered
      .filter(e => e.bindings.has(binding) && e.run.expected_start_time)
      .map(e => e.run);
    if (mine.length === 0) continue;
    const open = mine.filter(isOpen);
    const next = open.length > 0 ? open[0] : mine[mine.length - 1];
    await context.cursors.set(
      `after:${binding.kind}:${binding.value}`,
      next.expected_start_time!,
    );
  }
  return { runs: pipelineRuns.length };
}

/**
 * The Prefect source: one instance per `mlops.sources.prefect` block. The
 * first block is the default for entities without a
 * `backstage-mlops.dev/prefect-instance` annotation.
 *
 * @public
 */
export function createPrefectSource(): MlopsSource {
  let created = 0;
  return {
    type: 'prefect',
    secretKeys: ['apiKey'],
    createInstance(instance): MlopsSourceInstance {
      const options = readPrefectInstanceOptions(instance);
      const isDefaultInstance = created++ === 0;
      return {
        async sync(context) {
          const { runs } = await syncPrefect(context, {
            ...options,
            api: new PrefectApi(context.http, options.apiKey),
            isDefaultInstance,
          });
          context.logger.debug(
            `Prefect ${instance.name}: ${runs} pipeline runs read`,
          );
        },
      };
    },
  };
}
