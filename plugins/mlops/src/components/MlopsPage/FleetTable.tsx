import { parseEntityRef } from '@backstage/catalog-model';
import {
  Link,
  ResponseErrorPanel,
  Table,
  TableColumn,
  TableProps,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  FLEET_DEFAULT_PAGE_SIZE,
  FLEET_SORT_KEYS,
  FleetModel,
  FleetResponse,
  FleetSortKey,
  HealthStatus,
} from '@backstage-mlops/plugin-mlops-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useEffect, useRef, useState } from 'react';
import { mlopsApiRef } from '../../api';
import { HEALTH_STATUS_LABELS, HealthStatusLabel } from '../HealthStatus';

const useStyles = makeStyles(theme => ({
  filters: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
  },
  chips: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
  },
  owner: {
    minWidth: 220,
  },
}));

const STATUS_ORDER: HealthStatus[] = [
  'unhealthy',
  'degraded',
  'unknown',
  'healthy',
];

function HealthCell(props: { model: FleetModel }) {
  const { health, problems } = props.model;
  const title = problems.length > 0 ? problems.join('\n') : undefined;
  return (
    <span title={title}>
      <HealthStatusLabel status={health} />
    </span>
  );
}

/** Shows `owner` without the default kind and namespace, as the catalog does. */
export function shortOwner(owner: string): string {
  try {
    const ref = parseEntityRef(owner);
    return ref.kind === 'group' && ref.namespace === 'default'
      ? ref.name
      : owner;
  } catch {
    return owner;
  }
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** Text of the drift column; "n/a" means no drift capability is installed. */
export function driftText(model: FleetModel, available: boolean): string {
  if (!available) {
    return 'n/a';
  }
  if (!model.drift) {
    return 'No report yet';
  }
  const drifted = `${percent(model.drift.driftShare)} of features drifted`;
  return model.drift.datasetDrift
    ? `Dataset drift: ${drifted}`
    : `No dataset drift (${drifted})`;
}

function FleetFilters(props: {
  owners: string[];
  owner: string;
  onOwner: (owner: string) => void;
  statuses: HealthStatus[];
  onStatuses: (statuses: HealthStatus[]) => void;
}) {
  const classes = useStyles();
  const { statuses, onStatuses } = props;
  return (
    <Box className={classes.filters}>
      <TextField
        select
        id="mlops-fleet-owner"
        className={classes.owner}
        label="Owner"
        variant="outlined"
        size="small"
        value={props.owner}
        onChange={e => props.onOwner(e.target.value)}
        SelectProps={{ native: true }}
        InputLabelProps={{ shrink: true }}
      >
        <option value="">All owners</option>
        {props.owners.map(o => (
          <option key={o} value={o}>
            {shortOwner(o)}
          </option>
        ))}
      </TextField>
      <Box className={classes.chips} role="group" aria-label="Health status">
        <Typography variant="body2" color="textSecondary">
          Status:
        </Typography>
        {STATUS_ORDER.map(status => {
          const selected = statuses.includes(status);
          return (
            <Chip
              key={status}
              label={HEALTH_STATUS_LABELS[status]}
              clickable
              color={selected ? 'primary' : 'default'}
              variant={selected ? 'default' : 'outlined'}
              aria-pressed={selected}
              onClick={() =>
                onStatuses(
                  selected
                    ? statuses.filter(s => s !== status)
                    : [...statuses, status],
                )
              }
            />
          );
        })}
      </Box>
    </Box>
  );
}

type FleetPage = { response: FleetResponse; owner: string; statusKey: string };
// The table's remote-data callback (material-table's query and result).
type LoadFleet = Extract<
  NonNullable<TableProps<FleetModel>['data']>,
  (...args: any[]) => any
>;

/**
 * Every registered model with its health, production version, drift, open
 * incidents and owner, worst health first, filterable by owner and status.
 * The backend filters, sorts and pages (a fleet of thousands loads one page
 * at a time); sorting a column asks it for that order.
 */
export function FleetTable() {
  const mlopsApi = useApi(mlopsApiRef);
  const entityRoute = useRouteRef(entityRouteRef);
  const [owner, setOwner] = useState('');
  const [statuses, setStatuses] = useState<HealthStatus[]>([]);
  const [owners, setOwners] = useState<string[]>([]);
  const [last, setLast] = useState<FleetResponse>();
  const [error, setError] = useState<Error>();
  const tableRef = useRef<any>();
  const statusKey = statuses.join(',');
  // The filters the table's next request reads; the data callback is
  // created once by the table, so it must not close over stale state.
  const filters = useRef({ owner, statusKey });
  filters.current = { owner, statusKey };
  // Only the newest request's answer may reach the table: an older one that
  // resolves last would otherwise show rows of other filters.
  const newest = useRef<Promise<FleetPage>>();

  // The table loads the first page itself; new filters load it again.
  const loadedFilters = useRef(`${owner}|${statusKey}`);
  useEffect(() => {
    const key = `${owner}|${statusKey}`;
    if (loadedFilters.current !== key) {
      loadedFilters.current = key;
      tableRef.current?.onQueryChange({ page: 0 });
    }
  }, [owner, statusKey]);

  const load: LoadFleet = async query => {
    const wanted = filters.current;
    const field = query.orderBy?.field as FleetSortKey | undefined;
    const request = mlopsApi
      .getFleet({
        owner: wanted.owner || undefined,
        status: wanted.statusKey
          ? (wanted.statusKey.split(',') as HealthStatus[])
          : undefined,
        sort: field && FLEET_SORT_KEYS.includes(field) ? field : 'health',
        order: field && query.orderDirection === 'desc' ? 'desc' : 'asc',
        offset: query.page * query.pageSize,
        limit: query.pageSize,
      })
      .then(response => ({ response, ...wanted }));
    newest.current = request;
    let answer: FleetPage;
    try {
      let awaited = request;
      answer = await awaited;
      // A newer request started meanwhile: answer with its rows instead.
      while (newest.current && newest.current !== awaited) {
        awaited = newest.current;
        answer = await awaited;
      }
    } catch (e) {
      setError(e as Error);
      return { data: [], page: 0, totalCount: 0 };
    }
    setError(undefined);
    setLast(answer.response);
    // Keep the owner choices while a filtered answer loads.
    setOwners(answer.response.owners);
    return {
      data: answer.response.items,
      page: Math.floor(answer.response.offset / answer.response.limit),
      totalCount: answer.response.total,
    };
  };

  const entityLink = (ref: string) => {
    const { kind, namespace, name } = parseEntityRef(ref);
    return entityRoute({ kind, namespace, name });
  };

  const available: FleetResponse['available'] = last?.available ?? {
    productionVersion: false,
    drift: false,
    openIncidents: false,
  };
  const columns: TableColumn<FleetModel>[] = [
    {
      title: 'Model',
      field: 'name',
      highlight: true,
      render: model =>
        model.entityRef ? (
          <Link to={entityLink(model.entityRef)}>
            {model.title ?? model.name}
          </Link>
        ) : (
          <span title="No catalog entity claims this model yet">
            {model.name}
          </span>
        ),
    },
    {
      title: 'Health',
      field: 'health',
      // The backend's default order: worst health first.
      defaultSort: 'asc',
      render: model => <HealthCell model={model} />,
    },
    {
      title: 'Production version',
      field: 'productionVersion',
      render: model => {
        if (!available.productionVersion) {
          return 'n/a';
        }
        return model.productionVersion === null
          ? 'None'
          : `v${model.productionVersion}`;
      },
    },
    {
      title: 'Drift',
      field: 'drift',
      render: model => driftText(model, available.drift),
    },
    {
      title: 'Open incidents',
      field: 'openIncidents',
      render: model =>
        available.openIncidents ? String(model.openIncidents ?? 0) : 'n/a',
    },
    {
      title: 'Owner',
      field: 'owner',
      render: model =>
        model.owner ? (
          <Link to={entityLink(model.owner)}>{shortOwner(model.owner)}</Link>
        ) : (
          'No owner'
        ),
    },
  ];

  return (
    <>
      <FleetFilters
        owners={owners}
        owner={owner}
        onOwner={setOwner}
        statuses={statuses}
        onStatuses={setStatuses}
      />
      {error && <ResponseErrorPanel error={error} />}
      <Box display={error ? 'none' : undefined}>
        <Table<FleetModel>
          tableRef={tableRef}
          title={`Models (${last?.total ?? 0})`}
          columns={columns}
          data={load}
          options={{
            paging: true,
            pageSize: FLEET_DEFAULT_PAGE_SIZE,
            pageSizeOptions: [FLEET_DEFAULT_PAGE_SIZE, 50, 100],
            search: false,
            padding: 'dense',
            // Sorting is the backend's; one column at a time.
            thirdSortClick: false,
          }}
          // emptyContent only applies to in-memory data; remote data's
          // empty page says this instead.
          localization={{
            body: {
              emptyDataSourceMessage:
                owner || statuses.length > 0
                  ? 'No model matches these filters.'
                  : 'No model is registered yet. Models appear here once a training job registers them.',
            },
          }}
        />
      </Box>
    </>
  );
}
