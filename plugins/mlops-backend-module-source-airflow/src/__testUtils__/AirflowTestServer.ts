import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { requestSchemaName, specProperties } from './specFragments';

/*
 * A stand-in for an Airflow webserver, built from the request and response
 * shapes of Airflow's published OpenAPI specs (the fragments in
 * `__fixtures__`): there is no Airflow install on these machines. It keeps
 * DAG runs and task instances in memory, signs JWTs for `POST /auth/token`
 * (v2) or checks basic auth (v1), answers the batch listings with offset
 * paging, refuses body fields its spec does not declare (Airflow's bodies
 * forbid extra fields), and can be told to fail, stall, ignore the offset or
 * vanish.
 */

/** A DAG run the server holds (timestamps as ISO strings). */
export interface TestDagRun {
  dagId: string;
  runId: string;
  state: 'queued' | 'running' | 'success' | 'failed';
  runType?: 'scheduled' | 'manual' | 'backfill';
  runAfter: string;
  startDate?: string;
  endDate?: string;
}

/** A task instance the server holds, with its log lines. */
export interface TestTaskInstance {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex?: number;
  state: string | null;
  tryNumber?: number;
  startDate?: string;
  endDate?: string;
  log?: string[];
}

export interface AirflowTestServerOptions {
  apiVersion: 1 | 2;
  username: string;
  password: string;
  /** Lifetime of the JWTs the v2 server issues, in seconds. */
  tokenLifetimeSeconds?: number;
  /** The clock tokens are issued and checked by. */
  now?: () => number;
  port?: number;
}

type Fault = { match: RegExp; status: number; times: number };

export class AirflowTestServer {
  readonly runs: TestDagRun[] = [];
  readonly tasks: TestTaskInstance[] = [];
  /** Method and path of every request, in order. */
  readonly requests: Array<{ method: string; path: string; body?: any }> = [];
  tokensIssued = 0;
  /** Delay before every answer, to test timeouts. */
  delayMs = 0;
  /** Answers every page as if the offset were 0 (a broken server). */
  ignoreOffset = false;
  private faults: Fault[] = [];
  private vanishAfter?: { match: RegExp; remaining: number };
  private readonly secret = randomUUID();
  private readonly server: http.Server;
  private readonly sockets = new Set<import('node:net').Socket>();
  private readonly tokenLifetimeSeconds: number;
  private readonly now: () => number;

