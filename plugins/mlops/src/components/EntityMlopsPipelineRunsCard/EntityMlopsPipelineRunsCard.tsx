import { EmptyState, InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  ANNOTATION_MLOPS_PIPELINE,
  EntityPipelineRunsResponse,
  MlopsPipelineRun,
  MlopsPipelineRunState,
  getFailureClass,
  isFailureClass,
} from '@backstage-mlops/plugin-mlops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useState } from 'react';
import { mlopsApiRef } from '../../api';
import { isMlopsPipelineAvailable } from '../../conditions';
import { useEntityMlopsData } from '../../hooks/useEntityMlopsData';
import { EntityMlopsDataContent } from '../EntityMlopsDataContent';
import { ReasonDialog } from '../ReasonDialog';
import { StageTimeline, formatDuration } from './StageTimeline';
import { StatusLabel, StatusTone } from '../StatusLabel';

const useStyles = makeStyles(theme => ({
  header: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: theme.spacing(1),
  },
  facts: {
    marginBottom: theme.spacing(1),
  },
  run: {
    display: 'block',
    paddingLeft: 0,
    paddingRight: 0,
    borderBottom: `1px solid ${theme.palette.divider}`,
  },
  runLine: {
    display: 'flex',
    alignItems: 'baseline',
    gap: theme.spacing(2),
    flexWrap: 'wrap',
  },
  reason: {
    fontFamily: 'monospace',
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-word',
    maxHeight: '8em',
    overflow: 'auto',
    margin: 0,
  },
  pipeline: {
    '& + &': {
      marginTop: theme.spacing(4),
    },
  },
}));

const STATE_LABELS: Record<MlopsPipelineRunState, string> = {
  SCHEDULED: 'Scheduled',
  LATE: 'Late',
  PENDING: 'Pending',
  RUNNING: 'Running',
  COMPLETED: 'Completed',
  FAILED: 'Failed',
  CRASHED: 'Crashed',
  CANCELLED: 'Cancelled',
};

const STATE_TONES: Record<MlopsPipelineRunState, StatusTone> = {
  SCHEDULED: 'pending',
  LATE: 'warning',
  PENDING: 'pending',
  RUNNING: 'running',
  COMPLETED: 'ok',
  FAILED: 'error',
  CRASHED: 'error',
  CANCELLED: 'aborted',
};

function RunState(props: { state: MlopsPipelineRunState }) {
  return (
    <StatusLabel tone={STATE_TONES[props.state]}>
      {STATE_LABELS[props.state]}
    </StatusLabel>
  );
}

const RUNS_SHOWN = 10;

/** The title of a classified failure, or undefined for unknown classes. */
export function failureTitle(failureClass?: string): string | undefined {
  return failureClass && isFailureClass(failureClass)
    ? getFailureClass(failureClass).title
    : undefined;
}

function RunItem(props: { run: MlopsPipelineRun }) {
  const { run } = props;
  const classes = useStyles();
  const when = run.startedAt ?? run.scheduledAt ?? run.createdAt;
  const took =
    run.startedAt && run.endedAt
      ? formatDuration(Date.parse(run.endedAt) - Date.parse(run.startedAt))
      : undefined;
  const title = failureTitle(run.failureClass);
  return (
    <ListItem className={classes.run} aria-label={`Run ${run.id}`}>
      <Box className={classes.runLine}>
        <RunState state={run.state} />
        <Typography variant="body2">
          {new Date(when).toLocaleString()}
        </Typography>
        {took && (
          <Typography variant="body2" color="textSecondary">
            took {took}
          </Typography>
        )}
        <Typography variant="body2" color="textSecondary">
          {run.trigger === 'requested'
            ? `requested${run.reason ? `: ${run.reason}` : ''}`
            : run.trigger}
        </Typography>
      </Box>
      {run.stages.length > 0 && (
        <StageTimeline stages={run.stages} label={`Stages of run ${run.id}`} />
      )}
      {run.failureReason && (
        <Box mt={1}>
          {title && (
            <Typography variant="subtitle2" color="error">
              {title}
            </Typography>
          )}
          <pre className={classes.reason}>{run.failureReason}</pre>
        </Box>
      )}
    </ListItem>
  );
}

