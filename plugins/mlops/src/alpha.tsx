/**
 * The MLOps plugin for apps on the new frontend system. The app discovers it
 * from this `./alpha` export; its cards appear on entities that carry a
 * `backstage-mlops.dev/*` annotation with no wiring code in the app.
 *
 * @packageDocumentation
 */

import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { MlopsClient, mlopsApiRef } from './api';
import { isMlopsAvailable } from './conditions';

const mlopsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: mlopsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new MlopsClient({ discoveryApi, fetchApi }),
    }),
});

/**
 * The health card as an entity card extension (`entity-card:mlops/health`).
 *
 * @alpha
 */
export const mlopsHealthEntityCard = EntityCardBlueprint.make({
  name: 'health',
  params: {
    filter: isMlopsAvailable,
    loader: () =>
      import('./components/EntityMlopsHealthCard').then(m => (
        <m.EntityMlopsHealthCard />
      )),
  },
});

/**
 * The triage card as an entity card extension (`entity-card:mlops/triage`).
 *
 * @alpha
 */
export const mlopsTriageEntityCard = EntityCardBlueprint.make({
  name: 'triage',
  params: {
    filter: isMlopsAvailable,
    loader: () =>
      import('./components/EntityMlopsTriageCard').then(m => (
        <m.EntityMlopsTriageCard />
      )),
  },
});

/**
 * The MLOps frontend plugin for the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'mlops',
  info: { packageJson: () => import('../package.json') },
  extensions: [mlopsApi, mlopsHealthEntityCard, mlopsTriageEntityCard],
});
