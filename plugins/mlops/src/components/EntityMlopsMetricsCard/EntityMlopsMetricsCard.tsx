import {
  EmptyState,
  InfoCard,
  MissingAnnotationEmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import {
  ANNOTATION_MLOPS_MODEL,
  MlopsMetricsPoint,
  MlopsMetricsWindow,
  MlopsModelMetrics,
} from '@backstage-mlops/plugin-mlops-common';
import Box from '@material-ui/core/Box';
import FormControl from '@material-ui/core/FormControl';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import Typography from '@material-ui/core/Typography';
import { makeStyles, useTheme } from '@material-ui/core/styles';
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import { useState } from 'react';
import {
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { isMlopsModelAvailable } from '../../conditions';
import { useEntityMlopsData } from '../../hooks/useEntityMlopsData';
import { formatLatency, formatPercent, formatThroughput } from './format';

const useStyles = makeStyles(theme => ({
  controls: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(2),
    flexWrap: 'wrap',
    marginBottom: theme.spacing(2),
  },
  stat: {
    padding: theme.spacing(1, 0),
  },
  chart: {
    height: 110,
  },
  model: {
    marginBottom: theme.spacing(3),
  },
}));

const WINDOWS: Array<{ value: MlopsMetricsWindow; label: string }> = [
  { value: '1h', label: '1 hour' },
  { value: '24h', label: '24 hours' },
  { value: '7d', label: '7 days' },
];

const ALL_ENVIRONMENTS = '__all__';

function timeLabel(iso: string, window: MlopsMetricsWindow): string {
  const date = new Date(iso);
  return window === '7d'
    ? date.toLocaleDateString(undefined, { weekday: 'short', hour: '2-digit' })
    : date.toLocaleTimeString(undefined, {
        hour: '2-digit',
        minute: '2-digit',
      });
}

function Stat(props: { label: string; value: string; detail?: string }) {
  const classes = useStyles();
  return (
    <Box className={classes.stat}>
      <Typography variant="caption" color="textSecondary">
        {props.label}
      </Typography>
      <Typography variant="h6" aria-label={props.label}>
        {props.value}
      </Typography>
      {props.detail && (
        <Typography variant="caption" color="textSecondary">
          {props.detail}
        </Typography>
      )}
    </Box>
  );
}

function SmallChart(props: {
  title: string;
  points: MlopsMetricsPoint[];
  value: (point: MlopsMetricsPoint) => number | null;
  format: (value: number) => string;
  window: MlopsMetricsWindow;
}) {
  const classes = useStyles();
  const theme = useTheme();
  const data = props.points.map(point => ({
    start: point.start,
    value: props.value(point),
  }));
  return (
    <Box>
      <Typography variant="subtitle2">{props.title}</Typography>
      <Box className={classes.chart} aria-label={`${props.title} chart`}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart
            data={data}
            margin={{ top: 4, right: 8, bottom: 0, left: 0 }}
          >
            <XAxis
              dataKey="start"
              tickFormatter={v => timeLabel(v, props.window)}
              minTickGap={40}
              tick={{ fontSize: 10 }}
            />
            <YAxis
              width={48}
              tickFormatter={v => props.format(Number(v))}
              tick={{ fontSize: 10 }}
            />
            <Tooltip
              labelFormatter={v => new Date(String(v)).toLocaleString()}
              formatter={v => props.format(Number(v))}
            />
            <Line
              type="monotone"
              dataKey="value"
              stroke={theme.palette.primary.main}
              dot={false}
              isAnimationActive={false}
              connectNulls={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </Box>
    </Box>
  );
}

function ModelMetrics(props: {
  metrics: MlopsModelMetrics;
  window: MlopsMetricsWindow;
  showName: boolean;
}) {
  const { metrics, window } = props;
  const classes = useStyles();
  const { totals, baseline, degradation } = metrics;
  const hasLabels = totals.labelled > 0;
  const accuracyDetail = baseline?.accuracy
    ? `baseline ${formatPercent(baseline.accuracy)} (${
        baseline.source === 'registry'
          ? `version ${baseline.version} evaluation`
          : 'first production day'
      })${
        degradation.accuracy !== null
          ? ` · ${
              degradation.accuracy > 0
                ? `${formatPercent(degradation.accuracy)} below`
                : 'at or above'
            } baseline`
          : ''
      }`
    : undefined;
  return (
    <Box className={classes.model}>
      {props.showName && (
        <Typography variant="subtitle1" gutterBottom>
          Model {metrics.model}
        </Typography>
      )}
      {metrics.source && (
        // Read from the server's monitoring (Prometheus), not pushed events.
        <Typography variant="caption" color="textSecondary" component="p">
          from {metrics.source.name} ({metrics.source.type})
        </Typography>
      )}
      <Grid container spacing={2}>
        <Grid item xs={6} md={3}>
          <Stat
            label="Throughput"
            value={formatThroughput(totals.throughputPerMinute)}
            detail={`${totals.count.toLocaleString()} predictions`}
          />
        </Grid>
        <Grid item xs={6} md={3}>
          <Stat
            label="Error rate"
            value={formatPercent(totals.errorRate, 2)}
            detail={`${totals.errors.toLocaleString()} errors`}
          />
        </Grid>
        <Grid item xs={6} md={3}>
          <Stat
            label="Latency p95"
            value={formatLatency(totals.latencyP95Ms)}
            detail={`p50 ${formatLatency(
              totals.latencyP50Ms,
            )} · p99 ${formatLatency(totals.latencyP99Ms)}`}
          />
        </Grid>
        <Grid item xs={6} md={3}>
          <Stat
            label="Accuracy"
            value={hasLabels ? formatPercent(totals.accuracy) : 'no labels'}
            detail={accuracyDetail}
          />
        </Grid>
        <Grid item xs={12} md={6}>
          <SmallChart
            title="Throughput (per minute)"
            points={metrics.series}
            value={p => p.throughputPerMinute}
            format={formatThroughput}
            window={window}
          />
        </Grid>
        <Grid item xs={12} md={6}>
          <SmallChart
            title="Error rate"
            points={metrics.series}
            value={p => p.errorRate}
            format={v => formatPercent(v)}
            window={window}
          />
        </Grid>
        <Grid item xs={12} md={6}>
          <SmallChart
            title="Latency p95"
            points={metrics.series}
            value={p => p.latencyP95Ms}
            format={formatLatency}
            window={window}
          />
        </Grid>
        {hasLabels && (
          <Grid item xs={12} md={6}>
            <SmallChart
              title="Accuracy"
              points={metrics.series}
              value={p => p.accuracy}
              format={v => formatPercent(v)}
              window={window}
            />
          </Grid>
        )}
      </Grid>
    </Box>
  );
}

/**
 * Prediction monitoring of the model an entity links to
 * (`backstage-mlops.dev/model`): throughput, error rate, latency
 * percentiles and accuracy over the last hour, day or week, with small
 * charts and the accuracy baseline.
 *
 * @public
 */
export function EntityMlopsMetricsCard() {
  const classes = useStyles();
  const [window, setWindow] = useState<MlopsMetricsWindow>('24h');
  const [environment, setEnvironment] = useState<string>(ALL_ENVIRONMENTS);

  const { annotated, value, loading, error } = useEntityMlopsData(
    isMlopsModelAvailable,
    (api, entityRef) =>
      api.getEntityMetrics(entityRef, {
        window,
        environment: environment === ALL_ENVIRONMENTS ? undefined : environment,
      }),
    [window, environment],
  );

  if (!annotated) {
    return (
      <InfoCard title="Prediction metrics">
        <MissingAnnotationEmptyState annotation={ANNOTATION_MLOPS_MODEL} />
      </InfoCard>
    );
  }

  const environments = [
    ...new Set((value?.models ?? []).flatMap(m => m.environments)),
  ].sort();
  const windowLabel = WINDOWS.find(w => w.value === window)!.label;

  let content: JSX.Element;
  if (loading) {
    content = <Progress />;
  } else if (error) {
    content = <ResponseErrorPanel error={error} />;
  } else if (!value || value.models.every(m => m.totals.count === 0)) {
    content = (
      <EmptyState
        missing="data"
        title={`No predictions in the last ${windowLabel}`}
        description="Serving systems report predictions with POST /api/mlops/models/<model>/predictions; they show up here within a minute."
      />
    );
  } else {
    content = (
      <>
        {value.models.map(metrics => (
          <ModelMetrics
            key={metrics.model}
            metrics={metrics}
            window={window}
            showName={value.models.length > 1}
          />
        ))}
      </>
    );
  }

  return (
    <InfoCard title="Prediction metrics">
      <Box className={classes.controls}>
        <ToggleButtonGroup
          size="small"
          exclusive
          value={window}
          aria-label="Window"
          onChange={(_event, next: MlopsMetricsWindow | null) => {
            if (next) {
              setWindow(next);
            }
          }}
        >
          {WINDOWS.map(w => (
            <ToggleButton key={w.value} value={w.value} aria-label={w.label}>
              {w.value}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
        {(environments.length > 1 || environment !== ALL_ENVIRONMENTS) && (
          <FormControl size="small">
            <Select
              value={environment}
              onChange={event => setEnvironment(String(event.target.value))}
              inputProps={{ 'aria-label': 'Environment' }}
            >
              <MenuItem value={ALL_ENVIRONMENTS}>All environments</MenuItem>
              {environments.map(env => (
                <MenuItem key={env} value={env}>
                  {env}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
        )}
      </Box>
      {content}
    </InfoCard>
  );
}
