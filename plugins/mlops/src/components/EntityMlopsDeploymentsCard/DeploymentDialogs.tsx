import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { ReactNode, useState } from 'react';

/**
 * A dialog whose confirm is awaited, so a refused request shows the
 * backend's message in the dialog instead of closing it.
 */
function ConfirmDialog(props: {
  id: string;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  canConfirm: boolean;
  onClose: () => void;
  onConfirm: () => Promise<void>;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };
  return (
    <Dialog open onClose={props.onClose} aria-labelledby={props.id}>
      <DialogTitle id={props.id}>{props.title}</DialogTitle>
      <DialogContent>
        {props.children}
        {error && <Alert severity="error">{error}</Alert>}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={!props.canConfirm || busy}
          onClick={submit}
        >
          {props.confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** Asks which version goes to which environment, then deploys it. */
export function DeployDialog(props: {
  model: string;
  environments: string[];
  onClose: () => void;
  onConfirm: (request: {
    version: number;
    environment: string;
  }) => Promise<void>;
}) {
  const [version, setVersion] = useState('');
  const [environment, setEnvironment] = useState(props.environments[0] ?? '');
  const parsed = Number(version);
  const valid =
    Number.isInteger(parsed) &&
    parsed > 0 &&
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(environment);
  return (
    <ConfirmDialog
      id="mlops-deploy-dialog-title"
      title={`Deploy ${props.model}`}
      confirmLabel="Deploy"
      canConfirm={valid}
      onClose={props.onClose}
      onConfirm={() => props.onConfirm({ version: parsed, environment })}
    >
      <DialogContentText>
        The deployment is recorded under your name; the CD system reports its
        progress. Only one deployment per environment can be in flight.
      </DialogContentText>
      <TextField
        fullWidth
        margin="dense"
        id="mlops-deploy-version"
        label="Version"
        type="number"
        value={version}
        onChange={e => setVersion(e.target.value)}
      />
      <TextField
        fullWidth
        margin="dense"
        id="mlops-deploy-environment"
        label="Environment"
        helperText={
          props.environments.length > 0
            ? `Known: ${props.environments.join(', ')}`
            : 'e.g. staging or production'
        }
        value={environment}
        onChange={e => setEnvironment(e.target.value.trim())}
      />
    </ConfirmDialog>
  );
}

/** Confirms a rollback and asks why; the reason is kept with the deployment. */
export function RollbackDialog(props: {
  model: string;
  environment: string;
  currentVersion: number;
  onClose: () => void;
  onConfirm: (reason: string) => Promise<void>;
}) {
  const [reason, setReason] = useState('');
  return (
    <ConfirmDialog
      id="mlops-rollback-dialog-title"
      title={`Roll back ${props.model} in ${props.environment}`}
      confirmLabel="Roll back"
      canConfirm={reason.trim().length > 0}
      onClose={props.onClose}
      onConfirm={() => props.onConfirm(reason.trim())}
    >
      <DialogContentText>
        Version {props.currentVersion} is marked rolled back and the last
        version that succeeded in {props.environment} before it is deployed
        again.
      </DialogContentText>
      <TextField
        fullWidth
        required
        multiline
        margin="dense"
        id="mlops-rollback-reason"
        label="Reason"
        value={reason}
        onChange={e => setReason(e.target.value)}
      />
    </ConfirmDialog>
  );
}
