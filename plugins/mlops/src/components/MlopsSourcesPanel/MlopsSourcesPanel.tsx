import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { MlopsSourceStatus } from '@backstage-mlops/plugin-mlops-common';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { mlopsApiRef } from '../../api';

const TYPE_TITLES: Record<string, string> = {
  mlflow: 'MLflow',
  airflow: 'Airflow',
  prefect: 'Prefect',
  prometheus: 'Prometheus',
};

/** "3 min", "2 h 5 min": how long ago the last success was. */
export function formatLag(ms: number | undefined): string {
  if (ms === undefined) {
    return '—';
  }
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days`;
}

function StateLabel({ source }: { source: MlopsSourceStatus }) {
  switch (source.state) {
    case 'ok':
      return <StatusOK>ok</StatusOK>;
    case 'syncing':
      return <StatusPending>syncing</StatusPending>;
    case 'never_synced':
      return <StatusPending>not synced yet</StatusPending>;
    case 'circuit_open':
      return <StatusError>paused after repeated failures</StatusError>;
    default:
      return (
        <StatusWarning>
          failing ({source.consecutiveFailures} in a row)
        </StatusWarning>
      );
  }
}

function counts(record: Record<string, number>): string {
  const entries = Object.entries(record).filter(([, n]) => n > 0);
  return entries.length === 0
    ? '—'
    : entries.map(([kind, n]) => `${n} ${kind}`).join(', ');
}

function time(iso: string | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

const columns: TableColumn<MlopsSourceStatus>[] = [
  {
    title: 'Source',
    render: s => (
      <>
        <Typography variant="body2">
          {TYPE_TITLES[s.type] ?? s.type} · {s.name}
        </Typography>
        <Typography variant="caption" color="textSecondary">
          {s.baseUrl}
        </Typography>
      </>
    ),
  },
  { title: 'State', render: s => <StateLabel source={s} /> },
  { title: 'Last sync', render: s => time(s.lastSyncAt) },
  { title: 'Last success', render: s => time(s.lastSuccessAt) },
  { title: 'Lag', render: s => formatLag(s.lagMs) },
  { title: 'Mirrored', render: s => counts(s.mirrored) },
  { title: 'Last sync wrote', render: s => counts(s.lastCounts) },
  {
    title: 'Last error',
    render: s =>
      s.lastError ? (
        <Typography variant="body2" color="error">
          {s.lastError}
          {s.lastErrorAt ? ` (${time(s.lastErrorAt)})` : ''}
        </Typography>
      ) : (
        '—'
      ),
  },
];

/**
 * The systems the portal reads from (`mlops.sources`): each configured
 * instance with its last sync, last success, lag, what it mirrored and its
 * last error.
 *
 * @public
 */
export function MlopsSourcesPanel() {
  const api = useApi(mlopsApiRef);
  const { value, loading, error } = useAsync(() => api.getSources(), [api]);
  if (loading) {
    return <Progress />;
  }
  if (error) {
    return <ResponseErrorPanel error={error} />;
  }
  if (!value || value.items.length === 0) {
    return (
      <EmptyState
        missing="content"
        title="No sources configured"
        description="Add an mlops.sources block (an MLflow server, Airflow, Prefect or Prometheus) to app-config.yaml and install its backend module; its instances show here."
      />
    );
  }
  return (
    <Table<MlopsSourceStatus>
      title="Sources"
      subtitle="Systems the portal reads from"
      options={{ paging: false, search: false, padding: 'dense' }}
      columns={columns}
      data={value.items}
    />
  );
}