function PipelineRuns(props: {
  entry: EntityPipelineRunsResponse['pipelines'][number];
  onRequest: (pipeline: string) => void;
}) {
  const { entry, onRequest } = props;
  const classes = useStyles();
  const status = entry.status;
  const facts = [
    status?.orchestrator,
    status?.schedule && `schedule ${status.schedule}`,
    status?.slaMinutes !== undefined &&
      `SLA ${formatDuration(status.slaMinutes * 60_000)}`,
    status?.lastSuccessAt
      ? `last success ${new Date(status.lastSuccessAt).toLocaleString()}`
      : status && 'never succeeded',
  ].filter(Boolean);
  return (
    <Box className={classes.pipeline}>
      <Box className={classes.header}>
        <Box display="flex" alignItems="center" gridGap={8}>
          <Typography variant="h6">{entry.pipeline}</Typography>
          {status?.stale && (
            <Chip size="small" color="secondary" label="Data stale" />
          )}
        </Box>
        {entry.known && (
          <Button
            size="small"
            variant="outlined"
            color="primary"
            onClick={() => onRequest(entry.pipeline)}
          >
            Request run of {entry.pipeline}
          </Button>
        )}
      </Box>
      {facts.length > 0 && (
        <Typography
          variant="body2"
          color="textSecondary"
          className={classes.facts}
        >
          {facts.join(' · ')}
        </Typography>
      )}
      {!entry.known && (
        <Typography variant="body2" color="textSecondary">
          {entry.pipeline} is not registered in the MLOps store yet.
        </Typography>
      )}
      {entry.known && entry.runs.length === 0 && (
        <Typography variant="body2" color="textSecondary">
          No runs reported yet.
        </Typography>
      )}
      {entry.runs.length > 0 && (
        <List dense disablePadding aria-label={`Runs of ${entry.pipeline}`}>
          {entry.runs.slice(0, RUNS_SHOWN).map(run => (
            <RunItem key={run.id} run={run} />
          ))}
        </List>
      )}
    </Box>
  );
}

/**
 * Recent runs of the pipelines an entity links to: each run's state, a
 * stage timeline, and the failure reason with its classified cause.
 *
 * @public
 */
export function EntityMlopsPipelineRunsCard() {
  const mlopsApi = useApi(mlopsApiRef);
  const [requesting, setRequesting] = useState<string>();
  const { annotated, value, loading, error, retry } = useEntityMlopsData(
    isMlopsPipelineAvailable,
    (api, entityRef) => api.getEntityPipelineRuns(entityRef),
  );

  // Without runs the request-run action is still offered, under a note.
  const pipelines = value?.pipelines ?? [];

  return (
    <InfoCard title="Pipeline runs">
      <EntityMlopsDataContent
        annotated={annotated}
        annotation={ANNOTATION_MLOPS_PIPELINE}
        loading={loading && !value}
        error={error}
      >
        {() => (
          <>
            {pipelines.every(p => p.runs.length === 0) && (
              <EmptyState
                missing="data"
                title="No pipeline runs yet"
                description="Runs appear here once the orchestrator reports them to the MLOps backend."
              />
            )}
            {pipelines.map(entry => (
              <PipelineRuns
                key={entry.pipeline}
                entry={entry}
                onRequest={setRequesting}
              />
            ))}
          </>
        )}
      </EntityMlopsDataContent>
      {requesting && (
        <ReasonDialog
          titleId="mlops-request-run-title"
          title={`Request a run of ${requesting}`}
          description="The run is recorded as scheduled for the orchestrator to pick up. A request that has not started yet is reused rather than repeated."
          reasonId="mlops-request-run-reason"
          confirmLabel="Request run"
          onClose={() => setRequesting(undefined)}
          onConfirm={async reason => {
            await mlopsApi.requestPipelineRun({ pipeline: requesting, reason });
            setRequesting(undefined);
            retry();
          }}
        />
      )}
    </InfoCard>
  );
}
