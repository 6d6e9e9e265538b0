import { parseEntityRef } from '@backstage/catalog-model';
import {
  Link,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  FleetModel,
  FleetResponse,
  HealthStatus,
} from '@backstage-mlops/plugin-mlops-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
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

/**
 * Every registered model with its health, production version, drift, open
 * incidents and owner, worst health first, filterable by owner and status.
 */
export function FleetTable() {
  const mlopsApi = useApi(mlopsApiRef);
  const entityRoute = useRouteRef(entityRouteRef);
  const [owner, setOwner] = useState('');
  const [statuses, setStatuses] = useState<HealthStatus[]>([]);
  const [owners, setOwners] = useState<string[]>([]);

  const statusKey = statuses.join(',');
  const answer = useAsync(async () => {
    const response = await mlopsApi.getFleet({
      owner: owner || undefined,
      status: statusKey ? (statusKey.split(',') as HealthStatus[]) : undefined,
    });
    return { response, owner, statusKey };
  }, [mlopsApi, owner, statusKey]);
  const { error } = answer;
  // useAsync renders once with the previous answer before it notices new
  // filters; rows of other filters must not show under these ones.
  const current =
    answer.value?.owner === owner && answer.value?.statusKey === statusKey;
  const value = current ? answer.value?.response : undefined;
  const loading = answer.loading || !current;
  // Keep the owner choices while a filtered answer loads.
  useEffect(() => {
    if (value) {
      setOwners(value.owners);
    }
  }, [value]);

  const entityLink = (ref: string) => {
    const { kind, namespace, name } = parseEntityRef(ref);
    return entityRoute({ kind, namespace, name });
  };

  const available: FleetResponse['available'] = value?.available ?? {
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
      customSort: (a, b) =>
        STATUS_ORDER.indexOf(a.health) - STATUS_ORDER.indexOf(b.health),
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
      sorting: false,
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

  const items = [...(value?.items ?? [])].sort(
    (a, b) =>
      STATUS_ORDER.indexOf(a.health) - STATUS_ORDER.indexOf(b.health) ||
      a.name.localeCompare(b.name),
  );

  return (
    <>
      <FleetFilters
        owners={owners}
        owner={owner}
        onOwner={setOwner}
        statuses={statuses}
        onStatuses={setStatuses}
      />
      {error ? (
        <ResponseErrorPanel error={error} />
      ) : (
        <Table<FleetModel>
          title={`Models (${value?.total ?? 0})`}
          isLoading={loading}
          columns={columns}
          data={items}
          options={{
            paging: items.length > 25,
            pageSize: 25,
            search: false,
            padding: 'dense',
          }}
          emptyContent={
            <Box p={2}>
              <Typography variant="body2">
                {owner || statuses.length > 0
                  ? 'No model matches these filters.'
                  : 'No model is registered yet. Models appear here once a training job registers them.'}
              </Typography>
            </Box>
          }
        />
      )}
    </>
  );
}
