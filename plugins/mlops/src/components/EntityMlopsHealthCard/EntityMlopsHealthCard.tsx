import { InfoCard } from '@backstage/core-components';
import {
  EntityHealthSummary,
  MLOPS_OBJECT_ANNOTATIONS,
  ModelKeyMetrics,
  hasMlopsAnnotation,
} from '@backstage-mlops/plugin-mlops-common';
import Box from '@material-ui/core/Box';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { Line, LineChart, YAxis } from 'recharts';
import { useEntityMlopsData } from '../../hooks/useEntityMlopsData';
import { EntityMlopsDataContent } from '../EntityMlopsDataContent';
import {
  describeEvidence,
  formatTime,
  symptomTitle,
} from '../EntityMlopsIncidentsCard/format';
import { HealthStatusLabel } from '../HealthStatus';

const useStyles = makeStyles(theme => ({
  // Backstage's theme keeps dense list text on one line (white-space:
  // nowrap), which cuts a long reason off at the card's edge.
  wrapping: {
    whiteSpace: 'normal',
  },
  status: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    marginBottom: theme.spacing(1),
  },
  section: {
    marginTop: theme.spacing(2),
  },
  metrics: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(140px, 1fr))',
    gap: theme.spacing(1),
    marginTop: theme.spacing(1),
  },
}));

function percent(value: number | null): string {
  return value === null ? '–' : `${Math.round(value * 1000) / 10}%`;
}

/** A tiny line of one metric over the recent evaluations. */
function Sparkline(props: { points: Array<number | null>; label: string }) {
  const data = props.points.map((value, index) => ({ index, value }));
  if (data.filter(d => d.value !== null).length < 2) {
    return null;
  }
  return (
    <div role="img" aria-label={props.label}>
      <LineChart width={120} height={32} data={data}>
        <YAxis hide domain={['auto', 'auto']} />
        <Line
          type="monotone"
          dataKey="value"
          dot={false}
          strokeWidth={1.5}
          isAnimationActive={false}
          connectNulls
        />
      </LineChart>
    </div>
  );
}

function KeyMetrics(props: { metrics: ModelKeyMetrics }) {
  const { metrics } = props;
  const classes = useStyles();
  const tiles = [
    {
      title: 'p95 latency',
      value:
        metrics.latencyP95Ms === null
          ? '–'
          : `${Math.round(metrics.latencyP95Ms)} ms`,
      series: metrics.series.map(p => p.latencyP95Ms),
    },
    {
      title: 'Error rate',
      value: percent(metrics.errorRate),
      series: metrics.series.map(p => p.errorRate),
    },
    {
      title: 'Predictions',
      value: `${metrics.count} / ${metrics.windowMinutes} min`,
      series: metrics.series.map(p => p.count),
    },
    {
      title: 'Accuracy',
      value:
        metrics.accuracy === null
          ? '–'
          : `${percent(metrics.accuracy)}${
              metrics.baselineAccuracy === null
                ? ''
                : ` (baseline ${percent(metrics.baselineAccuracy)})`
            }`,
      series: metrics.series.map(p => p.accuracy),
    },
  ];
  return (
    <Box className={classes.section}>
      <Typography variant="subtitle2">
        Model {metrics.model}, last {metrics.windowMinutes} minutes
      </Typography>
      <Box className={classes.metrics}>
        {tiles.map(tile => (
          <Box key={tile.title}>
            <Typography variant="caption" color="textSecondary">
              {tile.title}
            </Typography>
            <Typography variant="body2">{tile.value}</Typography>
            <Sparkline
              points={tile.series}
              label={`${tile.title} of ${metrics.model} over the last ${tile.series.length} checks`}
            />
          </Box>
        ))}
      </Box>
    </Box>
  );
}

const OBJECT_LABELS = {
  model: 'Model',
  pipeline: 'Pipeline',
  experiment: 'Experiment',
} as const;

function HealthSummaryContent(props: { summary: EntityHealthSummary }) {
  const { summary } = props;
  const classes = useStyles();
  return (
    <>
      <Box className={classes.status} data-testid="mlops-health-status">
        <HealthStatusLabel status={summary.status} />
      </Box>
      {summary.reasons.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          {summary.status === 'unknown'
            ? 'No monitoring data has been reported for this entity yet, so its health cannot be judged.'
            : `No problems detected${
                summary.evaluatedAt
                  ? ` (checked ${formatTime(summary.evaluatedAt)})`
                  : ''
              }.`}
        </Typography>
      ) : (
        <List dense disablePadding aria-label="Health reasons">
          {summary.reasons.map(reason => (
            <ListItem key={`${reason.symptom}:${reason.subject ?? ''}`}>
              <ListItemText
                className={classes.wrapping}
                primary={reason.message}
                secondary={
                  <>
                    {`${reason.severity} · ${symptomTitle(reason.symptom)}${
                      reason.subject ? ` · ${reason.subject}` : ''
                    } · seen ${formatTime(reason.observedAt)}${
                      reason.incidentId ? ' · incident open' : ''
                    }`}
                    {reason.evidence && (
                      <>
                        <br />
                        {describeEvidence(reason.evidence)}
                      </>
                    )}
                  </>
                }
              />
            </ListItem>
          ))}
        </List>
      )}
      {summary.metrics?.map(metrics => (
        <KeyMetrics key={metrics.model} metrics={metrics} />
      ))}
      <Box className={classes.section}>
        <Typography variant="subtitle2">Linked MLOps objects</Typography>
        <List dense disablePadding aria-label="Linked MLOps objects">
          {summary.links.map(link => (
            <ListItem key={`${link.kind}:${link.name}`} disableGutters>
              <ListItemText
                className={classes.wrapping}
                primary={`${OBJECT_LABELS[link.kind]} ${link.name}`}
                secondary={
                  link.known
                    ? 'Registered in the MLOps store'
                    : 'Not registered in the MLOps store yet'
                }
              />
            </ListItem>
          ))}
        </List>
      </Box>
    </>
  );
}

/**
 * Shows the health of an entity that carries a `backstage-mlops.dev/*`
 * annotation: its status, the reasons behind it, and the MLOps objects it is
 * linked to.
 *
 * @public
 */
export function EntityMlopsHealthCard() {
  const { annotated, value, loading, error } = useEntityMlopsData(
    hasMlopsAnnotation,
    (api, entityRef) => api.getEntitySummary(entityRef),
  );

  return (
    <InfoCard title="MLOps health">
      <EntityMlopsDataContent
        annotated={annotated}
        annotation={Object.values(MLOPS_OBJECT_ANNOTATIONS)}
        loading={loading}
        error={error}
      >
        {() => <HealthSummaryContent summary={value!} />}
      </EntityMlopsDataContent>
    </InfoCard>
  );
}
