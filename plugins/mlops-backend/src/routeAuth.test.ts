import { mockServices } from '@backstage/backend-test-utils';
import request from 'supertest';
import { createTestDatabases } from './__testUtils__/databases';
import { startMlopsTestBackend } from './__testUtils__/mlopsBackend';

jest.setTimeout(120_000);

interface RouteInfo {
  method: string;
  path: string;
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  regexp?: RegExp;
  keys?: unknown[];
}

/** The literal path an express 4 sub-router was mounted on ('' at the root). */
function mountPathOf(layer: Layer): string {
  const source = layer.regexp?.source ?? '';
  if (source === '^\\/?(?=\\/|$)' || source === '') {
    return '';
  }
  return source
    .replace(/^\^/, '')
    .replace('\\/?(?=\\/|$)', '')
    .replace(/\\\//g, '/')
    .replace(/\\\./g, '.');
}

/** Every (method, path) an express router and its sub-routers answer. */
function routesOf(stack: Layer[], prefix = ''): RouteInfo[] {
  const routes: RouteInfo[] = [];
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path)
        ? layer.route.path
        : [layer.route.path];
      for (const path of paths) {
        for (const method of Object.keys(layer.route.methods)) {
          routes.push({ method, path: `${prefix}${path}` });
        }
      }
    } else if (layer.handle?.stack) {
      routes.push(...routesOf(layer.handle.stack, prefix + mountPathOf(layer)));
    }
  }
  return routes;
}

/** A concrete URL for a route pattern: every parameter becomes a plausible value. */
function concretePath(pattern: string): string {
  return pattern
    .replace(/:([A-Za-z]+)\([^)]*\)/g, 'x')
    .replace(/:version\b/g, '1')
    .replace(/:v\b/g, '1')
    .replace(/:([A-Za-z]+)/g, 'x');
}

/*
 * Every route the plugin registers requires Backstage credentials, except
 * /health. The routes are read from the routers the plugin hands to its
 * httpRouter, so a route added later is covered without touching this test.
 */
describe('credentials on every route', () => {
  const databases = createTestDatabases();

  it('answers 401 to anonymous callers on every route but /health', async () => {
    const knex = await databases.init('SQLITE_3');
    // The backend under test, with the real httpRouter and its auth policy.
    const { server } = await startMlopsTestBackend({ knex });

    // A second instance whose httpRouter only records the routers the plugin
    // mounts, to list their routes.
    const httpRouterMock = mockServices.httpRouter.mock();
    await startMlopsTestBackend({
      knex: await databases.init('SQLITE_3'),
      features: [httpRouterMock.factory],
    });
    const routes = httpRouterMock.use.mock.calls.flatMap(([handler]) =>
      routesOf((handler as { stack?: Layer[] }).stack ?? []),
    );
    // A sanity floor, so a broken walk cannot pass by finding nothing.
    expect(routes.length).toBeGreaterThan(60);

    const answeredWithoutCredentials: string[] = [];
    for (const { method, path } of routes) {
      const url = `/api/mlops${concretePath(path)}`;
      const response = await (request(server) as any)[method](url).send({});
      if (response.status !== 401) {
        answeredWithoutCredentials.push(
          `${method.toUpperCase()} ${path} → ${response.status}`,
        );
      }
    }
    expect(answeredWithoutCredentials).toEqual([
      'GET /health → 200',
      // A part of a multipart upload, sent to the URL the upload's create
      // answered: MLflow's client sends it without credentials, so the
      // URL's expiring signature is checked instead (none here: 403).
      'PUT /mlflow/api/2.0/mlflow-artifacts/mpu/part/* → 403',
      // The MLflow tracking URI's root: a static page that hands the link
      // MLflow's client prints on to the portal, with no data in it.
      'GET /mlflow → 200',
      'GET /mlflow/ → 200',
      // Source webhooks are checked by their module (MLflow's HMAC
      // signature), not by Backstage credentials; with no such source
      // configured there is nothing to call.
      'POST /sources/:type/:name/webhook → 404',
    ]);
  });
});
