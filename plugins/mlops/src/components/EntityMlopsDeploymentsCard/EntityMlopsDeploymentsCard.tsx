import { EmptyState, InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntityPermission } from '@backstage/plugin-catalog-react/alpha';
import {
  ANNOTATION_MLOPS_MODEL,
  EntityDeploymentsResponse,
  MlopsDeployment,
  MlopsDeploymentStatus,
  MlopsEnvironmentDeployment,
  mlopsDeploymentCreatePermission,
  mlopsDeploymentRollbackPermission,
} from '@backstage-mlops/plugin-mlops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useState } from 'react';
import { mlopsApiRef } from '../../api';
import { isMlopsModelAvailable } from '../../conditions';
import { useEntityMlopsData } from '../../hooks/useEntityMlopsData';
import { EntityMlopsDataContent } from '../EntityMlopsDataContent';
import { ReasonDialog } from '../ReasonDialog';
import { DeployDialog } from './DeploymentDialogs';
import { StatusLabel, StatusTone } from '../StatusLabel';
import { MlopsTable, NoWrap, TruncatedText } from '../MlopsTable';

const useStyles = makeStyles(theme => ({
  header: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    marginBottom: theme.spacing(1),
  },
  section: {
    marginTop: theme.spacing(3),
  },
  model: {
    '& + &': {
      marginTop: theme.spacing(4),
    },
  },
}));

const STATUS_LABELS: Record<MlopsDeploymentStatus, string> = {
  pending: 'Pending',
  in_progress: 'In progress',
  succeeded: 'Succeeded',
  failed: 'Failed',
  rolled_back: 'Rolled back',
  stuck: 'Stuck',
};

const STATUS_TONES: Record<MlopsDeploymentStatus, StatusTone> = {
  pending: 'pending',
  in_progress: 'running',
  succeeded: 'ok',
  failed: 'error',
  rolled_back: 'aborted',
  stuck: 'warning',
};

/** A deployment status with the Backstage status colour that fits it. */
export function DeploymentStatusLabel(props: {
  status: MlopsDeploymentStatus;
}) {
  return (
    <StatusLabel tone={STATUS_TONES[props.status]}>
      {STATUS_LABELS[props.status]}
    </StatusLabel>
  );
}

function formatTime(iso: string): string {
  return new Date(iso).toLocaleString();
}

const HISTORY_SHOWN = 10;

type Action =
  | { kind: 'deploy'; model: string; environments: string[] }
  | { kind: 'rollback'; model: string; current: MlopsEnvironmentDeployment };

