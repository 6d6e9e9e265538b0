import type {
  MlopsSourceHttpClient,
  MlopsSourceHttpRequest,
} from '@backstage-mlops/plugin-mlops-node';
import { z } from 'zod';
import {
  AirflowDagRun,
  AirflowTaskInstance,
  dagRunCollectionV1,
  dagRunCollectionV2,
  loginResponse,
  taskInstanceCollectionV1,
  taskInstanceCollectionV2,
  taskLogV1,
  taskLogV2,
} from './schemas';

/** How the module signs in to one Airflow instance. */
export type AirflowCredentials =
  | { kind: 'password'; username: string; password: string }
  | { kind: 'token'; token: string }
  | { kind: 'none' };

/** Where the JWT of one instance is kept between syncs. */
export interface AirflowTokenCache {
  token?: { value: string; renewAt: number };
}

/** A token is renewed this long before the expiry its JWT states. */
const TOKEN_RENEW_MARGIN_MS = 60_000;
/** Without an `exp` claim a token is renewed after this long. */
const TOKEN_DEFAULT_LIFETIME_MS = 10 * 60_000;

function isHttpStatus(error: unknown, status: number): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { status?: unknown }).status === status
  );
}

/** The expiry a JWT states in its `exp` claim, in epoch milliseconds. */
export function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) {
    return undefined;
  }
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    return typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Airflow's REST API as this module uses it: DAG runs and task instances of
 * many DAGs per call (the `~` batch endpoints) and the tail of a failed
 * task's log. Airflow 3 (`/api/v2`) signs in with a JWT from
 * `POST /auth/token`, renewed before it expires and once more when a call
 * is refused with 401; Airflow 2 (`/api/v1`) uses basic auth.
 */
export class AirflowApi {
  private readonly tokens: AirflowTokenCache;

  constructor(
    private readonly http: MlopsSourceHttpClient,
    private readonly options: {
      apiVersion: 1 | 2;
      credentials: AirflowCredentials;
      tokens?: AirflowTokenCache;
      now?: () => number;
    },
  ) {
    this.tokens = options.tokens ?? {};
  }

  private get now() {
    return this.options.now ?? Date.now;
  }

  /** One page of runs of the given DAGs due at or after `dueAfter`, oldest first. */
  async listDagRuns(request: {
    dagIds: string[];
    dueAfter: string;
    offset: number;
    limit: number;
  }): Promise<{ runs: AirflowDagRun[]; total: number }> {
    if (this.options.apiVersion === 2) {
      const page = await this.call(
        {
          method: 'POST',
          path: '/api/v2/dags/~/dagRuns/list',
          body: {
            dag_ids: request.dagIds,
            run_after_gte: request.dueAfter,
            order_by: 'run_after',
            page_limit: request.limit,
            page_offset: request.offset,
          },
        },
        dagRunCollectionV2,
      );
      return {
        total: page.total_entries,
        runs: page.dag_runs.map(run => ({
          dagId: run.dag_id,
          runId: run.dag_run_id,
          state: run.state,
          runType: run.run_type ?? undefined,
          dueAt: run.run_after,
          startDate: run.start_date ?? undefined,
          endDate: run.end_date ?? undefined,
        })),
      };
    }
    const page = await this.call(
      {
        method: 'POST',
        path: '/api/v1/dags/~/dagRuns/list',
        body: {
          dag_ids: request.dagIds,
          execution_date_gte: request.dueAfter,
          order_by: 'execution_date',
          page_limit: request.limit,
          page_offset: request.offset,
        },
      },
      dagRunCollectionV1,
    );
    return {
      total: page.total_entries,
      runs: page.dag_runs.flatMap(run =>
        run.dag_run_id
          ? [
              {
                dagId: run.dag_id,
                runId: run.dag_run_id,
                state: run.state,
                runType: run.run_type ?? undefined,
                dueAt: run.data_interval_end ?? run.execution_date ?? undefined,
                startDate: run.start_date ?? undefined,
                endDate: run.end_date ?? undefined,
              },
            ]
          : [],
      ),
    };
  }

