import { InfoCard } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import {
  entityRouteParams,
  entityRouteRef,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  EntityHealthSummary,
  HealthReason,
  MLOPS_OBJECT_ANNOTATIONS,
  hasMlopsAnnotation,
} from '@backstage-mlops/plugin-mlops-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { isMlopsModelAvailable } from '../../conditions';
import { useEntityMlopsData } from '../../hooks/useEntityMlopsData';
import { EntityMlopsDataContent } from '../EntityMlopsDataContent';
import { symptomTitle } from '../EntityMlopsIncidentsCard/format';
import { HealthStatusLabel } from '../HealthStatus';

const useStyles = makeStyles(theme => ({
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content minmax(0, 1fr)',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.5),
    margin: 0,
    '& dt': {
      color: theme.palette.text.secondary,
      whiteSpace: 'nowrap',
    },
    '& dd': {
      margin: 0,
      overflowWrap: 'normal',
      wordBreak: 'normal',
    },
  },
}));

/** The path of the MLOps tab under an entity's page, as the demo app mounts it. */
export const MLOPS_ENTITY_CONTENT_PATH = 'mlops';

interface SummaryData {
  summary: EntityHealthSummary;
  /** Undefined when the incidents could not be read. */
  openIncidents?: number;
  /** Model name → Production version; undefined when not a model entity or unreadable. */
  production?: Array<{ model: string; version?: number }>;
}

/** The reason an on-call engineer should read first: critical before warning. */
export function topReason(reasons: HealthReason[]): HealthReason | undefined {
  return (
    reasons.find(r => r.severity === 'critical') ??
    reasons.find(r => r.severity === 'warning') ??
    reasons[0]
  );
}

function productionText(production: SummaryData['production']): string {
  if (!production || production.length === 0) {
    return 'unavailable';
  }
  return production
    .map(p => {
      const version =
        p.version === undefined ? 'none in Production' : `v${p.version}`;
      return production.length > 1 ? `${p.model} ${version}` : version;
    })
    .join(', ');
}

/**
 * A compact MLOps summary for an entity's Overview: health status, the
 * reason to read first, the number of open incidents, the Production version
 * of a model, and a link to the MLOps tab with everything else.
 *
 * @public
 */
export function EntityMlopsSummaryCard(props: {
  /** The MLOps tab's path under the entity page; `mlops` unless mounted elsewhere. */
  contentPath?: string;
}) {
  const classes = useStyles();
  const { entity } = useEntity();
  const entityRoute = useRouteRef(entityRouteRef);
  const tabLink = `${entityRoute(entityRouteParams(entity))}/${
    props.contentPath ?? MLOPS_ENTITY_CONTENT_PATH
  }`;
  const isModel = isMlopsModelAvailable(entity);

  const { annotated, value, loading, error } = useEntityMlopsData<SummaryData>(
    hasMlopsAnnotation,
    async (api, entityRef) => {
      // Health decides the card; incidents and versions are extra facts
      // whose failure leaves the rest readable.
      const [summary, incidents, models] = await Promise.all([
        api.getEntitySummary(entityRef),
        api.getEntityIncidents
          ? api.getEntityIncidents(entityRef).catch(() => undefined)
          : Promise.resolve(undefined),
        isModel
          ? api.getEntityModels(entityRef).catch(() => undefined)
          : Promise.resolve(undefined),
      ]);
      return {
        summary,
        openIncidents: incidents?.items.filter(i => i.status !== 'resolved')
          .length,
        production: models?.models
          .filter(m => m.known)
          .map(m => ({ model: m.name, version: m.model?.productionVersion })),
      };
    },
    [isModel],
  );

  return (
    <InfoCard
      title="MLOps"
      deepLink={{ title: 'Open the MLOps tab', link: tabLink }}
    >
      <EntityMlopsDataContent
        annotated={annotated}
        annotation={Object.values(MLOPS_OBJECT_ANNOTATIONS)}
        loading={loading}
        error={error}
      >
        {() => {
          const { summary, openIncidents, production } = value!;
          const reason = topReason(summary.reasons);
          return (
            <Box component="dl" className={classes.facts}>
              <dt>Status</dt>
              <dd data-testid="mlops-summary-status">
                <HealthStatusLabel status={summary.status} />
              </dd>
              <dt>Top reason</dt>
              <dd data-testid="mlops-summary-reason">
                {reason ? (
                  <>
                    <Typography variant="body2" component="span">
                      {reason.message}
                    </Typography>
                    <Typography
                      variant="caption"
                      color="textSecondary"
                      component="div"
                    >
                      {`${reason.severity} · ${symptomTitle(reason.symptom)}${
                        summary.reasons.length > 1
                          ? ` · ${summary.reasons.length - 1} more`
                          : ''
                      }`}
                    </Typography>
                  </>
                ) : (
                  <Typography variant="body2" component="span">
                    {summary.status === 'unknown'
                      ? 'No monitoring data yet'
                      : 'None'}
                  </Typography>
                )}
              </dd>
              <dt>Open incidents</dt>
              <dd data-testid="mlops-summary-incidents">
                <Typography variant="body2" component="span">
                  {openIncidents === undefined
                    ? 'unavailable'
                    : String(openIncidents)}
                </Typography>
              </dd>
              {isModel && (
                <>
                  <dt>Production</dt>
                  <dd data-testid="mlops-summary-production">
                    <Typography variant="body2" component="span">
                      {productionText(production)}
                    </Typography>
                  </dd>
                </>
              )}
            </Box>
          );
        }}
      </EntityMlopsDataContent>
    </InfoCard>
  );
}
