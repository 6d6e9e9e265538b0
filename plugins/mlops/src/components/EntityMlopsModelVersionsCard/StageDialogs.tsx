import { MODEL_STAGES, ModelStage } from '@backstage-mlops/plugin-mlops-common';
import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { useState } from 'react';
import { ReasonDialog } from '../ReasonDialog';

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
  const archives = stage === 'Production' || stage === 'Staging';

  return (
    <ReasonDialog
      titleId="mlops-stage-dialog-title"
      title={`Move ${model} version ${version}`}
      description={`The version is in ${currentStage}. The change and its reason are recorded in the model's history under your name.`}
      reasonId="mlops-stage-reason"
      markRequired={false}
      multiline
      minRows={2}
      confirmLabel={`Move to ${stage}`}
      lockCancelWhileBusy
      onClose={onClose}
      onConfirm={reason =>
        onConfirm({
          stage,
          archiveExisting: archives && archiveExisting,
          reason,
        })
      }
    >
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
    </ReasonDialog>
  );
}