  /**
   * One page of the task instances of the given runs. The batch endpoint
   * filters DAG ids and run ids separately, so callers keep only the pairs
   * they asked for. Airflow 2's batch endpoint has no paging and answers
   * everything at once.
   */
  async listTaskInstances(request: {
    dagIds: string[];
    runIds: string[];
    offset: number;
    limit: number;
  }): Promise<{ tasks: AirflowTaskInstance[]; total?: number }> {
    if (this.options.apiVersion === 2) {
      const page = await this.call(
        {
          method: 'POST',
          path: '/api/v2/dags/~/dagRuns/~/taskInstances/list',
          body: {
            dag_ids: request.dagIds,
            dag_run_ids: request.runIds,
            order_by: 'id',
            page_limit: request.limit,
            page_offset: request.offset,
          },
        },
        taskInstanceCollectionV2,
      );
      return {
        total: page.total_entries,
        tasks: page.task_instances.map(task => ({
          dagId: task.dag_id,
          runId: task.dag_run_id,
          taskId: task.task_id,
          mapIndex: task.map_index,
          state: task.state ?? undefined,
          tryNumber: task.try_number,
          maxTries: task.max_tries,
          startDate: task.start_date ?? undefined,
          endDate: task.end_date ?? undefined,
        })),
      };
    }
    const page = await this.call(
      {
        method: 'POST',
        path: '/api/v1/dags/~/dagRuns/~/taskInstances/list',
        body: { dag_ids: request.dagIds, dag_run_ids: request.runIds },
      },
      taskInstanceCollectionV1,
    );
    return {
      tasks: page.task_instances.map(task => ({
        dagId: task.dag_id,
        runId: task.dag_run_id,
        taskId: task.task_id,
        mapIndex: task.map_index ?? -1,
        state: task.state ?? undefined,
        tryNumber: task.try_number,
        maxTries: task.max_tries ?? undefined,
        startDate: task.start_date ?? undefined,
        endDate: task.end_date ?? undefined,
      })),
    };
  }

  /** The log of one try of a task, as text (v2's structured events joined). */
  async taskLog(task: AirflowTaskInstance): Promise<string> {
    const path = `/api/${
      this.options.apiVersion === 2 ? 'v2' : 'v1'
    }/dags/${encodeURIComponent(task.dagId)}/dagRuns/${encodeURIComponent(
      task.runId,
    )}/taskInstances/${encodeURIComponent(task.taskId)}/logs/${Math.max(
      0,
      task.tryNumber,
    )}`;
    const request: MlopsSourceHttpRequest = {
      path,
      query: { map_index: task.mapIndex },
      headers: { Accept: 'application/json' },
    };
    if (this.options.apiVersion === 2) {
      const log = await this.call(request, taskLogV2);
      return log.content
        .map(line => (typeof line === 'string' ? line : line.event))
        .join('\n');
    }
    return (await this.call(request, taskLogV1)).content;
  }

  private async call<T extends z.ZodTypeAny>(
    request: MlopsSourceHttpRequest,
    schema: T,
  ): Promise<z.infer<T>> {
    let answer: unknown;
    try {
      answer = await this.http.json({
        ...request,
        headers: { ...request.headers, ...(await this.authHeaders()) },
      });
    } catch (error) {
      if (
        !isHttpStatus(error, 401) ||
        this.options.credentials.kind !== 'password'
      ) {
        throw error;
      }
      // The token expired early or the server restarted with a new key.
      this.tokens.token = undefined;
      answer = await this.http.json({
        ...request,
        headers: { ...request.headers, ...(await this.authHeaders()) },
      });
    }
    const parsed = schema.safeParse(answer);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(
        `Airflow answered ${
          request.path
        } with an unexpected shape: ${issue.path.join('.')} ${issue.message}`,
      );
    }
    return parsed.data;
  }

  private async authHeaders(): Promise<Record<string, string>> {
    const credentials = this.options.credentials;
    if (credentials.kind === 'none') {
      return {};
    }
    if (credentials.kind === 'token') {
      return { Authorization: `Bearer ${credentials.token}` };
    }
    if (this.options.apiVersion === 1) {
      const basic = Buffer.from(
        `${credentials.username}:${credentials.password}`,
      ).toString('base64');
      return { Authorization: `Basic ${basic}` };
    }
    let token = this.tokens.token;
    if (!token || this.now() >= token.renewAt) {
      token = await this.signIn(credentials);
      this.tokens.token = token;
    }
    return { Authorization: `Bearer ${token.value}` };
  }

  private async signIn(credentials: {
    username: string;
    password: string;
  }): Promise<{ value: string; renewAt: number }> {
    let answer: unknown;
    try {
      answer = await this.http.json({
        method: 'POST',
        path: '/auth/token',
        body: {
          username: credentials.username,
          password: credentials.password,
        },
      });
    } catch (error) {
      if (isHttpStatus(error, 401) || isHttpStatus(error, 403)) {
        throw new Error(
          'Airflow refused the configured username and password at /auth/token',
        );
      }
      throw error;
    }
    const parsed = loginResponse.safeParse(answer);
    if (!parsed.success) {
      throw new Error('Airflow answered /auth/token without an access_token');
    }
    const value = parsed.data.access_token;
    const expiry = jwtExpiry(value);
    return {
      value,
      renewAt:
        expiry !== undefined
          ? expiry - TOKEN_RENEW_MARGIN_MS
          : this.now() + TOKEN_DEFAULT_LIFETIME_MS,
    };
  }
}
