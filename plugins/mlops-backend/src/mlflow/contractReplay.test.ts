import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { createHash } from 'crypto';
import fs from 'fs';
import path from 'path';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startMlopsTestBackend } from '../__testUtils__/mlopsBackend';

jest.setTimeout(300_000);

/*
 * Contract tests built from recordings of MLflow's own Python client
 * (bench/mlflow-recordings): each scenario's traffic against MLflow's own
 * server is replayed against the portal, request by request and in order —
 * method, path, query and body, with the ids the portal handed out put in
 * place of MLflow's — and what the portal answers is compared with what
 * MLflow's server answered: the status, the error code, and every field of
 * MLflow's answer (the portal may add fields; the client ignores those).
 * Only what the server makes up itself is not compared: creation and update
 * times and error message texts. A client step passes when all its requests
 * do; the test names each step that does not.
 *
 * Each folder under recordings/ is one client version (mlflow-2.17.2,
 * mlflow-3.5.2.dev0, ...), replayed on a fresh database of its own with its
 * scenarios in name order, the order they were recorded in: a search with
 * no filter (MLflow 3's search_registered_models()) sees what the earlier
 * scenarios left, on MLflow's server as on the portal.
 */

const RECORDINGS = path.join(__dirname, '__fixtures__', 'recordings');
const PREFIX = '/api/mlops/mlflow';

/** Server-made values the client does not compare across servers. */
const IGNORED_KEYS = new Set([
  'creation_time',
  'last_update_time',
  'creation_timestamp',
  'last_updated_timestamp',
  // MLflow 3's logged models
  'creation_timestamp_ms',
  'last_updated_timestamp_ms',
  'message',
]);
/** Lists whose order carries no meaning: compared sorted. */
const UNORDERED_LISTS = new Set([
  'tags',
  'params',
  'metrics',
  'aliases',
  'latest_versions',
  'files',
]);
/** Step failures that are known, with the reason; empty when all pass. */
const KNOWN_GAPS: Record<string, string> = {};

interface Body {
  json?: unknown;
  text?: string;
  base64?: string;
  bytes?: number;
  sha256?: string;
}
interface Exchange {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  request?: Body;
  status: number;
  response?: Body;
}
interface Recording {
  client: string;
  steps: Array<{
    name: string;
    client?: { ok: boolean };
    exchanges: Exchange[];
  }>;
}

const HEX_ID = /\b[0-9a-f]{32}\b/g;
/** A run id, or an MLflow 3 logged model id (`m-` and 32 hex digits). */
const ID = /^(?:m-)?([0-9a-f]{32})$/;

/** MLflow's ids and page tokens as the portal's, learnt from the answers so far. */
class IdMap {
  readonly ids = new Map<string, string>();
  readonly experiments = new Map<string, string>();
  readonly tokens = new Map<string, string>();
  /**
   * Tokens MLflow's server gave with a full last page where the portal,
   * which looks one row ahead, gave none: MLflow's next page is empty.
   */
  readonly lastPageTokens = new Set<string>();
  /** Run names a server made up (MLflow's "chill-hound-229"). */
  readonly names = new Map<string, string>();

  text(value: string): string {
    const name = this.names.get(value);
    if (name !== undefined) return name;
    let out = value.replace(HEX_ID, id => this.ids.get(id) ?? id);
    const experiment = (id: string) => this.experiments.get(id) ?? id;
    out = out.replace(
      /mlflow-artifacts:\/(\d+)(?=\/|$)/g,
      (_, id) => `mlflow-artifacts:/${experiment(id)}`,
    );
    out = out.replace(
      /(^|\/)(\d+)\/([0-9a-f]{32})(?=\/|$)/g,
      (_, lead, id, run) => `${lead}${experiment(id)}/${run}`,
    );
    // MLflow 3 keeps a logged model's files at <experiment>/models/<model id>/.
    out = out.replace(
      /(^|\/)(\d+)\/models\/(m-[0-9a-f]{32})(?=\/|$)/g,
      (_, lead, id, model) => `${lead}${experiment(id)}/models/${model}`,
    );
    return this.tokens.get(out) ?? out;
  }

