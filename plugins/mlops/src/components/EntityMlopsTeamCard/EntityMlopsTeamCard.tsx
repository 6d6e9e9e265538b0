import {
  Entity,
  getCompoundEntityRef,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  catalogApiRef,
  EntityRefLink,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  HealthStatus,
  MLOPS_OBJECT_ANNOTATIONS,
  MlopsObjectKind,
} from '@backstage-mlops/plugin-mlops-common';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import { makeStyles } from '@material-ui/core/styles';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { MlopsApi, mlopsApiRef } from '../../api';
import { HealthStatusLabel } from '../HealthStatus';
import { MlopsTable } from '../MlopsTable';

/** At most this many owned entities get a health lookup each. */
const MAX_ENTITIES = 100;
// Summary lookups run a few at a time so a big team does not flood the backend.
const LOOKUP_CONCURRENCY = 6;

const STATUS_RANK: Record<HealthStatus, number> = {
  unhealthy: 0,
  degraded: 1,
  unknown: 2,
  healthy: 3,
};

const KIND_LABELS: Record<MlopsObjectKind, string> = {
  model: 'Model',
  pipeline: 'Pipeline',
  experiment: 'Experiment',
};

/** One owned entity with what the card shows about it. */
export interface TeamMlopsRow {
  entity: Entity;
  what: MlopsObjectKind;
  status: HealthStatus;
  /** The worst reason's message, or why the health could not be read. */
  problem?: string;
  /** Open (incl. acknowledged) incidents; null when not available. */
  openIncidents: number | null;
}

function kindOf(entity: Entity): MlopsObjectKind | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const typed: Record<string, MlopsObjectKind> = {
    'ml-model': 'model',
    'ml-pipeline': 'pipeline',
    'ml-experiment': 'experiment',
  };
  const byType = typed[String(entity.spec?.type ?? '')];
  if (byType) {
    return byType;
  }
  return (Object.keys(MLOPS_OBJECT_ANNOTATIONS) as MlopsObjectKind[]).find(
    kind => annotations[MLOPS_OBJECT_ANNOTATIONS[kind]],
  );
}

async function mapLimited<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
  return results;
}

async function describe(
  api: MlopsApi,
  entity: Entity,
  what: MlopsObjectKind,
): Promise<TeamMlopsRow> {
  const ref = getCompoundEntityRef(entity);
  const [summary, incidents] = await Promise.all([
    api.getEntitySummary(ref).catch((error: Error) => error),
    api.getEntityIncidents
      ? api.getEntityIncidents(ref).catch(() => undefined)
      : Promise.resolve(undefined),
  ]);
  const openIncidents = incidents
    ? incidents.items.filter(i => i.status !== 'resolved').length
    : null;
  if (summary instanceof Error) {
    return {
      entity,
      what,
      status: 'unknown',
      problem: `Health not available: ${summary.message}`,
      openIncidents,
    };
  }
  return {
    entity,
    what,
    status: summary.status,
    problem: summary.reasons[0]?.message,
    openIncidents,
  };
}

/** Worst first: health, then open incidents, then name. */
export function compareTeamRows(a: TeamMlopsRow, b: TeamMlopsRow): number {
  return (
    STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
    (b.openIncidents ?? 0) - (a.openIncidents ?? 0) ||
    a.entity.metadata.name.localeCompare(b.entity.metadata.name)
  );
}

const useStyles = makeStyles(theme => ({
  counts: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1, 3),
    padding: theme.spacing(2, 2.5, 1),
  },
  count: {
    display: 'flex',
    alignItems: 'baseline',
    gap: theme.spacing(1),
    whiteSpace: 'nowrap',
  },
  nameCell: {
    // The name column takes the room left by the short columns, and no more.
    maxWidth: 0,
    width: '100%',
  },
  name: {
    display: 'block',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  },
  problem: {
    display: '-webkit-box',
    WebkitLineClamp: 2,
    WebkitBoxOrient: 'vertical',
    overflow: 'hidden',
  },
  footer: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    padding: theme.spacing(1, 2.5),
    '&:empty': { display: 'none' },
  },
}));

// Rows shown before "Show all": the worst, which are the ones to act on.
const WORST_SHOWN = 10;

const STATUS_ORDER: HealthStatus[] = [
  'unhealthy',
  'degraded',
  'unknown',
  'healthy',
];

