import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { RunComparison } from '@backstage-mlops/plugin-mlops-common';
import Box from '@material-ui/core/Box';
import FormControl from '@material-ui/core/FormControl';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { mlopsApiRef } from '../../api';
import { chartRows, formatMetric } from './runsTable';
import { MlopsTable, TruncatedText } from '../MlopsTable';

const LINE_COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
];

const useStyles = makeStyles(theme => ({
  differs: {
    backgroundColor:
      theme.palette.type === 'dark' ? 'rgba(255, 193, 7, 0.16)' : '#fff8e1',
  },
  section: {
    marginTop: theme.spacing(2),
  },
  metricSelect: {
    minWidth: 200,
    marginBottom: theme.spacing(1),
  },
}));

function runLabel(comparison: RunComparison, id: string): string {
  const run = comparison.runs.find(r => r.id === id);
  return run?.name ?? id.slice(0, 8);
}

function ComparisonTable(props: {
  comparison: RunComparison;
  title: string;
  rows: Array<{
    key: string;
    values: Record<string, unknown>;
    differs: boolean;
  }>;
  format: (value: any) => string;
}) {
  const { comparison, title, rows, format } = props;
  const classes = useStyles();
  if (rows.length === 0) {
    return null;
  }
  return (
    <MlopsTable size="small" aria-label={title}>
      <TableHead>
        <TableRow>
          <TableCell>{title}</TableCell>
          {comparison.runs.map(run => (
            <TableCell key={run.id}>
              <TruncatedText
                text={runLabel(comparison, run.id)}
                maxWidth="14em"
              />
            </TableCell>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map(row => (
          <TableRow
            key={row.key}
            className={row.differs ? classes.differs : undefined}
            data-differs={row.differs}
          >
            <TableCell component="th" scope="row">
              <TruncatedText
                text={`${row.key}${row.differs ? ' (differs)' : ''}`}
                maxWidth="16em"
              />
            </TableCell>
            {comparison.runs.map(run => (
              <TableCell key={run.id}>
                <TruncatedText
                  text={format(row.values[run.id])}
                  maxWidth="14em"
                />
              </TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </MlopsTable>
  );
}

/**
 * Two or more runs side by side: a line chart of one metric over steps, and
 * their params and latest metrics with the rows that differ highlighted.
 */
export function RunComparisonView(props: {
  runIds: string[];
  metricKeys: string[];
}) {
  const { runIds, metricKeys } = props;
  const classes = useStyles();
  const mlopsApi = useApi(mlopsApiRef);
  const [metric, setMetric] = useState(metricKeys[0] ?? '');

  const comparison = useAsync(
    () => mlopsApi.compareRuns(runIds),
    [mlopsApi, runIds.join(',')],
  );
  const histories = useAsync(async () => {
    if (!metric) {
      return [];
    }
    // A run that never logged the metric has no line rather than failing the chart.
    const results = await Promise.allSettled(
      runIds.map(runId => mlopsApi.getMetricHistory(runId, metric)),
    );
    const missing = results.find(
      r => r.status === 'rejected' && (r.reason as any)?.statusCode !== 404,
    );
    if (missing && missing.status === 'rejected') {
      throw missing.reason;
    }
    return results.flatMap(r => (r.status === 'fulfilled' ? [r.value] : []));
  }, [mlopsApi, runIds.join(','), metric]);

  if (comparison.loading) {
    return <Progress />;
  }
  if (comparison.error) {
    return <ResponseErrorPanel error={comparison.error} />;
  }
  const value = comparison.value!;

  return (
    <Box className={classes.section} data-testid="mlops-run-comparison">
      <Typography variant="h6">Comparing {value.runs.length} runs</Typography>
      {metricKeys.length > 0 && (
        <Box className={classes.section}>
          <FormControl className={classes.metricSelect}>
            <InputLabel id="mlops-compare-metric-label">
              Metric over steps
            </InputLabel>
            <Select
              labelId="mlops-compare-metric-label"
              value={metric}
              onChange={event => setMetric(event.target.value as string)}
            >
              {metricKeys.map(key => (
                <MenuItem key={key} value={key}>
                  {key}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
          {histories.loading && <Progress />}
          {histories.error && <ResponseErrorPanel error={histories.error} />}
          {histories.value && (
            <Box height={300} aria-label={`${metric} over steps`} role="img">
              <ResponsiveContainer width="100%" height="100%">
                <LineChart data={chartRows(histories.value)}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis
                    dataKey="step"
                    type="number"
                    domain={['dataMin', 'dataMax']}
                  />
                  <YAxis domain={['auto', 'auto']} />
                  <Tooltip />
                  <Legend />
                  {histories.value.map((history, i) => (
                    <Line
                      key={history.runId}
                      dataKey={history.runId}
                      name={runLabel(value, history.runId)}
                      stroke={LINE_COLORS[i % LINE_COLORS.length]}
                      dot={false}
                      connectNulls={false}
                      isAnimationActive={false}
                    />
                  ))}
                </LineChart>
              </ResponsiveContainer>
            </Box>
          )}
        </Box>
      )}
      <Box className={classes.section}>
        <ComparisonTable
          comparison={value}
          title="Param"
          rows={value.params}
          format={v => (v === null || v === undefined ? '—' : String(v))}
        />
      </Box>
      <Box className={classes.section}>
        <ComparisonTable
          comparison={value}
          title="Metric"
          rows={value.metrics}
          format={formatMetric}
        />
      </Box>
    </Box>
  );
}
