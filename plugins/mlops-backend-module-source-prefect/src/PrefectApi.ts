import type {
  MlopsSourceHttpClient,
  MlopsSourceHttpRequest,
} from '@backstage-mlops/plugin-mlops-node';
import { z } from 'zod';
import {
  deployment,
  flow,
  flowRun,
  PrefectFlowRun,
  PrefectTaskRun,
  SORTS,
  taskRun,
} from './schemas';

/**
 * Prefect 3's REST API as this module uses it: the `/filter` endpoints of
 * flows, deployments, flow runs and task runs, with offset paging. Paths are
 * relative to the instance's `baseUrl`, which includes Prefect's `/api`
 * prefix (Prefect Cloud: `/api/accounts/<id>/workspaces/<id>`). An API key
 * is sent as a bearer token.
 */
export class PrefectApi {
  constructor(
    private readonly http: MlopsSourceHttpClient,
    private readonly apiKey?: string,
  ) {}

  flows(names: string[], offset: number, limit: number) {
    return this.call(
      '/flows/filter',
      { flows: { name: { any_: names } }, limit, offset },
      z.array(flow),
    );
  }

  deployments(
    names: string[],
    flowIds: string[],
    offset: number,
    limit: number,
  ) {
    return this.call(
      '/deployments/filter',
      {
        deployments: { name: { any_: names } },
        flows: { id: { any_: flowIds } },
        limit,
        offset,
      },
      z.array(deployment),
    );
  }

  /** Runs expected to start at or after `after`, of the given deployments or flows. */
  flowRuns(
    filter: { deploymentIds: string[] } | { flowIds: string[] },
    after: string,
    offset: number,
    limit: number,
  ): Promise<PrefectFlowRun[]> {
    return this.call(
      '/flow_runs/filter',
      {
        flow_runs: {
          expected_start_time: { after_: after },
          ...('deploymentIds' in filter
            ? { deployment_id: { any_: filter.deploymentIds } }
            : {}),
        },
        ...('flowIds' in filter
          ? { flows: { id: { any_: filter.flowIds } } }
          : {}),
        sort: SORTS.FlowRunSort,
        limit,
        offset,
      },
      z.array(flowRun),
    );
  }

  taskRuns(
    flowRunIds: string[],
    offset: number,
    limit: number,
  ): Promise<PrefectTaskRun[]> {
    return this.call(
      '/task_runs/filter',
      {
        task_runs: { flow_run_id: { any_: flowRunIds } },
        sort: SORTS.TaskRunSort,
        limit,
        offset,
      },
      z.array(taskRun),
    );
  }

  private async call<T extends z.ZodTypeAny>(
    path: string,
    body: unknown,
    schema: T,
  ): Promise<z.infer<T>> {
    const request: MlopsSourceHttpRequest = {
      method: 'POST',
      path,
      body,
      headers: this.apiKey ? { Authorization: `Bearer ${this.apiKey}` } : {},
    };
    let answer: unknown;
    try {
      answer = await this.http.json(request);
    } catch (error) {
      const status = (error as { status?: unknown })?.status;
      if (status === 401 || status === 403) {
        throw Object.assign(
          new Error(
            `Prefect refused the configured API key (${status}) at ${path}`,
          ),
          { status },
        );
      }
      throw error;
    }
    const parsed = schema.safeParse(answer);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(
        `Prefect answered ${path} with an unexpected shape: ${issue.path.join(
          '.',
        )} ${issue.message}`,
      );
    }
    return parsed.data;
  }
}