function ModelDeployments(props: {
  entry: EntityDeploymentsResponse['models'][number];
  canDeploy: boolean;
  canRollback: boolean;
  onAction: (action: Action) => void;
}) {
  const { entry, canDeploy, canRollback, onAction } = props;
  const classes = useStyles();
  const environments = entry.current.map(c => c.environment);
  const deployButton = (
    <Button
      size="small"
      variant="outlined"
      color="primary"
      disabled={!canDeploy || !entry.known}
      onClick={() =>
        onAction({ kind: 'deploy', model: entry.model, environments })
      }
    >
      Deploy {entry.model}
    </Button>
  );
  return (
    <Box className={classes.model}>
      <Box className={classes.header}>
        <Typography variant="h6">{entry.model}</Typography>
        {canDeploy ? (
          deployButton
        ) : (
          <Tooltip title="You are not allowed to deploy this model">
            <span>{deployButton}</span>
          </Tooltip>
        )}
      </Box>
      {!entry.known && (
        <Typography variant="body2" color="textSecondary">
          {entry.model} is not registered in the MLOps store yet, so it cannot
          be deployed from here.
        </Typography>
      )}
      {entry.known && entry.current.length === 0 && (
        <Typography variant="body2" color="textSecondary">
          {entry.model} has not been deployed anywhere yet.
        </Typography>
      )}
      {entry.current.length > 0 && (
        <MlopsTable
          size="small"
          aria-label={`Current deployments of ${entry.model}`}
        >
          <TableHead>
            <TableRow>
              <TableCell>Environment</TableCell>
              <TableCell>Version</TableCell>
              <TableCell>Status</TableCell>
              <TableCell>Updated</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {entry.current.map(current => (
              <TableRow key={current.environment}>
                <TableCell>
                  <TruncatedText text={current.environment} maxWidth="12em" />
                </TableCell>
                <TableCell>
                  <NoWrap>v{current.version}</NoWrap>
                </TableCell>
                <TableCell>
                  <DeploymentStatusLabel status={current.status} />
                  {current.message && (
                    <Typography
                      variant="caption"
                      display="block"
                      color="textSecondary"
                    >
                      {current.message}
                    </Typography>
                  )}
                </TableCell>
                <TableCell>
                  <NoWrap>{formatTime(current.updatedAt)}</NoWrap>
                </TableCell>
                <TableCell align="right">
                  {canRollback &&
                    (current.status === 'succeeded' ||
                      current.status === 'failed') && (
                      <Button
                        size="small"
                        aria-label={`Roll back ${entry.model} in ${current.environment}`}
                        onClick={() =>
                          onAction({
                            kind: 'rollback',
                            model: entry.model,
                            current,
                          })
                        }
                      >
                        Roll back
                      </Button>
                    )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </MlopsTable>
      )}
      {entry.history.length > 0 && (
        <Box className={classes.section}>
          <Typography variant="subtitle2">History</Typography>
          <MlopsTable
            size="small"
            aria-label={`Deployment history of ${entry.model}`}
          >
            <TableHead>
              <TableRow>
                <TableCell>When</TableCell>
                <TableCell>Environment</TableCell>
                <TableCell>Version</TableCell>
                <TableCell>Status</TableCell>
                <TableCell>Details</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {entry.history.slice(0, HISTORY_SHOWN).map(d => (
                <TableRow key={d.id}>
                  <TableCell>
                    <NoWrap>{formatTime(d.createdAt)}</NoWrap>
                  </TableCell>
                  <TableCell>
                    <TruncatedText text={d.environment} maxWidth="12em" />
                  </TableCell>
                  <TableCell>
                    <NoWrap>v{d.version}</NoWrap>
                  </TableCell>
                  <TableCell>
                    <DeploymentStatusLabel status={d.status} />
                  </TableCell>
                  <TableCell>{describe(d)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </MlopsTable>
        </Box>
      )}
    </Box>
  );
}

function describe(d: MlopsDeployment): string {
  const parts: string[] = [];
  if (d.rollbackOf) {
    parts.push(`Rollback${d.reason ? `: ${d.reason}` : ''}`);
  }
  if (d.message) {
    parts.push(d.message);
  }
  if (d.requestedBy) {
    parts.push(`by ${d.requestedBy}`);
  }
  return parts.join(' · ');
}

/**
 * Deployments of the models an entity links to: the current version and
 * status in each environment, the history, and deploy and rollback actions
 * for those the permission policy allows.
 *
 * @public
 */
export function EntityMlopsDeploymentsCard() {
  const mlopsApi = useApi(mlopsApiRef);
  const { allowed: canDeploy } = useEntityPermission(
    mlopsDeploymentCreatePermission,
  );
  const { allowed: canRollback } = useEntityPermission(
    mlopsDeploymentRollbackPermission,
  );
  const [action, setAction] = useState<Action>();

  const { annotated, value, loading, error, retry } = useEntityMlopsData(
    isMlopsModelAvailable,
    (api, entityRef) => api.getEntityDeployments(entityRef),
  );

  const done = () => {
    setAction(undefined);
    retry();
  };

  return (
    <InfoCard title="Deployments">
      <EntityMlopsDataContent
        annotated={annotated}
        annotation={ANNOTATION_MLOPS_MODEL}
        loading={loading && !value}
        error={error}
      >
        {() =>
          !value || value.models.length === 0 ? (
            <EmptyState
              missing="data"
              title="No models"
              description="This entity links to no model."
            />
          ) : (
            // Without history the deploy action is still offered, under a note.
            <>
              {value.models.every(m => m.history.length === 0) && (
                <EmptyState
                  missing="data"
                  title="No deployments yet"
                  description="Deploy a version here, or let your CD system report deployments to the MLOps backend."
                />
              )}
              {value.models.map(entry => (
                <ModelDeployments
                  key={entry.model}
                  entry={entry}
                  canDeploy={canDeploy}
                  canRollback={canRollback}
                  onAction={setAction}
                />
              ))}
            </>
          )
        }
      </EntityMlopsDataContent>
      {action?.kind === 'deploy' && (
        <DeployDialog
          model={action.model}
          environments={action.environments}
          onClose={() => setAction(undefined)}
          onConfirm={async request => {
            await mlopsApi.deployModel({ model: action.model, ...request });
            done();
          }}
        />
      )}
      {action?.kind === 'rollback' && (
        <ReasonDialog
          titleId="mlops-rollback-dialog-title"
          title={`Roll back ${action.model} in ${action.current.environment}`}
          description={`Version ${action.current.version} is marked rolled back and the last version that succeeded in ${action.current.environment} before it is deployed again.`}
          reasonId="mlops-rollback-reason"
          multiline
          confirmLabel="Roll back"
          onClose={() => setAction(undefined)}
          onConfirm={async reason => {
            await mlopsApi.rollbackDeployment({
              model: action.model,
              environment: action.current.environment,
              reason,
            });
            done();
          }}
        />
      )}
    </InfoCard>
  );
}
