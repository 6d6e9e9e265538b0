import {
  EmptyState,
  InfoCard,
  StatusAborted,
  StatusError,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntityPermission } from '@backstage/plugin-catalog-react/alpha';
import {
  HealthEvidence,
  MLOPS_OBJECT_ANNOTATIONS,
  MlopsIncident,
  hasMlopsAnnotation,
  mlopsIncidentUpdatePermission,
} from '@backstage-mlops/plugin-mlops-common';
import Accordion from '@material-ui/core/Accordion';
import AccordionDetails from '@material-ui/core/AccordionDetails';
import AccordionSummary from '@material-ui/core/AccordionSummary';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { mlopsApiRef } from '../../api';
import { useEntityMlopsData } from '../../hooks/useEntityMlopsData';
import { EntityMlopsDataContent } from '../EntityMlopsDataContent';
import { describeEvidence, formatTime, symptomTitle } from './format';

const useStyles = makeStyles(theme => ({
  // Backstage's theme keeps dense list text on one line (white-space:
  // nowrap), which cuts a long reason off at the card's edge.
  wrapping: {
    whiteSpace: 'normal',
  },
  summary: {
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
  },
  details: {
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
    width: '100%',
  },
  actions: {
    display: 'flex',
    gap: theme.spacing(1),
  },
}));

const EVENT_LABELS: Record<MlopsIncident['timeline'][number]['type'], string> =
  {
    opened: 'Opened',
    evidence_updated: 'Evidence updated',
    symptom_cleared: 'Symptom cleared',
    symptom_returned: 'Symptom returned',
    acknowledged: 'Acknowledged',
    retrain_requested: 'Retrain requested',
    resolved: 'Resolved',
  };

function IncidentStatus(props: { incident: MlopsIncident }) {
  const { incident } = props;
  if (incident.status === 'resolved') {
    return <StatusOK>Resolved</StatusOK>;
  }
  if (incident.status === 'acknowledged') {
    return <StatusAborted>Acknowledged</StatusAborted>;
  }
  return incident.severity === 'critical' ? (
    <StatusError>Open · critical</StatusError>
  ) : (
    <StatusWarning>Open · warning</StatusWarning>
  );
}

function EvidenceLine(props: { evidence?: HealthEvidence }) {
  const text = describeEvidence(props.evidence);
  return text ? (
    <Typography variant="body2" color="textSecondary">
      {text}
    </Typography>
  ) : null;
}

function IncidentItem(props: {
  incident: MlopsIncident;
  canUpdate: boolean;
  busy: boolean;
  onAction: (
    incident: MlopsIncident,
    action: 'acknowledge' | 'resolve',
  ) => void;
}) {
  const { incident, canUpdate, busy, onAction } = props;
  const classes = useStyles();
  const open = incident.status !== 'resolved';
  const title = `${symptomTitle(incident.symptom)} on ${incident.object.kind} ${
    incident.object.name
  }`;
  const deniedHint = canUpdate
    ? undefined
    : 'Only the owners of this entity can change its incidents';
  return (
    <Accordion defaultExpanded={open} data-testid={`incident-${incident.id}`}>
      <AccordionSummary expandIcon={<ExpandMoreIcon />}>
        <Box className={classes.summary}>
          <Typography variant="subtitle2">{title}</Typography>
          <Box display="flex" alignItems="center" gridGap={8}>
            <IncidentStatus incident={incident} />
            <Typography variant="caption" color="textSecondary">
              opened {formatTime(incident.openedAt)}
              {incident.acknowledgedBy
                ? ` · acknowledged by ${incident.acknowledgedBy}`
                : ''}
              {incident.resolvedAt
                ? ` · resolved ${formatTime(incident.resolvedAt)}${
                    incident.resolvedBy
                      ? ` by ${incident.resolvedBy}`
                      : ' automatically'
                  }`
                : ''}
            </Typography>
          </Box>
        </Box>
      </AccordionSummary>
      <AccordionDetails>
        <Box className={classes.details}>
          <Typography variant="body2">{incident.message}</Typography>
          <EvidenceLine evidence={incident.evidence} />
          {open && (
            <Box className={classes.actions}>
              {incident.status === 'open' && (
                <Button
                  size="small"
                  variant="outlined"
                  disabled={!canUpdate || busy}
                  title={deniedHint}
                  onClick={() => onAction(incident, 'acknowledge')}
                >
                  Acknowledge
                </Button>
              )}
              <Button
                size="small"
                variant="outlined"
                color="primary"
                disabled={!canUpdate || busy}
                title={deniedHint}
                onClick={() => onAction(incident, 'resolve')}
              >
                Resolve
              </Button>
            </Box>
          )}
          <Typography variant="overline">Timeline</Typography>
          <List dense disablePadding aria-label={`Timeline of ${title}`}>
            {incident.timeline.map((event, index) => (
              <ListItem key={index} disableGutters>
                <ListItemText
                  className={classes.wrapping}
                  primary={`${EVENT_LABELS[event.type]}${
                    event.actor ? ` by ${event.actor}` : ''
                  } · ${formatTime(event.at)}`}
                  secondary={event.message}
                />
              </ListItem>
            ))}
          </List>
        </Box>
      </AccordionDetails>
    </Accordion>
  );
}

