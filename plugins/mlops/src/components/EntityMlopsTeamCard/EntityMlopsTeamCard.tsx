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
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { MlopsApi, mlopsApiRef } from '../../api';
import { HealthStatusLabel } from '../HealthStatus';

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

/**
 * For a Group: the models, pipelines and experiments the team owns, each with
 * its health and open incidents, worst first.
 *
 * @public
 */
export function EntityMlopsTeamCard(props: { title?: string }) {
  const { entity: group } = useEntity();
  const catalogApi = useApi(catalogApiRef);
  const mlopsApi = useApi(mlopsApiRef);
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
  return (
    <InfoCard title={title} noPadding>
      <Table size="small" aria-label="Owned MLOps entities">
        <TableHead>
          <TableRow>
            <TableCell>Name</TableCell>
            <TableCell>Kind</TableCell>
            <TableCell>Health</TableCell>
            {incidentsAvailable && <TableCell>Open incidents</TableCell>}
            <TableCell>Problem</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {value.rows.map(row => (
            <TableRow key={stringifyEntityRef(row.entity)}>
              <TableCell>
                <EntityRefLink entityRef={row.entity} />
              </TableCell>
              <TableCell>{KIND_LABELS[row.what]}</TableCell>
              <TableCell>
                <HealthStatusLabel status={row.status} />
              </TableCell>
              {incidentsAvailable && (
                <TableCell>{row.openIncidents ?? '—'}</TableCell>
              )}
              <TableCell>
                <Typography variant="body2" color="textSecondary">
                  {row.problem ?? ''}
                </Typography>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {value.total > value.rows.length && (
        <Typography variant="caption" color="textSecondary">
          Showing the first {value.rows.length} of {value.total}.
        </Typography>
      )}
    </InfoCard>
  );
}
