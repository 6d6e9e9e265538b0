import { MODEL_STAGES, ModelStage } from '@backstage-mlops/plugin-mlops-common';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';

/** The change the stage dialog asks to confirm. */
export interface StageChange {
  stage: ModelStage;
  archiveExisting: boolean;
  reason: string;
}

/**
 * Asks for the target stage and a reason, then confirms. The submit is
 * awaited so a refused change shows its message in the dialog.
 */
export function StageTransitionDialog(props: {
  model: string;
  version: number;
  currentStage: ModelStage;
  onClose: () => void;
  onConfirm: (change: StageChange) => Promise<void>;
}) {
  const { model, version, currentStage, onClose, onConfirm } = props;
  const [stage, setStage] = useState<ModelStage>(
    currentStage === 'Production' ? 'Archived' : 'Production',
  );
  const [archiveExisting, setArchiveExisting] = useState(true);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const archives = stage === 'Production' || stage === 'Staging';

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm({
        stage,
        archiveExisting: archives && archiveExisting,
        reason: reason.trim(),
      });
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  return (
    <Dialog open onClose={onClose} aria-labelledby="mlops-stage-dialog-title">
      <DialogTitle id="mlops-stage-dialog-title">
        Move {model} version {version}
      </DialogTitle>
      <DialogContent>
        <DialogContentText>
          The version is in {currentStage}. The change and its reason are
          recorded in the model's history under your name.
        </DialogContentText>
        <TextField
          select
          fullWidth
          margin="dense"
          id="mlops-new-stage"
          label="New stage"
          value={stage}
          onChange={e => setStage(e.target.value as ModelStage)}
        >
          {MODEL_STAGES.filter(s => s !== currentStage).map(s => (
            <MenuItem key={s} value={s}>
              {s}
            </MenuItem>
          ))}
        </TextField>
        {archives && (
          <FormControlLabel
            control={
              <Checkbox
                checked={archiveExisting}
                onChange={e => setArchiveExisting(e.target.checked)}
              />
            }
            label={`Archive the versions now in ${stage}`}
          />
        )}
        <TextField
          fullWidth
          margin="dense"
          id="mlops-stage-reason"
          label="Reason"
          value={reason}
          onChange={e => setReason(e.target.value)}
          multiline
          minRows={2}
        />
        {error && <Alert severity="error">{error}</Alert>}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Cancel
        </Button>
        <Button
          color="primary"
          variant="contained"
          onClick={submit}
          disabled={busy || reason.trim().length === 0}
        >
          Move to {stage}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/**
 * Confirms a rollback; a reason is required because the history keeps it
 * as the audit trail of why production changed.
 */
export function RollbackDialog(props: {
  model: string;
  productionVersion: number;
  onClose: () => void;
  onConfirm: (reason: string) => Promise<void>;
}) {
  const { model, productionVersion, onClose, onConfirm } = props;
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm(reason.trim());
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      onClose={onClose}
      aria-labelledby="mlops-rollback-dialog-title"
    >
      <DialogTitle id="mlops-rollback-dialog-title">
        Roll back {model}
      </DialogTitle>
      <DialogContent>
        <DialogContentText>
          Version {productionVersion} leaves Production for Archived, and the
          version that was in Production before it takes its place.
        </DialogContentText>
        <TextField
          fullWidth
          margin="dense"
          id="mlops-rollback-reason"
          label="Reason"
          value={reason}
          onChange={e => setReason(e.target.value)}
          multiline
          minRows={2}
          required
        />
        {error && <Alert severity="error">{error}</Alert>}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Cancel
        </Button>
        <Button
          color="secondary"
          variant="contained"
          onClick={submit}
          disabled={busy || reason.trim().length === 0}
        >
          Roll back
        </Button>
      </DialogActions>
    </Dialog>
  );
}