/** How many owned entities are in each status, worst first, and open incidents. */
function StatusCounts(props: {
  rows: TeamMlopsRow[];
  incidentsAvailable: boolean;
}) {
  const classes = useStyles();
  const incidents = props.rows.reduce((n, r) => n + (r.openIncidents ?? 0), 0);
  return (
    <Box className={classes.counts} aria-label="Owned entities by health">
      {STATUS_ORDER.map(status => (
        <Box
          key={status}
          className={classes.count}
          data-testid={`mlops-team-count-${status}`}
        >
          <Typography variant="h6" component="span">
            {props.rows.filter(r => r.status === status).length}
          </Typography>
          <HealthStatusLabel status={status} />
        </Box>
      ))}
      {props.incidentsAvailable && (
        <Box className={classes.count} data-testid="mlops-team-count-incidents">
          <Typography variant="h6" component="span">
            {incidents}
          </Typography>
          <Typography variant="body2" component="span">
            open incidents
          </Typography>
        </Box>
      )}
    </Box>
  );
}

/**
 * For a Group: how many of the models, pipelines and experiments the team
 * owns are in each health status, then the worst of them first, each with its
 * kind, its worst problem and its open incidents. Names are cut to the card's
 * width (the whole name is the link's title), so the card reads at any width.
 *
 * @public
 */
export function EntityMlopsTeamCard(props: { title?: string }) {
  const { entity: group } = useEntity();
  const catalogApi = useApi(catalogApiRef);
  const mlopsApi = useApi(mlopsApiRef);
  const classes = useStyles();
  const [showAll, setShowAll] = useState(false);
  const groupRef = stringifyEntityRef(group);

  const { value, loading, error } = useAsync(async () => {
    const { items } = await catalogApi.getEntities({
      filter: { [`relations.${RELATION_OWNED_BY}`]: groupRef },
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        'metadata.title',
        'metadata.annotations',
        'spec.type',
      ],
    });
    const owned = items
      .map(entity => ({ entity, what: kindOf(entity) }))
      .filter(
        (o): o is { entity: Entity; what: MlopsObjectKind } =>
          o.what !== undefined &&
          Object.values(MLOPS_OBJECT_ANNOTATIONS).some(
            a => o.entity.metadata.annotations?.[a],
          ),
      );
    const rows = await mapLimited(
      owned.slice(0, MAX_ENTITIES),
      LOOKUP_CONCURRENCY,
      o => describe(mlopsApi, o.entity, o.what),
    );
    return { rows: rows.sort(compareTeamRows), total: owned.length };
  }, [catalogApi, mlopsApi, groupRef]);

  const title = props.title ?? 'ML models, pipelines and experiments';
  if (loading) {
    return (
      <InfoCard title={title}>
        <Progress />
      </InfoCard>
    );
  }
  if (error) {
    return (
      <InfoCard title={title}>
        <ResponseErrorPanel error={error} />
      </InfoCard>
    );
  }
  if (!value || value.rows.length === 0) {
    return (
      <InfoCard title={title}>
        <EmptyState
          missing="data"
          title="No ML models, pipelines or experiments"
          description="Nothing in the catalog that carries a backstage-mlops.dev annotation is owned by this team."
        />
      </InfoCard>
    );
  }
  const incidentsAvailable = value.rows.some(r => r.openIncidents !== null);
  const shown = showAll ? value.rows : value.rows.slice(0, WORST_SHOWN);
  return (
    <InfoCard title={title} noPadding>
      <StatusCounts rows={value.rows} incidentsAvailable={incidentsAvailable} />
      <MlopsTable aria-label="Owned MLOps entities">
        <TableHead>
          <TableRow>
            <TableCell>Name</TableCell>
            <TableCell>Health</TableCell>
            {incidentsAvailable && (
              <TableCell align="right">Open incidents</TableCell>
            )}
          </TableRow>
        </TableHead>
        <TableBody>
          {shown.map(row => (
            <TableRow key={stringifyEntityRef(row.entity)}>
              <TableCell className={classes.nameCell}>
                <Tooltip
                  title={row.entity.metadata.title ?? row.entity.metadata.name}
                  enterDelay={400}
                >
                  <span className={classes.name}>
                    <EntityRefLink entityRef={row.entity} />
                  </span>
                </Tooltip>
                <Typography
                  variant="caption"
                  color="textSecondary"
                  component="div"
                  className={classes.problem}
                >
                  {KIND_LABELS[row.what]}
                  {row.problem ? ` · ${row.problem}` : ''}
                </Typography>
              </TableCell>
              <TableCell>
                <HealthStatusLabel status={row.status} />
              </TableCell>
              {incidentsAvailable && (
                <TableCell align="right">{row.openIncidents ?? '—'}</TableCell>
              )}
            </TableRow>
          ))}
        </TableBody>
      </MlopsTable>
      <Box className={classes.footer}>
        {value.rows.length > WORST_SHOWN && (
          <Button size="small" onClick={() => setShowAll(!showAll)}>
            {showAll
              ? `Show the worst ${WORST_SHOWN}`
              : `Show all ${value.rows.length}`}
          </Button>
        )}
        {value.total > value.rows.length && (
          <Typography variant="caption" color="textSecondary">
            Showing the first {value.rows.length} of {value.total}.
          </Typography>
        )}
      </Box>
    </InfoCard>
  );
}
