import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { requestSchemaName, undeclared } from './specFragments';

/*
 * A stand-in for a Prefect 3 server, built from the request and response
 * shapes of Prefect's published REST schema (the fragments in
 * `__fixtures__`): there is no Prefect install on these machines. It holds
 * flows, deployments, flow runs and task runs in memory, answers the four
 * `/filter` endpoints with their filters, sort and offset paging (no total:
 * Prefect answers bare arrays), refuses body fields the schema does not
 * declare with a 422 (Prefect's filter models forbid extra fields), checks
 * the bearer API key, and can be told to fail, stall, ignore the offset or
 * vanish.
 */

const STAMP = '2026-11-01T00:00:00Z';

export interface TestFlowRun {
  id?: string;
  flowName: string;
  deployment?: string;
  name?: string;
  stateType: string;
  stateName?: string;
  message?: string;
  expectedStart: string;
  start?: string;
  end?: string;
  autoScheduled?: boolean;
}

export interface TestTaskRun {
  flowRunId: string;
  name: string;
  stateType: string;
  stateName?: string;
  message?: string;
  start?: string;
  end?: string;
}

export class PrefectTestServer {
  readonly flows: Array<{ id: string; name: string }> = [];
  readonly deployments: Array<{ id: string; name: string; flow_id: string }> =
    [];
  readonly flowRuns: Array<Required<Pick<TestFlowRun, 'id'>> & TestFlowRun> =
    [];
  readonly taskRuns: Array<TestTaskRun & { id: string }> = [];
  readonly requests: Array<{ path: string; body: any; auth?: string }> = [];
  delayMs = 0;
  ignoreOffset = false;
  private faults: Array<{ match: RegExp; status: number; times: number }> = [];
  private vanishAt?: { match: RegExp; remaining: number };
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly apiKey: string) {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch(error => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ detail: String(error) }));
      });
    });
    this.server.on('connection', s => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async start(options: { apiKey: string; port?: number }) {
    const server = new PrefectTestServer(options.apiKey);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return server;
  }

  /** The API root, with Prefect's `/api` prefix. */
  get baseUrl() {
    return `http://127.0.0.1:${
      (this.server.address() as AddressInfo).port
    }/api`;
  }

  flow(name: string) {
    const found = this.flows.find(f => f.name === name);
    if (found) return found.id;
    const id = randomUUID();
    this.flows.push({ id, name });
    return id;
  }

  deployment(flowName: string, name: string) {
    const flowId = this.flow(flowName);
    const found = this.deployments.find(
      d => d.name === name && d.flow_id === flowId,
    );
    if (found) return found.id;
    const id = randomUUID();
    this.deployments.push({ id, name, flow_id: flowId });
    return id;
  }

  addFlowRun(run: TestFlowRun): string {
    const id = run.id ?? randomUUID();
    this.flow(run.flowName);
    if (run.deployment) this.deployment(run.flowName, run.deployment);
    this.flowRuns.push({ ...run, id });
    return id;
  }

  addTaskRun(run: TestTaskRun) {
    this.taskRuns.push({ ...run, id: randomUUID() });
  }

  fail(match: RegExp, status: number, times = 1) {
    this.faults.push({ match, status, times });
  }

  vanishAfterRequests(match: RegExp, requests: number) {
    this.vanishAt = { match, remaining: requests };
  }

  async stop() {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length
      ? JSON.parse(Buffer.concat(chunks).toString())
      : {};
    const path = url.pathname.replace(/^\/api/, '');
    this.requests.push({ path, body, auth: req.headers.authorization });
    if (this.vanishAt?.match.test(path) && this.vanishAt.remaining-- <= 0) {
      req.socket.destroy();
      this.server.close();
      for (const s of this.sockets) s.destroy();
      return;
    }
    if (this.delayMs) await new Promise(r => setTimeout(r, this.delayMs));
    const send = (status: number, payload: unknown) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    const fault = this.faults.find(f => f.times > 0 && f.match.test(path));
    if (fault) {
      fault.times--;
      send(fault.status, { detail: `Injected ${fault.status}` });
      return;
    }
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
      send(401, { detail: 'Unauthorized' });
      return;
    }
    const routes: Record<string, () => unknown[]> = {
      '/flows/filter': () =>
        this.flows
          .filter(
            f =>
              !body.flows?.name?.any_ || body.flows.name.any_.includes(f.name),
          )
          .map(f => ({
            id: f.id,
            created: STAMP,
            updated: STAMP,
            name: f.name,
            tags: [],
            labels: {},
          })),
      '/deployments/filter': () =>
        this.deployments
          .filter(
            d =>
              !body.deployments?.name?.any_ ||
              body.deployments.name.any_.includes(d.name),
          )
          .filter(
            d =>
              !body.flows?.id?.any_ || body.flows.id.any_.includes(d.flow_id),
          )
          .map(d => ({
            ...d,
            created: STAMP,
            updated: STAMP,
            paused: false,
            tags: [],
            labels: {},
            parameters: {},
            schedules: [],
            status: 'READY',
          })),
      '/flow_runs/filter': () =>
        this.flowRuns
          .filter(r => {
            const after = body.flow_runs?.expected_start_time?.after_;
            const deploymentIds = body.flow_runs?.deployment_id?.any_;
            const flowIds = body.flows?.id?.any_;
            const depId = r.deployment
              ? this.deployment(r.flowName, r.deployment)
              : null;
            return (
              (!after || Date.parse(r.expectedStart) >= Date.parse(after)) &&
              (!deploymentIds ||
                (depId !== null && deploymentIds.includes(depId))) &&
              (!flowIds || flowIds.includes(this.flow(r.flowName)))
            );
          })
          .sort(
            (a, b) => Date.parse(a.expectedStart) - Date.parse(b.expectedStart),
          )
          .map(r => this.flowRunJson(r)),
      '/task_runs/filter': () =>
        this.taskRuns
          .filter(
            t =>
              !body.task_runs?.flow_run_id?.any_ ||
              body.task_runs.flow_run_id.any_.includes(t.flowRunId),
          )
          .map(t => this.taskRunJson(t)),
    };
    const route = routes[path];
    if (!route || req.method !== 'POST') {
      send(404, { detail: 'Not Found' });
      return;
    }
    const extra = undeclared(requestSchemaName(path), body);
    if (extra.length > 0) {
      send(422, {
        exception_message: 'Invalid request received.',
        exception_detail: [
          {
            type: 'extra_forbidden',
            loc: ['body', ...extra[0].split('.')],
            msg: 'Extra inputs are not permitted',
          },
        ],
      });
      return;
    }
    const all = route();
    const offset = this.ignoreOffset ? 0 : body.offset ?? 0;
    send(200, all.slice(offset, offset + Math.min(body.limit ?? 200, 200)));
  }

  private stateJson(
    type: string,
    name: string | undefined,
    message: string | undefined,
    at: string,
  ) {
    return {
      id: randomUUID(),
      type,
      name: name ?? type.charAt(0) + type.slice(1).toLowerCase(),
      timestamp: at,
      message: message ?? null,
      data: null,
      state_details: {},
    };
  }

  flowRunJson(r: TestFlowRun & { id: string }) {
    const deploymentId = r.deployment
      ? this.deployment(r.flowName, r.deployment)
      : null;
    const state = this.stateJson(
      r.stateType,
      r.stateName,
      r.message,
      r.end ?? r.start ?? r.expectedStart,
    );
    return {
      id: r.id,
      created: r.expectedStart,
      updated: r.end ?? r.start ?? r.expectedStart,
      name: r.name ?? `run-${r.id.slice(0, 8)}`,
      flow_id: this.flow(r.flowName),
      state_id: state.id,
      deployment_id: deploymentId,
      deployment_version: null,
      work_queue_id: null,
      work_queue_name: 'default',
      flow_version: null,
      parameters: {},
      idempotency_key: null,
      context: {},
      empirical_policy: {},
      tags: [],
      labels: {},
      parent_task_run_id: null,
      state_type: r.stateType,
      state_name: state.name,
      run_count: r.start ? 1 : 0,
      expected_start_time: r.expectedStart,
      next_scheduled_start_time: null,
      start_time: r.start ?? null,
      end_time: r.end ?? null,
      total_run_time: 0,
      estimated_run_time: 0,
      estimated_start_time_delta: 0,
      auto_scheduled: r.autoScheduled ?? false,
      infrastructure_document_id: null,
      infrastructure_pid: null,
      created_by: null,
      work_pool_id: null,
      work_pool_name: null,
      state,
      job_variables: null,
    };
  }

  taskRunJson(t: TestTaskRun & { id: string }) {
    const state = this.stateJson(
      t.stateType,
      t.stateName,
      t.message,
      t.end ?? t.start ?? STAMP,
    );
    return {
      id: t.id,
      created: t.start ?? STAMP,
      updated: t.end ?? t.start ?? STAMP,
      name: t.name,
      flow_run_id: t.flowRunId,
      task_key: `${t.name.split('-')[0]}-key`,
      dynamic_key: '0',
      cache_key: null,
      cache_expiration: null,
      task_version: null,
      empirical_policy: {},
      tags: [],
      labels: {},
      state_id: state.id,
      task_inputs: {},
      state_type: t.stateType,
      state_name: state.name,
      run_count: 1,
      flow_run_run_count: 1,
      expected_start_time: t.start ?? null,
      next_scheduled_start_time: null,
      start_time: t.start ?? null,
      end_time: t.end ?? null,
      total_run_time: 0,
      estimated_run_time: 0,
      estimated_start_time_delta: 0,
      state,
    };
  }
}
