import DialogContentText from '@material-ui/core/DialogContentText';
import TextField from '@material-ui/core/TextField';
import { useState } from 'react';
import { ConfirmDialog } from '../ReasonDialog';

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
      titleId="mlops-deploy-dialog-title"
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
