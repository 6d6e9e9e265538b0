import { EmptyState, InfoCard } from '@backstage/core-components';
import {
  ANNOTATION_MLOPS_EXPERIMENT,
  EntityExperiment,
  Run,
  RunStatus,
} from '@backstage-mlops/plugin-mlops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Chip from '@material-ui/core/Chip';
import FormControl from '@material-ui/core/FormControl';
import InputLabel from '@material-ui/core/InputLabel';
import ListItemText from '@material-ui/core/ListItemText';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableContainer from '@material-ui/core/TableContainer';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useMemo, useState } from 'react';
import { isMlopsExperimentAvailable } from '../../conditions';
import { useEntityMlopsData } from '../../hooks/useEntityMlopsData';
import { EntityMlopsDataContent } from '../EntityMlopsDataContent';
import { RunComparisonView } from './RunComparisonView';
import { RunArtifactsButton } from '../RunArtifacts';
import {
  defaultColumns,
  formatDuration,
  formatMetric,
  keysOf,
} from './runsTable';
import { StatusLabel, StatusTone } from '../StatusLabel';
import { MlopsTable, NoWrap, TruncatedText } from '../MlopsTable';

const useStyles = makeStyles(theme => ({
  toolbar: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'flex-end',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(1),
  },
  columnSelect: {
    minWidth: 180,
    maxWidth: 320,
  },
  numeric: {
    fontVariantNumeric: 'tabular-nums',
  },
}));

const RUN_STATUS_TONES: Record<RunStatus, StatusTone> = {
  RUNNING: 'running',
  SCHEDULED: 'pending',
  FINISHED: 'ok',
  FAILED: 'error',
  KILLED: 'aborted',
};

function RunStatusLabel(props: { status: RunStatus }) {
  return (
    <StatusLabel tone={RUN_STATUS_TONES[props.status]}>
      {props.status.charAt(0) + props.status.slice(1).toLowerCase()}
    </StatusLabel>
  );
}