/**
 * Open and recently resolved incidents of the models and pipelines an
 * entity links to, with their timelines and acknowledge and resolve actions
 * for those allowed to change them.
 *
 * @public
 */
export function EntityMlopsIncidentsCard() {
  const mlopsApi = useApi(mlopsApiRef);
  const { allowed: canUpdate } = useEntityPermission(
    mlopsIncidentUpdatePermission,
  );
  const [busyId, setBusyId] = useState<string>();
  const [actionError, setActionError] = useState<Error>();

  const { annotated, value, loading, error, retry } = useEntityMlopsData(
    hasMlopsAnnotation,
    async (api, entityRef) => api.getEntityIncidents?.(entityRef),
  );

  const onAction = async (
    incident: MlopsIncident,
    action: 'acknowledge' | 'resolve',
  ) => {
    setBusyId(incident.id);
    setActionError(undefined);
    try {
      if (action === 'acknowledge') {
        await mlopsApi.acknowledgeIncident(incident.id);
      } else {
        await mlopsApi.resolveIncident(incident.id);
      }
      retry();
    } catch (e) {
      setActionError(e as Error);
    } finally {
      setBusyId(undefined);
    }
  };

  return (
    <InfoCard title="MLOps incidents">
      <EntityMlopsDataContent
        annotated={annotated}
        annotation={Object.values(MLOPS_OBJECT_ANNOTATIONS)}
        loading={loading && !value}
        error={error}
      >
        {() => {
          if (!value || value.items.length === 0) {
            return (
              <EmptyState
                missing="data"
                title="No incidents"
                description="Nothing has gone wrong with this entity's models and pipelines in the last week."
              />
            );
          }
          const openCount = value.items.filter(
            i => i.status !== 'resolved',
          ).length;
          return (
            <>
              <Typography variant="body2" color="textSecondary" gutterBottom>
                {openCount === 0
                  ? 'No open incidents; recently resolved ones are listed below.'
                  : `${openCount} open incident${openCount === 1 ? '' : 's'}`}
              </Typography>
              {actionError && (
                <Alert
                  severity="error"
                  onClose={() => setActionError(undefined)}
                >
                  {actionError.message}
                </Alert>
              )}
              {value.items.map(incident => (
                <IncidentItem
                  key={incident.id}
                  incident={incident}
                  canUpdate={canUpdate}
                  busy={busyId === incident.id}
                  onAction={onAction}
                />
              ))}
            </>
          );
        }}
      </EntityMlopsDataContent>
    </InfoCard>
  );
}
