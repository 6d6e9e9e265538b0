import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { MlopsClient, mlopsApiRef } from './api';
import { mlopsRootRouteRef } from './routes';

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
  routes: { root: mlopsRootRouteRef },
});

/**
 * The MLOps page: the fleet of models and the triage guide. Mount it at
 * `/mlops` in the app's routes.
 *
 * @public
 */
export const MlopsPage = mlopsPlugin.provide(
  createRoutableExtension({
    name: 'MlopsPage',
    component: () => import('./components/MlopsPage').then(m => m.MlopsPage),
    mountPoint: mlopsRootRouteRef,
  }),
);

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

/**
 * Drift card for model entities (`backstage-mlops.dev/model`): the latest
 * drift check per feature, the dataset verdict in plain words, and the drift
 * share over time.
 *
 * @public
 */
export const EntityMlopsDriftCard = mlopsPlugin.provide(
  createComponentExtension({
    name: 'EntityMlopsDriftCard',
    component: {
      lazy: () =>
        import('./components/EntityMlopsDriftCard').then(
          m => m.EntityMlopsDriftCard,
        ),
    },
  }),
);

/**
 * Experiment runs card for entities with a `backstage-mlops.dev/experiment`
 * annotation and for ML model components: runs, chosen params and metrics,
 * and a comparison with a metric chart for selected runs.
 *
 * @public
 */
export const EntityMlopsExperimentRunsCard = mlopsPlugin.provide(
  createComponentExtension({
    name: 'EntityMlopsExperimentRunsCard',
    component: {
      lazy: () =>
        import('./components/EntityMlopsExperimentRunsCard').then(
          m => m.EntityMlopsExperimentRunsCard,
        ),
    },
  }),
);

/**
 * Team card for Group entities: the models, pipelines and experiments the
 * team owns, each with its health and open incidents, worst first.
 *
 * @public
 */
export const EntityMlopsTeamCard = mlopsPlugin.provide(
  createComponentExtension({
    name: 'EntityMlopsTeamCard',
    component: {
      lazy: () =>
        import('./components/EntityMlopsTeamCard').then(
          m => m.EntityMlopsTeamCard,
        ),
    },
  }),
);

/**
 * Model versions card for entities linked to a registered model
 * (`backstage-mlops.dev/model`): versions with stage, aliases, key metrics
 * and age, stage transitions and rollback with a reason, and the history.
 *
 * @public
 */
export const EntityMlopsModelVersionsCard = mlopsPlugin.provide(
  createComponentExtension({
    name: 'EntityMlopsModelVersionsCard',
    component: {
      lazy: () =>
        import('./components/EntityMlopsModelVersionsCard').then(
          m => m.EntityMlopsModelVersionsCard,
        ),
    },
  }),
);

/**
 * Incidents card for entities with a `backstage-mlops.dev/*` annotation:
 * open and recent incidents with their timelines, and acknowledge and
 * resolve actions for the entity's owners.
 *
 * @public
 */
export const EntityMlopsIncidentsCard = mlopsPlugin.provide(
  createComponentExtension({
    name: 'EntityMlopsIncidentsCard',
    component: {
      lazy: () =>
        import('./components/EntityMlopsIncidentsCard').then(
          m => m.EntityMlopsIncidentsCard,
        ),
    },
  }),
);

/**
 * Prediction metrics card for model entities (`backstage-mlops.dev/model`):
 * throughput, error rate, latency percentiles and accuracy over a window.
 *
 * @public
 */
export const EntityMlopsMetricsCard = mlopsPlugin.provide(
  createComponentExtension({
    name: 'EntityMlopsMetricsCard',
    component: {
      lazy: () =>
        import('./components/EntityMlopsMetricsCard').then(
          m => m.EntityMlopsMetricsCard,
        ),
    },
  }),
);

/**
 * Deployments card for model entities (`backstage-mlops.dev/model`): the
 * current version per environment, the history, deploy and rollback.
 *
 * @public
 */
export const EntityMlopsDeploymentsCard = mlopsPlugin.provide(
  createComponentExtension({
    name: 'EntityMlopsDeploymentsCard',
    component: {
      lazy: () =>
        import('./components/EntityMlopsDeploymentsCard').then(
          m => m.EntityMlopsDeploymentsCard,
        ),
    },
  }),
);

/**
 * Pipeline runs card for pipeline entities (`backstage-mlops.dev/pipeline`):
 * runs with a stage timeline and the classified failure reason.
 *
 * @public
 */
export const EntityMlopsPipelineRunsCard = mlopsPlugin.provide(
  createComponentExtension({
    name: 'EntityMlopsPipelineRunsCard',
    component: {
      lazy: () =>
        import('./components/EntityMlopsPipelineRunsCard').then(
          m => m.EntityMlopsPipelineRunsCard,
        ),
    },
  }),
);

/**
 * The MLOps tab of an entity page: health and open incidents, triage,
 * prediction metrics and drift side by side, deployments and versions, then
 * pipeline or experiment runs, in a responsive grid. Mount it in the entity
 * page of model, pipeline and experiment entities:
 * `<EntityLayout.Route path="/mlops" title="MLOps" if={isMlopsAvailable}>`.
 *
 * @public
 */
export const EntityMlopsContent = mlopsPlugin.provide(
  createComponentExtension({
    name: 'EntityMlopsContent',
    component: {
      lazy: () =>
        import('./components/EntityMlopsContent').then(
          m => m.EntityMlopsContent,
        ),
    },
  }),
);

/**
 * The compact MLOps card for an entity's Overview: status, the reason to
 * read first, open incidents, the Production version, and a link to the
 * MLOps tab (at `mlops` under the entity page unless `contentPath` says
 * otherwise).
 *
 * @public
 */
export const EntityMlopsSummaryCard = mlopsPlugin.provide(
  createComponentExtension({
    name: 'EntityMlopsSummaryCard',
    component: {
      lazy: () =>
        import('./components/EntityMlopsSummaryCard').then(
          m => m.EntityMlopsSummaryCard,
        ),
    },
  }),
);
