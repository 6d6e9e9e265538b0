/**
 * The MLOps plugin for apps on the new frontend system. The app discovers it
 * from this `./alpha` export with no wiring code: entities that carry a
 * `backstage-mlops.dev/*` annotation get an MLOps tab (`/mlops`) with the
 * whole dashboard and one compact summary card on Overview. The single
 * cards stay available, disabled by default: enable one in `app.extensions`
 * (e.g. `- entity-card:mlops/health`) to put it on Overview as well.
 *
 * @packageDocumentation
 */

import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import {
  SearchFilterResultTypeBlueprint,
  SearchResultListItemBlueprint,
} from '@backstage/plugin-search-react/alpha';
import { MLOPS_SEARCH_DOCUMENT_TYPE } from '@backstage-mlops/plugin-mlops-common';
import { MlopsClient, mlopsApiRef } from './api';
import {
  isMlopsAvailable,
  isMlopsExperimentAvailable,
  isMlopsModelAvailable,
  isMlopsPipelineAvailable,
  isMlopsTeamAvailable,
} from './conditions';
import { mlopsRootRouteRef } from './routes';
import MlopsIcon from '@material-ui/icons/Memory';

const mlopsRoot = convertLegacyRouteRef(mlopsRootRouteRef);

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
 * The MLOps tab of model, pipeline and experiment entities
 * (`entity-content:mlops`, at `/mlops` under the entity page): health and
 * open incidents, triage, metrics and drift, deployments and versions, runs.
 *
 * @alpha
 */
export const mlopsEntityContent = EntityContentBlueprint.make({
  params: {
    path: '/mlops',
    title: 'MLOps',
    filter: isMlopsAvailable,
    loader: () =>
      import('./components/EntityMlopsContent').then(m => (
        <m.EntityMlopsContent />
      )),
  },
});

/**
 * The compact MLOps summary card for Overview (`entity-card:mlops/summary`):
 * status, top reason, open incidents, Production version, a link to the tab.
 * The one MLOps card enabled by default.
 *
 * @alpha
 */
export const mlopsSummaryEntityCard = EntityCardBlueprint.make({
  name: 'summary',
  params: {
    // An info card: it stands beside About, on the first screen of Overview.
    type: 'info',
    filter: isMlopsAvailable,
    loader: () =>
      import('./components/EntityMlopsSummaryCard').then(m => (
        <m.EntityMlopsSummaryCard />
      )),
  },
});

/**
 * The health card as an entity card extension (`entity-card:mlops/health`),
 * disabled by default (the MLOps tab shows it).
 *
 * @alpha
 */
export const mlopsHealthEntityCard = EntityCardBlueprint.make({
  name: 'health',
  disabled: true,
  params: {
    filter: isMlopsAvailable,
    loader: () =>
      import('./components/EntityMlopsHealthCard').then(m => (
        <m.EntityMlopsHealthCard />
      )),
  },
});

/**
 * The experiment runs card as an entity card extension
 * (`entity-card:mlops/experiment-runs`), on entities naming an experiment
 * and on ML model components.
 *
 * @alpha
 */