function ColumnSelect(props: {
  label: string;
  options: string[];
  value: string[];
  onChange: (value: string[]) => void;
}) {
  const classes = useStyles();
  const id = `mlops-runs-${props.label.toLowerCase()}-columns`;
  if (props.options.length === 0) {
    return null;
  }
  return (
    <FormControl className={classes.columnSelect}>
      <InputLabel id={id}>{props.label}</InputLabel>
      <Select
        labelId={id}
        multiple
        value={props.value}
        onChange={event => props.onChange(event.target.value as string[])}
        renderValue={selected => (selected as string[]).join(', ')}
      >
        {props.options.map(option => (
          <MenuItem key={option} value={option}>
            <Checkbox checked={props.value.includes(option)} size="small" />
            <ListItemText primary={option} />
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}

function ExperimentRuns(props: { item: EntityExperiment }) {
  const { experiment, runs } = props.item;
  const classes = useStyles();
  const initial = useMemo(() => defaultColumns(runs), [runs]);
  const keys = useMemo(() => keysOf(runs), [runs]);
  const [paramColumns, setParamColumns] = useState(initial.params);
  const [metricColumns, setMetricColumns] = useState(initial.metrics);
  const [selected, setSelected] = useState<string[]>([]);
  const [compared, setCompared] = useState<string[] | undefined>();

  const toggle = (run: Run) =>
    setSelected(current =>
      current.includes(run.id)
        ? current.filter(id => id !== run.id)
        : [...current, run.id],
    );

  if (runs.length === 0) {
    return (
      <EmptyState
        missing="data"
        title={`No runs in ${experiment.name} yet`}
        description="Runs appear here once a training job logs to this experiment through the MLOps or MLflow tracking API."
      />
    );
  }

  return (
    <Box>
      <Box className={classes.toolbar}>
        <ColumnSelect
          label="Params"
          options={keys.params}
          value={paramColumns}
          onChange={setParamColumns}
        />
        <ColumnSelect
          label="Metrics"
          options={keys.metrics}
          value={metricColumns}
          onChange={setMetricColumns}
        />
        <Tooltip title="Select two or more runs to compare them">
          <span>
            <Button
              variant="contained"
              color="primary"
              disabled={selected.length < 2}
              onClick={() => setCompared([...selected])}
            >
              Compare {selected.length > 0 ? `${selected.length} runs` : 'runs'}
            </Button>
          </span>
        </Tooltip>
      </Box>
      <TableContainer>
        <MlopsTable size="small" aria-label={`Runs of ${experiment.name}`}>
          <TableHead>
            <TableRow>
              <TableCell padding="checkbox" />
              <TableCell>Run</TableCell>
              <TableCell>Status</TableCell>
              <TableCell>Started</TableCell>
              <TableCell>Duration</TableCell>
              {paramColumns.map(key => (
                <TableCell key={`p:${key}`}>
                  <TruncatedText text={key} maxWidth="10em" />
                </TableCell>
              ))}
              {metricColumns.map(key => (
                <TableCell key={`m:${key}`} align="right">
                  <TruncatedText text={key} maxWidth="10em" />
                </TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {runs.map(run => (
              <TableRow key={run.id} hover selected={selected.includes(run.id)}>
                <TableCell padding="checkbox">
                  <Checkbox
                    checked={selected.includes(run.id)}
                    onChange={() => toggle(run)}
                    inputProps={{
                      'aria-label': `Select run ${run.name ?? run.id}`,
                    }}
                  />
                </TableCell>
                <TableCell>
                  <Typography variant="body2" component="div">
                    <TruncatedText
                      text={run.name ?? run.id.slice(0, 8)}
                      maxWidth="16em"
                    />
                  </Typography>
                  {run.user && (
                    <Typography variant="caption" color="textSecondary">
                      {run.user.replace(/^user:default\//, '')}
                    </Typography>
                  )}
                  <RunArtifactsButton runId={run.id} runName={run.name} />
                </TableCell>
                <TableCell>
                  <RunStatusLabel status={run.status} />
                </TableCell>
                <TableCell>
                  <NoWrap>{new Date(run.startTime).toLocaleString()}</NoWrap>
                </TableCell>
                <TableCell className={classes.numeric}>
                  <NoWrap>{formatDuration(run)}</NoWrap>
                </TableCell>
                {paramColumns.map(key => (
                  <TableCell key={`p:${key}`}>
                    <TruncatedText
                      text={run.params[key] ?? '—'}
                      maxWidth="10em"
                    />
                  </TableCell>
                ))}
                {metricColumns.map(key => (
                  <TableCell
                    key={`m:${key}`}
                    align="right"
                    className={classes.numeric}
                  >
                    {formatMetric(run.metrics[key]?.value)}
                  </TableCell>
                ))}
              </TableRow>
            ))}
          </TableBody>
        </MlopsTable>
      </TableContainer>
      {compared && (
        <RunComparisonView
          runIds={compared}
          metricKeys={[
            ...metricColumns,
            ...keys.metrics.filter(key => !metricColumns.includes(key)),
          ]}
        />
      )}
    </Box>
  );
}

/**
 * The runs of the experiments an entity is linked to (through its
 * `backstage-mlops.dev/experiment` annotation, or the experiment its
 * registered model logs to): a table with status, duration and chosen
 * params and metrics, and a side-by-side comparison with a metric chart for
 * the runs a reader selects.
 *
 * @public
 */
export function EntityMlopsExperimentRunsCard() {
  const [experimentName, setExperimentName] = useState<string | undefined>();
  const { annotated, value, loading, error } = useEntityMlopsData(
    isMlopsExperimentAvailable,
    (api, entityRef) => api.getEntityExperiments(entityRef),
  );

  return (
    <InfoCard
      title="Experiment runs"
      subheader={
        value?.experiments.length === 1
          ? value.experiments[0].experiment.name
          : undefined
      }
    >
      <EntityMlopsDataContent
        annotated={annotated}
        annotation={ANNOTATION_MLOPS_EXPERIMENT}
        loading={loading}
        error={error}
      >
        {() => {
          if (!value || value.experiments.length === 0) {
            return (
              <EmptyState
                missing="data"
                title="No experiment found"
                description={
                  value && value.missing.length > 0
                    ? `The experiment ${value.missing.join(
                        ', ',
                      )} is not in the MLOps store yet; it appears once a training job logs its first run.`
                    : 'This entity is not linked to an experiment in the MLOps store.'
                }
              />
            );
          }
          const current =
            value.experiments.find(e => e.experiment.name === experimentName) ??
            value.experiments[0];
          return (
            <>
              {value.experiments.length > 1 && (
                <Box display="flex" gridGap={8} flexWrap="wrap" mb={2}>
                  {value.experiments.map(item => (
                    <Chip
                      key={item.experiment.id}
                      label={item.experiment.name}
                      color={item === current ? 'primary' : 'default'}
                      onClick={() => setExperimentName(item.experiment.name)}
                    />
                  ))}
                </Box>
              )}
              <ExperimentRuns key={current.experiment.id} item={current} />
            </>
          );
        }}
      </EntityMlopsDataContent>
    </InfoCard>
  );
}
