import {
  EmptyState,
  InfoCard,
  StatusError,
  StatusOK,
} from '@backstage/core-components';
import {
  ANNOTATION_MLOPS_MODEL,
  DriftHistoryPoint,
  ModelDriftView,
  StoredDriftReport,
} from '@backstage-mlops/plugin-mlops-common';
import Box from '@material-ui/core/Box';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles, useTheme } from '@material-ui/core/styles';
import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { isMlopsModelAvailable } from '../../conditions';
import { useEntityMlopsData } from '../../hooks/useEntityMlopsData';
import { EntityMlopsDataContent } from '../EntityMlopsDataContent';
import {
  TEST_LABELS,
  describeQuality,
  explainReport,
  formatNumber,
  formatScore,
  formatThreshold,
} from './driftText';
import { MlopsTable, NoWrap, TruncatedText } from '../MlopsTable';
import { StatusLabel } from '../StatusLabel';

const useStyles = makeStyles(theme => ({
  model: {
    '& + &': {
      marginTop: theme.spacing(4),
    },
  },
  verdict: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(1),
  },
  section: {
    marginTop: theme.spacing(2),
  },
}));

function shortDate(iso: string): string {
  return new Date(iso).toISOString().slice(5, 16).replace('T', ' ');
}

function DriftShareChart(props: {
  history: DriftHistoryPoint[];
  threshold: number;
}) {
  const theme = useTheme();
  const data = props.history.map(point => ({
    time: shortDate(point.createdAt),
    share: Math.round(point.driftShare * 1000) / 10,
  }));
  return (
    <Box height={180} aria-label="Drift share over time" role="img">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart
          data={data}
          margin={{ top: 8, right: 16, bottom: 0, left: 0 }}
        >
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="time" tick={{ fontSize: 11 }} />
          <YAxis
            domain={[0, 100]}
            unit="%"
            width={44}
            tick={{ fontSize: 11 }}
          />
          <Tooltip
            formatter={(value: unknown) => [`${value}%`, 'drift share']}
          />
          <ReferenceLine
            y={props.threshold * 100}
            stroke={theme.palette.error.main}
            strokeDasharray="4 4"
            label={{ value: 'alarm', fontSize: 11, position: 'insideTopRight' }}
          />
          <Line
            type="monotone"
            dataKey="share"
            stroke={theme.palette.primary.main}
            dot
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </Box>
  );
}

function FeatureTable(props: { report: StoredDriftReport }) {
  const { report } = props;
  return (
    <MlopsTable
      size="small"
      aria-label={`Drift per feature of ${report.model}`}
    >
      <TableHead>
        <TableRow>
          <TableCell>Feature</TableCell>
          <TableCell>Test</TableCell>
          <TableCell align="right">Statistic</TableCell>
          <TableCell align="right">p-value / distance</TableCell>
          <TableCell>Threshold</TableCell>
          <TableCell>Verdict</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {report.features.map(feature => (
          <TableRow key={feature.feature}>
            <TableCell>
              <TruncatedText text={feature.feature} maxWidth="14em" />
            </TableCell>
            <TableCell>
              <NoWrap>{TEST_LABELS[feature.test] ?? feature.test}</NoWrap>
            </TableCell>
            <TableCell align="right">
              {formatNumber(feature.statistic)}
            </TableCell>
            <TableCell align="right">
              <NoWrap>{formatScore(feature)}</NoWrap>
            </TableCell>
            <TableCell>
              <NoWrap>{formatThreshold(feature)}</NoWrap>
            </TableCell>
            <TableCell>
              <StatusLabel tone={feature.drifted ? 'error' : 'ok'}>
                {feature.drifted ? 'Drifted' : 'Stable'}
              </StatusLabel>
            </TableCell>
          </TableRow>
        ))}
        {report.skippedFeatures.map(skipped => (
          <TableRow key={`skipped:${skipped.feature}`}>
            <TableCell>
              <TruncatedText text={skipped.feature} maxWidth="14em" />
            </TableCell>
            <TableCell colSpan={5}>Not checked: {skipped.reason}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </MlopsTable>
  );
}

function ModelDrift(props: { view: ModelDriftView }) {
  const { view } = props;
  const classes = useStyles();
  const report = view.latest;
  if (!report) {
    return (
      <Box className={classes.model}>
        <Typography variant="subtitle1">Model {view.model}</Typography>
        <Typography variant="body2" color="textSecondary">
          {view.baselineVersions.length === 0
            ? `No drift checks yet: upload a reference baseline for a version of ${view.model} (POST /api/mlops/models/${view.model}/versions/<version>/baseline), then post current data or let the scheduled checks compare monitored traffic.`
            : `A baseline exists for version ${view.baselineVersions.join(
                ', ',
              )}, but no drift check has run yet.`}
        </Typography>
      </Box>
    );
  }
  return (
    <Box className={classes.model}>
      <Typography variant="subtitle1">
        Model {view.model} · baseline of version {report.version}
      </Typography>
      <Box className={classes.verdict} data-testid="mlops-drift-verdict">
        {report.datasetDrift ? (
          <StatusError>Dataset drift detected</StatusError>
        ) : (
          <StatusOK>No dataset drift</StatusOK>
        )}
        <Typography variant="body2">
          {report.driftedCount} of {report.featureCount} features drifted (share{' '}
          {formatNumber(report.driftShare)}, alarm at{' '}
          {formatNumber(report.driftShareThreshold)})
        </Typography>
      </Box>
      <Typography variant="body1">{explainReport(report)}</Typography>
      <Typography variant="caption" color="textSecondary" component="p">
        Checked {new Date(report.createdAt).toLocaleString()} ·{' '}
        {report.currentRows} recent rows against {report.referenceRows}{' '}
        reference rows · {describeQuality(report)}
      </Typography>
      <Box className={classes.section}>
        <FeatureTable report={report} />
      </Box>
      {view.history.length > 1 && (
        <Box className={classes.section}>
          <Typography variant="subtitle2">Drift share over time</Typography>
          <DriftShareChart
            history={view.history}
            threshold={report.driftShareThreshold}
          />
        </Box>
      )}
    </Box>
  );
}

/**
 * Shows the latest drift check of the models an entity links to through
 * `backstage-mlops.dev/model`: the verdict per feature and for the dataset,
 * what it means in plain words, and the drift share over time.
 *
 * @public
 */
export function EntityMlopsDriftCard() {
  const { annotated, value, loading, error } = useEntityMlopsData(
    isMlopsModelAvailable,
    (api, entityRef) => api.getEntityDrift(entityRef),
  );

  return (
    <InfoCard title="Data drift">
      <EntityMlopsDataContent
        annotated={annotated}
        annotation={ANNOTATION_MLOPS_MODEL}
        loading={loading}
        error={error}
      >
        {() =>
          !value || value.models.every(m => !m.latest) ? (
            <>
              <EmptyState
                missing="data"
                title="No drift checks yet"
                description="Drift checks compare a model's recent input data with a reference baseline of one of its versions. Once a baseline is uploaded and a check has run, the result shows here."
              />
              {value?.models.map(view => (
                <ModelDrift key={view.model} view={view} />
              ))}
            </>
          ) : (
            <>
              {value.models.map(view => (
                <ModelDrift key={view.model} view={view} />
              ))}
            </>
          )
        }
      </EntityMlopsDataContent>
    </InfoCard>
  );
}
