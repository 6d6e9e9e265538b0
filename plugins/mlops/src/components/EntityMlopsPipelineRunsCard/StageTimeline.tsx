import {
  MlopsPipelineRunState,
  MlopsPipelineStage,
} from '@backstage-mlops/plugin-mlops-common';
import Box from '@material-ui/core/Box';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { Theme, makeStyles } from '@material-ui/core/styles';

/** The colour of a run or stage state, from the theme's status palette. */
export function stateColor(theme: Theme, state: MlopsPipelineRunState): string {
  const status = theme.palette.status;
  switch (state) {
    case 'COMPLETED':
      return status.ok;
    case 'FAILED':
    case 'CRASHED':
      return status.error;
    case 'LATE':
      return status.warning;
    case 'RUNNING':
      return status.running;
    case 'CANCELLED':
      return status.aborted;
    default:
      return status.pending;
  }
}

const useStyles = makeStyles(theme => ({
  bar: {
    display: 'flex',
    gap: 2,
    width: '100%',
    marginTop: theme.spacing(0.5),
  },
  segment: {
    minWidth: 48,
    flexBasis: 0,
    borderRadius: 2,
    overflow: 'hidden',
  },
}));

function durationMs(stage: MlopsPipelineStage): number | undefined {
  if (!stage.startedAt || !stage.endedAt) {
    return undefined;
  }
  return Math.max(0, Date.parse(stage.endedAt) - Date.parse(stage.startedAt));
}

/** "35 s", "4 min", "1 h 12 min", "8 d". */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) {
    return `${seconds} s`;
  }
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) {
    return `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 48) {
    return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  }
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/**
 * A run's stages side by side, each as wide as it took (stages that never
 * ran get a minimum width), coloured by state.
 */
export function StageTimeline(props: {
  stages: MlopsPipelineStage[];
  label: string;
}) {
  const classes = useStyles();
  const durations = props.stages.map(durationMs);
  const known = durations.filter((d): d is number => d !== undefined);
  const fallback = known.length > 0 ? Math.min(...known) : 1;
  return (
    <Box className={classes.bar} role="list" aria-label={props.label}>
      {props.stages.map((stage, i) => {
        const took = durations[i];
        const summary = `${stage.name}: ${stage.state.toLowerCase()}${
          took !== undefined ? ` in ${formatDuration(took)}` : ''
        }`;
        return (
          <Tooltip
            key={stage.name}
            title={
              stage.failureReason
                ? `${summary} — ${stage.failureReason}`
                : summary
            }
          >
            <Box
              role="listitem"
              aria-label={summary}
              data-state={stage.state}
              className={classes.segment}
              style={{ flexGrow: Math.max(took ?? fallback, 1) }}
            >
              <StageLabel stage={stage} />
            </Box>
          </Tooltip>
        );
      })}
    </Box>
  );
}

const useLabelStyles = makeStyles(theme => ({
  label: (props: { state: MlopsPipelineRunState }) => ({
    backgroundColor: stateColor(theme, props.state),
    color: theme.palette.common.white,
    padding: theme.spacing(0.25, 0.75),
    display: 'block',
    whiteSpace: 'nowrap',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
  }),
}));

function StageLabel(props: { stage: MlopsPipelineStage }) {
  const classes = useLabelStyles({ state: props.stage.state });
  return (
    <Typography variant="caption" className={classes.label}>
      {props.stage.name}
    </Typography>
  );
}