  value(value: unknown, key?: string): unknown {
    if (typeof value === 'string') {
      if (key === 'experiment_id' || key === 'experiment_ids') {
        return this.experiments.get(value) ?? value;
      }
      return this.text(value);
    }
    if (Array.isArray(value)) return value.map(v => this.value(v, key));
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, this.value(v, k)]),
      );
    }
    return value;
  }

  /**
   * Learns the portal's id wherever MLflow's answer has one; `created` is
   * set for a run's creation, whose generated name is learnt too.
   */
  learn(expected: unknown, actual: unknown, key?: string, created = false) {
    if (typeof expected === 'string' && typeof actual === 'string') {
      if (key === 'experiment_id') this.experiments.set(expected, actual);
      else if (key === 'run_name' && created) this.names.set(expected, actual);
      else if (key === 'next_page_token') this.tokens.set(expected, actual);
      else {
        const [e, a] = [ID.exec(expected), ID.exec(actual)];
        if (e && a) this.ids.set(e[1], a[1]);
      }
      return;
    }
    if (Array.isArray(expected) && Array.isArray(actual)) {
      const [e, a] = UNORDERED_LISTS.has(key ?? '')
        ? [sortList(expected), sortList(actual)]
        : [expected, actual];
      e.forEach((item, i) => this.learn(item, a[i], key, created));
      return;
    }
    if (
      expected &&
      actual &&
      typeof expected === 'object' &&
      typeof actual === 'object'
    ) {
      for (const [k, v] of Object.entries(expected)) {
        this.learn(v, (actual as Record<string, unknown>)[k], k, created);
      }
    }
  }
}

function sortList(list: unknown[]): unknown[] {
  const keyOf = (item: unknown) =>
    item && typeof item === 'object'
      ? JSON.stringify([
          (item as any).key ??
            (item as any).alias ??
            (item as any).path ??
            (item as any).current_stage,
          (item as any).step,
          (item as any).version,
        ])
      : JSON.stringify(item);
  return [...list].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
}

/**
 * The first difference between MLflow's answer and the portal's, if any.
 * `proto` is set for the API's answers, which the client reads into
 * protobuf messages: there an absent field reads as its default, so
 * MLflow's `""`, `0` or `false` and the portal's leaving the field out are
 * the same to the client (MLflow 3 answers `model_type: ""` for a logged
 * model without one).
 */
