import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import { useState } from 'react';
import { RunArtifacts } from './RunArtifacts';

/**
 * A small "Artifacts" button for a run's row that opens the run's
 * artifacts and datasets ({@link RunArtifacts}) in a dialog.
 */
export function RunArtifactsButton(props: { runId: string; runName?: string }) {
  const [open, setOpen] = useState(false);
  const title = props.runName ?? props.runId.slice(0, 8);
  return (
    <>
      <Button
        size="small"
        color="primary"
        aria-label={`Artifacts of run ${title}`}
        onClick={() => setOpen(true)}
      >
        Artifacts
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        maxWidth="lg"
        fullWidth
      >
        <DialogTitle>Artifacts of {title}</DialogTitle>
        <DialogContent>
          {open && <RunArtifacts runId={props.runId} />}
        </DialogContent>
      </Dialog>
    </>
  );
}