  private constructor(private readonly options: AirflowTestServerOptions) {
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3600;
    this.now = options.now ?? Date.now;
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch(error => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ detail: String(error) }));
      });
    });
    this.server.on('connection', socket => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(options: AirflowTestServerOptions) {
    const server = new AirflowTestServer(options);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return server;
  }

  get baseUrl(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** The next `times` requests whose path matches answer `status`. */
  fail(match: RegExp, status: number, times = 1) {
    this.faults.push({ match, status, times });
  }

  /** After `requests` more requests matching `match`, the server is gone. */
  vanishAfterRequests(match: RegExp, requests: number) {
    this.vanishAfter = { match, remaining: requests };
  }

  /** Makes every token issued so far expire now. */
  expireTokens() {
    this.validFromToken = this.tokensIssued + 1;
  }

  async stop() {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  private sign(payload: object): string {
    const head = Buffer.from(
      JSON.stringify({ alg: 'HS256', typ: 'JWT' }),
    ).toString('base64url');
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    const sig = createHmac('sha256', this.secret)
      .update(`${head}.${body}`)
      .digest('base64url');
    return `${head}.${body}.${sig}`;
  }

  private tokenValid(token: string): boolean {
    const [head, body, sig] = token.split('.');
    if (!head || !body || !sig) return false;
    const expected = createHmac('sha256', this.secret)
      .update(`${head}.${body}`)
      .digest('base64url');
    if (expected !== sig) return false;
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    return claims.exp * 1000 > this.now() && claims.n >= this.validFromToken;
  }

  /** Tokens numbered below this one are refused as expired. */
  private validFromToken = 0;

  private authorized(req: http.IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    if (this.options.apiVersion === 1) {
      const expected = Buffer.from(
        `${this.options.username}:${this.options.password}`,
      ).toString('base64');
      return header === `Basic ${expected}`;
    }
    return header.startsWith('Bearer ') && this.tokenValid(header.slice(7));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString();
    const body = raw ? JSON.parse(raw) : undefined;
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      body,
    });

    if (this.vanishAfter && this.vanishAfter.match.test(url.pathname)) {
      if (this.vanishAfter.remaining-- <= 0) {
        // Gone mid-sync: the connection drops and nothing listens any more.
        req.socket.destroy();
        this.server.close();
        for (const socket of this.sockets) socket.destroy();
        return;
      }
    }
    if (this.delayMs > 0) {
      await new Promise(resolve => setTimeout(resolve, this.delayMs));
    }
    const send = (status: number, payload: unknown) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    const fault = this.faults.find(
      f => f.match.test(url.pathname) && f.times > 0,
    );
    if (fault) {
      fault.times--;
      send(fault.status, { detail: `Injected ${fault.status}` });
      return;
    }

    const v = this.options.apiVersion;
    if (v === 2 && url.pathname === '/auth/token' && req.method === 'POST') {
      if (!this.checkBody(res, 'v2auth', '/auth/token', body)) return;
      if (
        body.username !== this.options.username ||
        body.password !== this.options.password
      ) {
        send(401, { detail: 'Invalid credentials' });
        return;
      }
      this.tokensIssued++;
      const iat = Math.floor(this.now() / 1000);
      send(201, {
        access_token: this.sign({
          sub: body.username,
          iat,
          exp: iat + this.tokenLifetimeSeconds,
          n: this.tokensIssued,
        }),
      });
      return;
    }
    if (!this.authorized(req)) {
      send(
        401,
        v === 2
          ? { detail: 'Not authenticated' }
          : { title: 'Unauthorized', status: 401, type: 'Unauthenticated' },
      );
      return;
    }
    const prefix = v === 2 ? '/api/v2' : '/api/v1';
    if (
      req.method === 'POST' &&
      url.pathname === `${prefix}/dags/~/dagRuns/list`
    ) {
      const specPath =
        v === 2 ? '/api/v2/dags/{dag_id}/dagRuns/list' : '/dags/~/dagRuns/list';
      if (!this.checkBody(res, v === 2 ? 'v2' : 'v1', specPath, body)) return;
      const from = v === 2 ? body.run_after_gte : body.execution_date_gte;
      const selected = this.runs
        .filter(r => !body.dag_ids || body.dag_ids.includes(r.dagId))
        .filter(r => !from || Date.parse(r.runAfter) >= Date.parse(from))
        .sort((a, b) => Date.parse(a.runAfter) - Date.parse(b.runAfter));
      const offset = this.ignoreOffset ? 0 : body.page_offset ?? 0;
      const page = selected.slice(offset, offset + (body.page_limit ?? 100));
      send(200, {
        dag_runs: page.map(r => this.dagRunJson(r)),
        total_entries: selected.length,
      });
      return;
    }
    if (
      req.method === 'POST' &&
      url.pathname === `${prefix}/dags/~/dagRuns/~/taskInstances/list`
    ) {
      const specPath =
        v === 2
          ? '/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/list'
          : '/dags/~/dagRuns/~/taskInstances/list';
      if (!this.checkBody(res, v === 2 ? 'v2' : 'v1', specPath, body)) return;
      const selected = this.tasks
        .filter(t => !body.dag_ids || body.dag_ids.includes(t.dagId))
        .filter(t => !body.dag_run_ids || body.dag_run_ids.includes(t.runId));
      if (v === 1) {
        send(200, {
          task_instances: selected.map(t => this.taskJson(t)),
          total_entries: selected.length,
        });
        return;
      }
      const offset = this.ignoreOffset ? 0 : body.page_offset ?? 0;
      const page = selected.slice(offset, offset + (body.page_limit ?? 100));
      send(200, {
        task_instances: page.map(t => this.taskJson(t)),
        total_entries: selected.length,
      });
      return;
    }
    const log = url.pathname.match(
      new RegExp(
        `^${prefix}/dags/([^/]+)/dagRuns/([^/]+)/taskInstances/([^/]+)/logs/(\\d+)$`,
      ),
    );
    if (req.method === 'GET' && log) {
      const [dagId, runId, taskId] = log.slice(1, 4).map(decodeURIComponent);
      const mapIndex = Number(url.searchParams.get('map_index') ?? -1);
      const task = this.tasks.find(
        t =>
          t.dagId === dagId &&
          t.runId === runId &&
          t.taskId === taskId &&
          (t.mapIndex ?? -1) === mapIndex,
      );
      if (!task) {
        send(404, { detail: 'TaskInstance not found' });
        return;
      }
      const lines = task.log ?? [];
      send(
        200,
        v === 2
          ? {
              content: lines.map(event => ({
                event,
                timestamp: task.endDate ?? task.startDate,
              })),
              continuation_token: null,
            }
          : { content: lines.join('\n'), continuation_token: '' },
      );
      return;
    }
    send(404, { detail: 'Not Found' });
  }

  /** Refuses a body with fields the spec's request schema does not declare. */
  private checkBody(
    res: http.ServerResponse,
    part: 'v2' | 'v2auth' | 'v1',
    path: string,
    body: any,
  ): boolean {
    const allowed = new Set(
      specProperties(part, requestSchemaName(part, path)),
    );
    const extra = Object.keys(body ?? {}).filter(k => !allowed.has(k));
    if (extra.length > 0) {
      res.writeHead(part === 'v1' ? 400 : 422, {
        'content-type': 'application/json',
      });
      res.end(
        JSON.stringify({
          detail: [
            {
              type: 'extra_forbidden',
              loc: ['body', extra[0]],
              msg: 'Extra inputs are not permitted',
            },
          ],
        }),
      );
      return false;
    }
    return true;
  }

  /** A run as `DAGRunResponse` (v2) or `DAGRun` (v1), every required field set. */
  dagRunJson(r: TestDagRun): Record<string, unknown> {
    if (this.options.apiVersion === 2) {
      return {
        dag_run_id: r.runId,
        dag_id: r.dagId,
        dag_display_name: r.dagId,
        logical_date: r.runType === 'manual' ? null : r.runAfter,
        queued_at: r.runAfter,
        start_date: r.startDate ?? null,
        end_date: r.endDate ?? null,
        duration: null,
        data_interval_start: null,
        data_interval_end: r.runAfter,
        run_after: r.runAfter,
        last_scheduling_decision: null,
        run_type: r.runType ?? 'scheduled',
        state: r.state,
        triggered_by: r.runType === 'manual' ? 'rest_api' : 'timetable',
        triggering_user_name: null,
        conf: {},
        note: null,
        dag_versions: [],
        bundle_version: null,
      };
    }
    return {
      dag_run_id: r.runId,
      dag_id: r.dagId,
      logical_date: r.runAfter,
      execution_date: r.runAfter,
      start_date: r.startDate ?? null,
      end_date: r.endDate ?? null,
      data_interval_start: null,
      data_interval_end: r.runAfter,
      last_scheduling_decision: null,
      run_type: r.runType ?? 'scheduled',
      state: r.state,
      external_trigger: r.runType === 'manual',
      conf: {},
      note: null,
    };
  }

  /** A task as `TaskInstanceResponse` (v2) or `TaskInstance` (v1). */
  taskJson(t: TestTaskInstance): Record<string, unknown> {
    const common = {
      task_id: t.taskId,
      dag_id: t.dagId,
      dag_run_id: t.runId,
      map_index: t.mapIndex ?? -1,
      start_date: t.startDate ?? null,
      end_date: t.endDate ?? null,
      duration: null,
      state: t.state,
      try_number: t.tryNumber ?? 1,
      max_tries: 2,
      task_display_name: t.taskId,
      hostname: 'worker-1',
      unixname: 'airflow',
      pool: 'default_pool',
      pool_slots: 1,
      queue: 'default',
      priority_weight: 1,
      operator: 'PythonOperator',
      queued_when: null,
      pid: null,
      executor: null,
      executor_config: '{}',
      note: null,
      rendered_map_index: null,
      rendered_fields: {},
      trigger: null,
      triggerer_job: null,
    };
    if (this.options.apiVersion === 2) {
      return {
        ...common,
        id: randomUUID(),
        dag_display_name: t.dagId,
        logical_date: null,
        run_after:
          this.runs.find(r => r.dagId === t.dagId && r.runId === t.runId)
            ?.runAfter ?? new Date(0).toISOString(),
        scheduled_when: null,
        operator_name: 'PythonOperator',
        dag_version: null,
      };
    }
    return {
      ...common,
      execution_date: this.runs.find(
        r => r.dagId === t.dagId && r.runId === t.runId,
      )?.runAfter,
      sla_miss: null,
    };
  }
}