export const mlopsExperimentRunsEntityCard = EntityCardBlueprint.make({
  name: 'experiment-runs',
  disabled: true,
  params: {
    filter: isMlopsExperimentAvailable,
    loader: () =>
      import('./components/EntityMlopsExperimentRunsCard').then(m => (
        <m.EntityMlopsExperimentRunsCard />
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
  disabled: true,
  params: {
    filter: isMlopsAvailable,
    loader: () =>
      import('./components/EntityMlopsTriageCard').then(m => (
        <m.EntityMlopsTriageCard />
      )),
  },
});

/**
 * The MLOps page at `/mlops` (`page:mlops`): the fleet view and the triage
 * guide. With a route ref, a title and an icon it also appears in the
 * sidebar, which lists every page that has all three.
 *
 * @alpha
 */
export const mlopsPage = PageBlueprint.make({
  params: {
    path: '/mlops',
    title: 'MLOps',
    icon: <MlopsIcon />,
    routeRef: mlopsRoot,
    loader: () =>
      import('./components/MlopsPage').then(m => <m.MlopsPageContent />),
  },
});

/**
 * Where the links MLflow's client prints after each run land
 * (`page:mlops/mlflow-link`, at `/mlflow`): the run's experiment on its
 * entity page. The backend's MLflow tracking URI root sends them here.
 *
 * @alpha
 */
export const mlopsMlflowLinkPage = PageBlueprint.make({
  name: 'mlflow-link',
  params: {
    path: '/mlflow',
    loader: () =>
      import('./components/MlflowLinkPage').then(m => <m.MlflowLinkPage />),
  },
});

/**
 * The drift card as an entity card extension (`entity-card:mlops/drift`),
 * on entities linked to a registered model.
 *
 * @alpha
 */
export const mlopsDriftEntityCard = EntityCardBlueprint.make({
  name: 'drift',
  disabled: true,
  params: {
    filter: isMlopsModelAvailable,
    loader: () =>
      import('./components/EntityMlopsDriftCard').then(m => (
        <m.EntityMlopsDriftCard />
      )),
  },
});

/**
 * The team card as an entity card extension (`entity-card:mlops/team`), on
 * Group pages: what the team owns, worst health first.
 *
 * @alpha
 */
export const mlopsTeamEntityCard = EntityCardBlueprint.make({
  name: 'team',
  params: {
    filter: isMlopsTeamAvailable,
    loader: () =>
      import('./components/EntityMlopsTeamCard').then(m => (
        <m.EntityMlopsTeamCard />
      )),
  },
});

/**
 * The model versions card as an entity card extension
 * (`entity-card:mlops/model-versions`), on entities linked to a registered
 * model.
 *
 * @alpha
 */
export const mlopsModelVersionsEntityCard = EntityCardBlueprint.make({
  name: 'model-versions',
  disabled: true,
  params: {
    filter: isMlopsModelAvailable,
    loader: () =>
      import('./components/EntityMlopsModelVersionsCard').then(m => (
        <m.EntityMlopsModelVersionsCard />
      )),
  },
});

/**
 * The incidents card as an entity card extension
 * (`entity-card:mlops/incidents`).
 *
 * @alpha
 */
export const mlopsIncidentsEntityCard = EntityCardBlueprint.make({
  name: 'incidents',
  disabled: true,
  params: {
    filter: isMlopsAvailable,
    loader: () =>
      import('./components/EntityMlopsIncidentsCard').then(m => (
        <m.EntityMlopsIncidentsCard />
      )),
  },
});

/**
 * The prediction metrics card as an entity card extension
 * (`entity-card:mlops/metrics`), on entities linked to a registered model.
 *
 * @alpha
 */
export const mlopsMetricsEntityCard = EntityCardBlueprint.make({
  name: 'metrics',
  disabled: true,
  params: {
    filter: isMlopsModelAvailable,
    loader: () =>
      import('./components/EntityMlopsMetricsCard').then(m => (
        <m.EntityMlopsMetricsCard />
      )),
  },
});

/**
 * The deployments card for model entities (`entity-card:mlops/deployments`).
 *
 * @alpha
 */
export const mlopsDeploymentsEntityCard = EntityCardBlueprint.make({
  name: 'deployments',
  disabled: true,
  params: {
    filter: isMlopsModelAvailable,
    loader: () =>
      import('./components/EntityMlopsDeploymentsCard').then(m => (
        <m.EntityMlopsDeploymentsCard />
      )),
  },
});

/**
 * The pipeline runs card for pipeline entities
 * (`entity-card:mlops/pipeline-runs`).
 *
 * @alpha
 */
export const mlopsPipelineRunsEntityCard = EntityCardBlueprint.make({
  name: 'pipeline-runs',
  disabled: true,
  params: {
    filter: isMlopsPipelineAvailable,
    loader: () =>
      import('./components/EntityMlopsPipelineRunsCard').then(m => (
        <m.EntityMlopsPipelineRunsCard />
      )),
  },
});

/**
 * The MLOps frontend plugin for the new frontend system.
 *
 * @alpha
 */
/**
 * Search results of the `mlops` type (models, pipelines, experiments and
 * triage guide entries, from `search-backend-module-mlops`).
 *
 * @alpha
 */
export const mlopsSearchResultListItem = SearchResultListItemBlueprint.make({
  params: {
    predicate: result => result.type === MLOPS_SEARCH_DOCUMENT_TYPE,
    component: async () => {
      const { MlopsSearchResultListItem } = await import(
        './components/MlopsSearchResultListItem'
      );
      return props => <MlopsSearchResultListItem {...props} />;
    },
    icon: <MlopsIcon />,
  },
});

/**
 * The "MLOps" result type on the search page.
 *
 * @alpha
 */
export const mlopsSearchResultType = SearchFilterResultTypeBlueprint.make({
  params: {
    value: MLOPS_SEARCH_DOCUMENT_TYPE,
    name: 'MLOps',
    icon: <MlopsIcon />,
  },
});

export default createFrontendPlugin({
  pluginId: 'mlops',
  title: 'MLOps',
  icon: <MlopsIcon />,
  routes: { root: mlopsRoot },
  info: { packageJson: () => import('../package.json') },
  // Cards enabled by hand render in this order on Overview: what is wrong
  // and what to do first, then the numbers behind it, then the release and
  // training history (the MLOps tab lays the same cards out in a grid).
  extensions: [
    mlopsApi,
    mlopsPage,
    mlopsMlflowLinkPage,
    mlopsEntityContent,
    mlopsSummaryEntityCard,
    mlopsHealthEntityCard,
    mlopsIncidentsEntityCard,
    mlopsTriageEntityCard,
    mlopsMetricsEntityCard,
    mlopsDriftEntityCard,
    mlopsDeploymentsEntityCard,
    mlopsModelVersionsEntityCard,
    mlopsPipelineRunsEntityCard,
    mlopsExperimentRunsEntityCard,
    mlopsTeamEntityCard,
    mlopsSearchResultListItem,
    mlopsSearchResultType,
  ],
});