function difference(
  expected: unknown,
  actual: unknown,
  at: string,
  key?: string,
  ids?: IdMap,
  proto = false,
): string | undefined {
  if (key && IGNORED_KEYS.has(key)) return undefined;
  if (
    proto &&
    actual === undefined &&
    (expected === '' || expected === 0 || expected === false)
  ) {
    return undefined;
  }
  if (key === 'next_page_token') {
    if (typeof expected === 'string' && actual === undefined && ids) {
      ids.lastPageTokens.add(expected);
      return undefined;
    }
    return (expected === undefined) === (actual === undefined)
      ? undefined
      : `${at}: MLflow ${
          expected ? 'gave' : 'gave no'
        } page token, the portal ${actual ? 'did' : 'did not'}`;
  }
  if (Array.isArray(expected) && key === 'tags' && Array.isArray(actual)) {
    // Tags the portal sets besides MLflow's (mlflow.runName on create, as
    // MLflow's own later reads show it) are extra keys of a dict the client
    // reads; each of MLflow's must be there with its value.
    for (const tag of expected as Array<{ key: string; value: unknown }>) {
      const found = (actual as Array<{ key: string; value: unknown }>).find(
        t => t.key === tag.key,
      );
      if (!found) return `${at}: the tag ${tag.key} is missing`;
      const differs = difference(tag.value, found.value, `${at}.${tag.key}`);
      if (differs) return differs;
    }
    return undefined;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual))
      return `${at}: expected a list, got ${JSON.stringify(actual)}`;
    if (expected.length !== actual.length) {
      return `${at}: expected ${expected.length} items, got ${
        actual.length
      }: ${JSON.stringify(actual).slice(0, 300)}`;
    }
    const [e, a] = UNORDERED_LISTS.has(key ?? '')
      ? [sortList(expected), sortList(actual)]
      : [expected, actual];
    for (let i = 0; i < e.length; i++) {
      const found = difference(e[i], a[i], `${at}[${i}]`, key, ids, proto);
      if (found) return found;
    }
    return undefined;
  }
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object') {
      return `${at}: expected an object, got ${JSON.stringify(actual)}`;
    }
    for (const [k, v] of Object.entries(expected)) {
      const found = difference(
        v,
        (actual as Record<string, unknown>)[k],
        `${at}.${k}`,
        k,
        ids,
        proto,
      );
      if (found) return found;
    }
    return undefined;
  }
  if (
    typeof expected === 'string' &&
    typeof actual === 'string' &&
    /^[[{]/.test(expected)
  ) {
    // JSON kept in a tag (mlflow.log-model.history): the client parses it.
    try {
      return difference(JSON.parse(expected), JSON.parse(actual), at);
    } catch {
      // not JSON: compared as text below
    }
  }
  return expected === actual
    ? undefined
    : `${at}: MLflow answered ${JSON.stringify(
        expected,
      )}, the portal ${JSON.stringify(actual)}`;
}

/** A download of a file MLflow's artifact proxy did not have. */
function missingFileOnMlflow(exchange: Exchange): boolean {
  const answer = exchange.response?.json as
    | { error_code?: string; message?: string }
    | undefined;
  return (
    exchange.method === 'GET' &&
    exchange.path.startsWith('/api/2.0/mlflow-artifacts/artifacts/') &&
    exchange.status === 500 &&
    answer?.error_code === 'INTERNAL_ERROR' &&
    /No such file or directory/.test(answer.message ?? '')
  );
}

function bytesOf(body: Body, ids: IdMap): Buffer | undefined {
  if (body.base64 === undefined) return undefined;
  const raw = Buffer.from(body.base64, 'base64');
  const text = raw.toString('utf8');
  // Text files (MLmodel, JSON) carry run ids: the portal's are put in.
  return Buffer.from(text, 'utf8').equals(raw)
    ? Buffer.from(ids.text(text), 'utf8')
    : raw;
}

function recordings(): Array<{
  label: string;
  scenario: string;
  file: string;
}> {
  if (!fs.existsSync(RECORDINGS)) return [];
  const sorted = (dir: string) => fs.readdirSync(dir).sort();
  return sorted(RECORDINGS).flatMap(label =>
    sorted(path.join(RECORDINGS, label))
      .filter(f => f.endsWith('.mlflow.json'))
      .map(f => ({
        label,
        scenario: f.replace(/\.mlflow\.json$/, ''),
        file: path.join(RECORDINGS, label, f),
      })),
  );
}

describe('MLflow Python client recordings replayed against the portal', () => {
  const databases = createTestDatabases();
  const cases = recordings();
  const labels = [...new Set(cases.map(c => c.label))];

  it('has recordings to replay', () => {
    expect(cases.length).toBeGreaterThanOrEqual(4);
  });

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    // One backend on a fresh database per client version (set in its beforeAll).
    let server: Awaited<ReturnType<typeof startTestBackend>>['server'];

    async function replay(
      exchange: Exchange,
      ids: IdMap,
    ): Promise<string | undefined> {
      const token =
        (exchange.query.page_token as string | undefined) ??
        ((exchange.request?.json as any)?.page_token as string | undefined);
      if (token && ids.lastPageTokens.has(token)) {
        // The portal said there was no next page; MLflow's must be empty.
        const answer = (exchange.response?.json ?? {}) as Record<
          string,
          unknown
        >;
        const items = Object.values(answer).filter(Array.isArray).flat();
        return items.length === 0
          ? undefined
          : `${exchange.method} ${exchange.path}: MLflow had another page, the portal did not`;
      }
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(exchange.query)) {
        for (const v of ([] as string[]).concat(value)) {
          query.append(key, ids.value(v, key) as string);
        }
      }
      const url = `${PREFIX}${ids.text(exchange.path)}${
        query.size ? `?${query}` : ''
      }`;
      const method = exchange.method.toLowerCase() as
        | 'get'
        | 'post'
        | 'put'
        | 'patch'
        | 'delete';
      let req = request(server)
        [method](url)
        .set('Authorization', mockCredentials.service.header());
      const body = exchange.request;
      if (body?.json !== undefined) {
        req = req
          .set('Content-Type', 'application/json')
          .send(JSON.stringify(ids.value(body.json)));
      } else if (body?.text !== undefined) {
        req = req.set('Content-Type', 'text/plain').send(ids.text(body.text));
      } else if (body) {
        const bytes = bytesOf(body, ids);
        if (!bytes)
          return `request body of ${body.bytes} bytes was not recorded`;
        req = req.set('Content-Type', 'application/octet-stream').send(bytes);
      }
      const res = await req.buffer(true).parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      });
      const raw: Buffer = res.body;
      const what = `${exchange.method} ${exchange.path}`;
      if (missingFileOnMlflow(exchange) && res.status === 404) {
        // MLflow's proxy answers a file that is not there with a 500
        // (INTERNAL_ERROR, "No such file or directory"), the portal with a
        // 404; MLflow 3's client tries the run's files before the logged
        // model's for runs:/ and takes any error as "not there".
        return undefined;
      }
      if (res.status !== exchange.status) {
        return `${what}: MLflow answered ${exchange.status}, the portal ${
          res.status
        } ${raw.toString('utf8').slice(0, 300)}`;
      }
      const expected = exchange.response;
      if (!expected) return undefined;
      if (expected.json !== undefined) {
        let actual: unknown;
        try {
          actual = JSON.parse(raw.toString('utf8'));
        } catch {
          return `${what}: the portal's answer is not JSON`;
        }
        ids.learn(
          expected.json,
          actual,
          undefined,
          /\/runs\/create$/.test(exchange.path),
        );
        return difference(
          ids.value(expected.json),
          actual,
          what,
          undefined,
          ids,
          // The API's answers, not a JSON file downloaded through the proxy.
          !exchange.path.startsWith('/api/2.0/mlflow-artifacts/artifacts/'),
        );
      }
      const wanted =
        expected.text !== undefined
          ? Buffer.from(ids.text(expected.text), 'utf8')
          : bytesOf(expected, ids);
      if (wanted) {
        return wanted.equals(raw)
          ? undefined
          : `${what}: the downloaded bytes differ`;
      }
      const sha256 = createHash('sha256').update(raw).digest('hex');
      return sha256 === expected.sha256 && raw.length === expected.bytes
        ? undefined
        : `${what}: the downloaded ${raw.length} bytes differ`;
    }

    describe.each(labels)('%s', label => {
      beforeAll(async () => {
        const knex = await databases.init(databaseId);
        ({ server } = await startMlopsTestBackend({ knex }));
      });

      it.each(
        cases
          .filter(c => c.label === label)
          .map(c => [`${c.label} ${c.scenario}`, c] as const),
      )(
        '%s: every client step answers as on MLflow’s server',
        async (_, { file, scenario }) => {
          const recording: Recording = JSON.parse(
            fs.readFileSync(file, 'utf8'),
          );
          const ids = new IdMap();
          const failed: string[] = [];
          for (const step of recording.steps) {
            if (step.client && !step.client.ok) continue; // failed on MLflow too
            // Every request is sent, so that what later steps build on exists;
            // a step is reported with its first difference.
            let problem: string | undefined;
            for (const exchange of step.exchanges) {
              const found = await replay(exchange, ids);
              problem = problem ?? found;
            }
            if (problem && !KNOWN_GAPS[`${scenario}.${step.name}`]) {
              failed.push(`${step.name}: ${problem}`);
            }
          }
          expect(failed).toEqual([]);
        },
      );
    });
  });
});
