import {
  Content,
  EmptyState,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
  useRouteRef,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { ANNOTATION_MLOPS_EXPERIMENT } from '@backstage-mlops/plugin-mlops-common';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { useEffect } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';

/**
 * The experiment and run an MLflow UI fragment names
 * (`/experiments/<id>/runs/<run id>`, as MLflow's client prints after each
 * run), or `undefined` for anything else.
 */
export function parseMlflowRoute(
  route: string,
): { experimentId: string; runId?: string } | undefined {
  const match =
    /^\/?experiments\/(\d{1,18})(?:\/runs\/([0-9a-f]{32}))?\/?$/i.exec(route);
  return match ? { experimentId: match[1], runId: match[2] } : undefined;
}

/**
 * Where the link MLflow's client prints lands (`<tracking URI>/#/experiments/…`
 * hands its fragment here as `?route=`): after sign-in, the experiment's
 * entity page, on its MLOps tab, with the run named in the address.
 */
export function MlflowLinkPage() {
  const location = useLocation();
  const navigate = useNavigate();
  const catalogApi = useApi(catalogApiRef);
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  const entityRoute = useRouteRef(entityRouteRef);
  const route = new URLSearchParams(location.search).get('route') ?? '';
  const target = parseMlflowRoute(route);

  const state = useAsync(async () => {
    if (!target) return undefined;
    const base = await discoveryApi.getBaseUrl('mlops');
    const response = await fetchApi.fetch(
      `${base}/experiments/${encodeURIComponent(target.experimentId)}`,
    );
    if (!response.ok) throw await ResponseError.fromResponse(response);
    const experiment = (await response.json()) as { name: string };
    const { items } = await catalogApi.getEntities({
      filter: {
        [`metadata.annotations.${ANNOTATION_MLOPS_EXPERIMENT}`]:
          experiment.name,
      },
      fields: ['kind', 'metadata.name', 'metadata.namespace'],
    });
    const entity = items[0];
    if (!entity) return { experiment: experiment.name };
    const path = entityRoute({
      kind: entity.kind.toLocaleLowerCase('en-US'),
      namespace: entity.metadata.namespace ?? 'default',
      name: entity.metadata.name,
    });
    return {
      experiment: experiment.name,
      path: `${path}/mlops${target.runId ? `?run=${target.runId}` : ''}`,
    };
  }, [route]);

  useEffect(() => {
    if (state.value?.path) navigate(state.value.path, { replace: true });
  }, [state.value, navigate]);

  let content;
  if (!target) {
    content = (
      <EmptyState
        missing="info"
        title="Not an MLflow run link"
        description={`"${route}" does not name an experiment or run (expected /experiments/<id>/runs/<run id>).`}
      />
    );
  } else if (state.loading || state.value?.path) {
    content = <Progress />;
  } else if (state.error) {
    content = <ResponseErrorPanel error={state.error} />;
  } else {
    content = (
      <EmptyState
        missing="data"
        title={`No catalog entity shows experiment ${state.value?.experiment}`}
        description="The catalog lists it within a few minutes of its first run."
      />
    );
  }
  return (
    <Page themeId="tool">
      <Header title="MLflow run" subtitle={route} />
      <Content>{content}</Content>
    </Page>
  );
}
