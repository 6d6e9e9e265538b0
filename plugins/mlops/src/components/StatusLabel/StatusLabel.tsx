import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import { ReactNode } from 'react';

/** Which of Backstage's status icons and colours a status is shown with. */
export type StatusTone =
  | 'ok'
  | 'warning'
  | 'error'
  | 'running'
  | 'pending'
  | 'aborted';

const TONES: Record<
  StatusTone,
  (props: { children?: ReactNode }) => JSX.Element
> = {
  ok: StatusOK,
  warning: StatusWarning,
  error: StatusError,
  running: StatusRunning,
  pending: StatusPending,
  aborted: StatusAborted,
};

/**
 * A status label in Backstage's status style. Each kind of status (health,
 * deployments, runs) keeps its own table of tones, so one look serves all.
 */
export function StatusLabel(props: { tone: StatusTone; children: ReactNode }) {
  const Tone = TONES[props.tone];
  // A status reads as one unit: it never wraps between its icon and words.
  // data-mlops-status lets the end-to-end layout check find every label.
  return (
    <span style={{ whiteSpace: 'nowrap' }} data-mlops-status={props.tone}>
      <Tone>{props.children}</Tone>
    </span>
  );
}
