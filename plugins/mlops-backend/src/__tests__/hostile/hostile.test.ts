import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { createTestDatabases } from '../../__testUtils__/databases';
import { mlopsPlugin } from '../../plugin';
import {
  credentialsHeader,
  seed,
  startHostileBackend,
} from './__testUtils__/backend';
import { HostileCase, casesOf } from './cases';
import { WRITE_METHODS, routeKey, routesOf } from './routes';
import { settledSnapshot } from './snapshot';
import { RouteSpec, Seeded, routeSpecs } from './specs';

jest.setTimeout(240_000);

/** A route with fewer cases than this is not really attacked. */
const MIN_CASES_PER_ROUTE = 10;

const placeholder: Seeded = {
  experimentId: '1',
  experimentName: 'hostile-exp',
  runId: '0'.repeat(32),
  model: 'fraud-model',
  spareModels: {
    rename: 'hostile-rename-model',
    mlflowRename: 'hostile-mlflow-rename-model',
    delete: 'hostile-delete-model',
    mlflowDelete: 'hostile-mlflow-delete-model',
    versions: 'hostile-versions-model',
  },
  pipeline: 'fraud-train',
  pipelineRunId: '1',
  deploymentId: '1',
  incidentId: '00000000-0000-4000-8000-000000000001',
  loggedModelId: `m-${'0'.repeat(32)}`,
  artifactFolder: `1/${'0'.repeat(32)}/artifacts`,
  multipartUpload: {
    uploadId: '00000000-0000-4000-8000-000000000000',
    etag: `"${'0'.repeat(32)}"`,
  },
};

/** What went wrong with one case, or undefined when it was refused properly. */
function problemOf(
  c: HostileCase,
  response: request.Response,
): string | undefined {
  const where = `${c.route} [${c.mutator}: ${c.label}] → ${response.status}`;
  if (response.status < 400 || response.status >= 500) {
    return `${where} ${JSON.stringify(response.body).slice(0, 300)}`;
  }
  const body = response.body ?? {};
  const message: unknown = c.mlflow ? body.message : body.error?.message;
  const kind: unknown = c.mlflow ? body.error_code : body.error?.name;
  if (typeof kind !== 'string' || !kind) {
    return `${where} without an error ${
      c.mlflow ? 'code' : 'name'
    }: ${response.text.slice(0, 200)}`;
  }
  if (typeof message !== 'string' || message.trim().length < 8) {
    return `${where} without a clear message: ${JSON.stringify(body).slice(
      0,
      200,
    )}`;
  }
  if (/\n\s+at /.test(message) || /internal error/i.test(message)) {
    return `${where} leaks internals: ${message.slice(0, 200)}`;
  }
  return undefined;
}

async function send(server: any, c: HostileCase): Promise<request.Response> {
  let req = (request(server) as any)
    [c.method.toLowerCase()](c.url)
    .set('authorization', credentialsHeader(c.asService));
  if (c.body !== undefined) {
    req = req.set('content-type', 'application/json').send(c.body);
  }
  return req;
}

describe('the plugin lists a hostile suite for every write route', () => {
  const listing = createTestDatabases();
  it('has specs for every mounted write route and at least 500 cases', async () => {
    const httpRouterMock = mockServices.httpRouter.mock();
    const backend = await startTestBackend({
      features: [
        mlopsPlugin,
        httpRouterMock.factory,
        mockServices.database.factory({ knex: await listing.init('SQLITE_3') }),
        mockServices.rootConfig.factory({ data: {} }),
        mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
        catalogServiceMock.factory({ entities: [] }),
      ],
    });
    const mounted = httpRouterMock.use.mock.calls
      .flatMap(([handler]) =>
        routesOf((handler as { stack?: unknown[] }).stack ?? []),
      )
      .filter(r => WRITE_METHODS.includes(r.method))
      // The permission framework's own route (apply-conditions), mounted by
      // the permissions registry for the mlops-object resource type: its
      // input is validated by @backstage/plugin-permission-node, not by us.
      .filter(r => !r.path.startsWith('/.well-known/backstage/'))
      // MLflow's artifact proxy takes file bytes (an artifact, or a part of
      // a multipart upload), so any body (malformed JSON too) is a legal
      // upload; their path attacks, size limit, signatures and credentials
      // are tested in src/artifacts/router.test.ts and multipart.test.ts.
      // The multipart routes that take JSON (mpu/create, complete, abort)
      // are attacked here.
      .filter(
        r =>
          !(
            r.path.startsWith('/mlflow/api/2.0/mlflow-artifacts/artifacts') ||
            r.path === '/mlflow/api/2.0/mlflow-artifacts/mpu/part/*'
          ),
      )
      // A source webhook takes raw bytes that only the source module can
      // judge (MLflow's HMAC signature); forged, stale and replayed
      // deliveries are tested with the MLflow source module.
      .filter(r => r.path !== '/sources/:type/:name/webhook');
    await backend.stop();
    expect(mounted.length).toBeGreaterThan(50);

    const specs = routeSpecs(placeholder);
    const counts = new Map<string, number>();
    for (const spec of specs) {
      counts.set(routeKey(spec), casesOf(spec).length);
    }
    const uncovered = [...new Set(mounted.map(routeKey))].filter(
      key => (counts.get(key) ?? 0) < MIN_CASES_PER_ROUTE,
    );
    expect(uncovered).toEqual([]);
    // And no spec for a route that does not exist (a renamed route).
    const mountedKeys = new Set(mounted.map(routeKey));
    expect(specs.map(routeKey).filter(k => !mountedKeys.has(k))).toEqual([]);
    expect(
      [...counts.values()].reduce((a, b) => a + b, 0),
    ).toBeGreaterThanOrEqual(500);
  });
});

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())(
  'hostile requests on %p',
  databaseId => {
    it('refuses every one with a clear 4xx and leaves the database as it was', async () => {
      const knex = await databases.init(databaseId);
      const backend = await startHostileBackend(knex);
      try {
        const seeded = await seed(backend.server, knex);
        const before = await settledSnapshot(knex);
        expect(Object.keys(before).length).toBeGreaterThan(10);

        const specs: RouteSpec[] = routeSpecs(seeded);
        const cases = specs.flatMap(casesOf);
        expect(cases.length).toBeGreaterThanOrEqual(500);
        const problems: string[] = [];
        const started = Date.now();
        for (const c of cases) {
          const response = await send(backend.server, c);
          const problem = problemOf(c, response);
          if (problem) problems.push(problem);
        }
        const seconds = (Date.now() - started) / 1000;
        // eslint-disable-next-line no-console
        console.log(
          `${databaseId}: ${cases.length} hostile requests in ${seconds.toFixed(
            1,
          )} s`,
        );

        expect(problems).toEqual([]);
        expect(await settledSnapshot(knex)).toEqual(before);
        // No request reached Object.prototype.
        expect(({} as any).polluted).toBeUndefined();
        expect(Object.keys(Object.prototype)).toEqual([]);
      } finally {
        await backend.stop();
      }
    });
  },
);
