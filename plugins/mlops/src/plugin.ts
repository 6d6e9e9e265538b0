import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { MlopsClient, mlopsApiRef } from './api';

/**
 * The MLOps frontend plugin for apps on the legacy frontend system.
 *
 * @public
 */
export const mlopsPlugin = createPlugin({
  id: 'mlops',
  apis: [
    createApiFactory({
      api: mlopsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new MlopsClient({ discoveryApi, fetchApi }),
    }),
  ],
});

/**
 * Triage card: guidance for what is wrong with an entity right now.
 *
 * @public
 */
export const EntityMlopsTriageCard = mlopsPlugin.provide(
  createComponentExtension({
    name: 'EntityMlopsTriageCard',
    component: {
      lazy: () =>
        import('./components/EntityMlopsTriageCard').then(
          m => m.EntityMlopsTriageCard,
        ),
    },
  }),
);

/**
 * Health card for entities with a `backstage-mlops.dev/*` annotation.
 *
 * @public
 */
export const EntityMlopsHealthCard = mlopsPlugin.provide(
  createComponentExtension({
    name: 'EntityMlopsHealthCard',
    component: {
      lazy: () =>
        import('./components/EntityMlopsHealthCard').then(
          m => m.EntityMlopsHealthCard,
        ),
    },
  }),
);
