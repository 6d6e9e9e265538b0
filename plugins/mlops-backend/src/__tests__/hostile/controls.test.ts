import request from 'supertest';
import { createTestDatabases } from '../../__testUtils__/databases';
import {
  credentialsHeader,
  seed,
  startHostileBackend,
} from './__testUtils__/backend';
import { toJson } from './mutators';
import { routeSpecs } from './specs';

jest.setTimeout(120_000);

/*
 * The hostile suite changes one thing at a time in a body the route would
 * accept. This checks that claim: each route's unchanged body, sent once to
 * a freshly seeded backend, is accepted — so a refusal in the hostile suite
 * is caused by the hostile change, not by a body that was wrong anyway.
 */
/**
 * Routes whose body is valid but whose seeded state refuses it after the
 * body was read: the store answers after the body was parsed, so the body passed.
 */
const STATE_CONFLICTS: Record<string, number> = {
  // The seeded model has only one Production version so far.
  'POST /models/:name/rollback': 409,
  // The seeded deployment is still pending.
  'POST /models/:name/deployments/rollback': 409,
  'PATCH /deployments/:id': 409,
};

describe('the valid bodies the hostile cases start from', () => {
  const databases = createTestDatabases();

  it('are accepted by their routes', async () => {
    const knex = await databases.init('SQLITE_3');
    const backend = await startHostileBackend(knex);
    try {
      // Deletes last, and the whole model's deletion after every other, so
      // that no body names what an earlier one removed.
      const order = (method: string, path: string) =>
        (method === 'DELETE' ? 1 : 0) + (path.startsWith('/objects') ? 1 : 0);
      const specs = routeSpecs(await seed(backend.server, knex)).sort(
        (a, b) => order(a.method, a.path) - order(b.method, b.path),
      );
      const refused: string[] = [];
      for (const spec of specs) {
        let url = spec.path;
        for (const [name, param] of Object.entries(spec.params ?? {})) {
          url =
            name === '*'
              ? url.replace('*', param.value)
              : url.replace(`:${name}`, encodeURIComponent(param.value));
        }
        let req = (request(backend.server) as any)
          [spec.method.toLowerCase()](`/api/mlops${url}`)
          .set('authorization', credentialsHeader(spec.asService));
        if (spec.body) {
          req = req
            .set('content-type', 'application/json')
            .send(toJson(spec.body));
        }
        const response = await req;
        const route = `${spec.method} ${spec.path}`;
        if (
          response.status >= 300 &&
          STATE_CONFLICTS[route] !== response.status
        ) {
          refused.push(
            `${route} → ${response.status} ${response.text.slice(0, 200)}`,
          );
        }
      }
      expect(refused).toEqual([]);
    } finally {
      await backend.stop();
    }
  });
});
