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
 * The message to show for a failed request: the backend's own explanation
 * (a ResponseError carries it in its body) rather than "Request failed with
 * 409 Conflict".
 */
export function errorMessage(error: unknown): string {
  const body = (error as { body?: { error?: { message?: unknown } } }).body;
  const explained = body?.error?.message;
  return typeof explained === 'string' && explained
    ? explained
    : (error as Error).message;
}

/** What the confirm and reason dialogs share. */
interface DialogShellProps {
  /** The title's element id; the dialog is labelled by it. */
  titleId: string;
  title: ReactNode;
  confirmLabel: ReactNode;
  /** The confirm button's colour; primary unless the action undoes one. */
  confirmColor?: 'primary' | 'secondary';
  /** Whether Cancel is disabled while the confirm is in flight. */
  lockCancelWhileBusy?: boolean;
  onClose: () => void;
}

/**
 * A dialog whose confirm is awaited, so a refused request shows the
 * backend's message in the dialog instead of closing it. The caller
 * closes the dialog once the confirm succeeds.
 */
export function ConfirmDialog(
  props: DialogShellProps & {
    children: ReactNode;
    canConfirm: boolean;
    onConfirm: () => Promise<void>;
  },
) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };
  return (
    <Dialog open onClose={props.onClose} aria-labelledby={props.titleId}>
      <DialogTitle id={props.titleId}>{props.title}</DialogTitle>
      <DialogContent>
        {props.children}
        {error && <Alert severity="error">{error}</Alert>}
      </DialogContent>
      <DialogActions>
        <Button
          onClick={props.onClose}
          disabled={props.lockCancelWhileBusy && busy}
        >
          Cancel
        </Button>
        <Button
          color={props.confirmColor ?? 'primary'}
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

/**
 * Confirms an action that needs a reason: nothing can be confirmed until
 * the reason field holds more than white space, and the trimmed reason is
 * passed on, to be kept with the change.
 */
export function ReasonDialog(
  props: DialogShellProps & {
    /** What confirming does, above the fields. */
    description: ReactNode;
    /** Fields asked for before the reason. */
    children?: ReactNode;
    /** The reason field's element id. */
    reasonId: string;
    /** Marks the reason field as required (the asterisk); default true. */
    markRequired?: boolean;
    /** Whether the reason field takes several lines, and at least how many. */
    multiline?: boolean;
    minRows?: number;
    onConfirm: (reason: string) => Promise<void>;
  },
) {
  const {
    description,
    children,
    reasonId,
    markRequired = true,
    multiline,
    minRows,
    onConfirm,
    ...shell
  } = props;
  const [reason, setReason] = useState('');
  return (
    <ConfirmDialog
      {...shell}
      canConfirm={reason.trim().length > 0}
      onConfirm={() => onConfirm(reason.trim())}
    >
      <DialogContentText>{description}</DialogContentText>
      {children}
      <TextField
        fullWidth
        required={markRequired}
        multiline={multiline}
        minRows={minRows}
        margin="dense"
        id={reasonId}
        label="Reason"
        value={reason}
        onChange={e => setReason(e.target.value)}
      />
    </ConfirmDialog>
  );
}
