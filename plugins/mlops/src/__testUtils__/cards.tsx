import { Entity } from '@backstage/catalog-model';
import { ApiRef } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  PermissionApi,
  permissionApiRef,
} from '@backstage/plugin-permission-react';
import {
  TestApiProvider,
  TestAppOptions,
  renderInTestApp,
} from '@backstage/test-utils';
import { ReactElement } from 'react';
import { MlopsApi, mlopsApiRef } from '../api';

/**
 * A catalog entity of an ML model: a production `ml-model` Component owned
 * by risk-ml, named after the model its `backstage-mlops.dev/model`
 * annotation links.
 */
export function mlModelEntity(model: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: model,
      namespace: 'default',
      annotations: { 'backstage-mlops.dev/model': model },
    },
    spec: { type: 'ml-model', owner: 'risk-ml', lifecycle: 'production' },
  };
}

/**
 * The entity under another name, its annotations kept: the same MLOps object
 * seen through an entity no earlier test has rendered. usePermission caches
 * its decisions per permission and entity (SWR) across the tests of a file,
 * so a test that needs another decision than the earlier tests renders one of
 * these, or the earlier "allowed" may leak into it.
 */
export function renamedEntity(entity: Entity, name: string): Entity {
  return { ...entity, metadata: { ...entity.metadata, name } };
}

/** The entity as `plain`, without any annotation: no card applies to it. */
export function unannotatedEntity(entity: Entity): Entity {
  return { ...entity, metadata: { name: 'plain', namespace: 'default' } };
}

/** A permission API that answers every request the same way, as a policy would. */
export function permissionApi(allow: boolean): PermissionApi {
  return {
    authorize: async () => ({ result: allow ? 'ALLOW' : 'DENY' }),
  } as unknown as PermissionApi;
}

const errorNames: Record<number, { name: string; statusText: string }> = {
  400: { name: 'InputError', statusText: 'Bad Request' },
  404: { name: 'NotFoundError', statusText: 'Not Found' },
  500: { name: 'Error', statusText: 'Internal Server Error' },
  503: { name: 'ServiceUnavailableError', statusText: 'Service Unavailable' },
};

/**
 * The ResponseError a Backstage backend's error answer turns into: a JSON
 * body with the error's name and message (NotFoundError for 404 and so on),
 * as the API clients throw it for a GET of `url`.
 */
export function backendError(
  status: keyof typeof errorNames,
  message: string,
  url = '/x',
): Promise<ResponseError> {
  const { name, statusText } = errorNames[status];
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name, message },
        request: { method: 'GET', url },
        response: { statusCode: status },
      }),
      {
        status,
        statusText,
        headers: { 'content-type': 'application/json' },
      },
    ),
  );
}

/** An API and its implementation, or the part of it a test needs. */
type ApiPair = readonly [ApiRef<any>, object];

/** What {@link renderEntityCard} puts around a card. */
export interface EntityCardSetup {
  /** The entity of the entity page the card is on. */
  entity: Entity;
  /** The MLOps API: only the methods the test needs. */
  api: Partial<MlopsApi>;
  /**
   * With a value, a permission API that allows (true) or denies (false)
   * every request; without, the app has no permission API.
   */
  permission?: boolean;
  /** Further APIs, such as the catalog's. */
  apis?: ReadonlyArray<ApiPair>;
  /** Route refs the card links to, by path. */
  mountedRoutes?: TestAppOptions['mountedRoutes'];
}

/**
 * Renders an entity card in a test app as on an entity page: the entity in an
 * EntityProvider and the MLOps API (and permission API, and others as asked)
 * in a TestApiProvider.
 */
export function renderEntityCard(card: ReactElement, setup: EntityCardSetup) {
  const apis: ApiPair[] = [...(setup.apis ?? []), [mlopsApiRef, setup.api]];
  if (setup.permission !== undefined) {
    apis.push([permissionApiRef, permissionApi(setup.permission)]);
  }
  return renderInTestApp(
    <TestApiProvider apis={apis}>
      <EntityProvider entity={setup.entity}>{card}</EntityProvider>
    </TestApiProvider>,
    setup.mountedRoutes ? { mountedRoutes: setup.mountedRoutes } : undefined,
  );
}

/**
 * Installs a ResizeObserver that observes nothing, for tests to call in a
 * beforeAll: recharts' ResponsiveContainer measures itself with one, which
 * browsers have and jsdom lacks. The charts stay empty; their labels and the
 * numbers around them stay testable.
 */
export function stubResizeObserver() {
  (globalThis as any).ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}
