import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  ModelVersion,
  RetentionKeepReason,
  isReservedModelAlias,
} from '@backstage-mlops/plugin-mlops-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import MenuItem from '@material-ui/core/MenuItem';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { mlopsApiRef } from '../../api';
import { MlopsTable, NoWrap, TruncatedText } from '../MlopsTable';
import { ConfirmDialog, ReasonDialog, errorMessage } from '../ReasonDialog';

/** Alias names as the registry accepts them: letters, digits, `_` and `-`. */
const ALIAS_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;

/** Why an alias name cannot be used, or undefined when it can. */
export function aliasProblem(alias: string): string | undefined {
  if (!alias) return undefined;
  if (!ALIAS_PATTERN.test(alias)) {
    return 'Letters, digits, _ and - only';
  }
  if (isReservedModelAlias(alias)) {
    return `"${alias}" always means another version and cannot be set by hand`;
  }
  return undefined;
}

function versionLabel(v: ModelVersion): string {
  return `v${v.version} (${v.stage})`;
}

/**
 * Points an alias at a version. The confirmation names the change: a new
 * alias, or the version the alias leaves.
 */
export function SetAliasDialog(props: {
  model: string;
  versions: ModelVersion[];
  /** Alias → version, as the registry has them now. */
  aliases: Record<string, number>;
  initialVersion: number;
  onClose: () => void;
  onConfirm: (change: {
    alias: string;
    version: number;
    reason: string;
  }) => Promise<void>;
}) {
  const { model, versions, aliases, onClose, onConfirm } = props;
  const [alias, setAlias] = useState('');
  const [version, setVersion] = useState(props.initialVersion);
  const name = alias.trim();
  const problem = aliasProblem(name);
  const current = aliases[name];
  let change = 'Choose an alias name.';
  if (name && !problem) {
    if (current === undefined) {
      change = `@${name} is new: it will point at version ${version}.`;
    } else if (current === version) {
      change = `@${name} already points at version ${version}; nothing changes.`;
    } else {
      change = `@${name} moves from version ${current} to version ${version}.`;
    }
  }
  return (
    <ReasonDialog
      titleId="mlops-alias-dialog-title"
      title={`Set an alias of ${model}`}
      description={
        <span data-testid="mlops-alias-change">
          {change} Anything that loads {model} by this alias gets that version.
          The change is recorded in the model's history under your name.
        </span>
      }
      reasonId="mlops-alias-reason"
      confirmLabel={name && !problem ? `Set @${name}` : 'Set alias'}
      lockCancelWhileBusy
      onClose={onClose}
      onConfirm={async reason => {
        if (!name || problem || current === version) {
          throw new Error(problem ?? change);
        }
        await onConfirm({ alias: name, version, reason });
      }}
    >
      <TextField
        fullWidth
        margin="dense"
        id="mlops-alias-name"
        label="Alias"
        placeholder="champion"
        value={alias}
        error={Boolean(problem)}
        helperText={
          problem ??
          (Object.keys(aliases).length > 0
            ? `Now: ${Object.entries(aliases)
                .map(([a, v]) => `@${a} → v${v}`)
                .join(', ')}`
            : 'This model has no aliases yet')
        }
        onChange={e => setAlias(e.target.value)}
      />
      <TextField
        select
        fullWidth
        margin="dense"
        id="mlops-alias-version"
        label="Version"
        value={version}
        onChange={e => setVersion(Number(e.target.value))}
      >
        {versions.map(v => (
          <MenuItem key={v.version} value={v.version}>
            {versionLabel(v)}
          </MenuItem>
        ))}
      </TextField>
    </ReasonDialog>
  );
}

/** Confirms removing an alias, naming the version it leaves. */
export function RemoveAliasDialog(props: {
  model: string;
  alias: string;
  version: number;
  onClose: () => void;
  onConfirm: (reason: string) => Promise<void>;
}) {
  const { model, alias, version } = props;
  return (
    <ReasonDialog
      titleId="mlops-remove-alias-dialog-title"
      title={`Remove @${alias} from ${model}`}
      description={`@${alias} stops pointing at version ${version}: anything that loads ${model} by this alias will fail until it is set again. The version itself stays.`}
      reasonId="mlops-remove-alias-reason"
      confirmLabel={`Remove @${alias}`}
      confirmColor="secondary"
      lockCancelWhileBusy
      onClose={props.onClose}
      onConfirm={props.onConfirm}
    />
  );
}

function formatValue(value: number | null): string {
  if (value === null || Number.isNaN(value)) return '–';
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}

/**
 * Two versions side by side: each metric, which way is better, and which
 * version wins it; then the params that differ.
 */
export function CompareVersionsDialog(props: {
  model: string;
  versions: ModelVersion[];
  initial: [number, number];
  onClose: () => void;
}) {
  const { model, versions } = props;
  const mlopsApi = useApi(mlopsApiRef);
  const [a, setA] = useState(props.initial[0]);
  const [b, setB] = useState(props.initial[1]);
  const state = useAsync(
    async () =>
      a === b ? undefined : mlopsApi.compareModelVersions({ model, a, b }),
    [mlopsApi, model, a, b],
  );
  const picker = (
    id: string,
    label: string,
    value: number,
    set: (v: number) => void,
  ) => (
    <TextField
      select
      margin="dense"
      id={id}
      label={label}
      value={value}
      onChange={e => set(Number(e.target.value))}
      style={{ minWidth: 160, marginRight: 16 }}
    >
      {versions.map(v => (
        <MenuItem key={v.version} value={v.version}>
          {versionLabel(v)}
        </MenuItem>
      ))}
    </TextField>
  );
  const comparison = state.value;
  const differingParams = comparison?.params.filter(p => p.different) ?? [];
  return (
    <Dialog
      open
      onClose={props.onClose}
      aria-labelledby="mlops-compare-dialog-title"
      maxWidth="md"
      fullWidth
    >
      <DialogTitle id="mlops-compare-dialog-title">
        Compare versions of {model}
      </DialogTitle>
      <DialogContent>
        {picker('mlops-compare-a', 'Version A', a, setA)}
        {picker('mlops-compare-b', 'Version B', b, setB)}
        {a === b && (
          <DialogContentText>Choose two different versions.</DialogContentText>
        )}
        {state.loading && <Progress />}
        {state.error && <ResponseErrorPanel error={state.error} />}
        {comparison && comparison.metrics.length === 0 && (
          <DialogContentText>
            Neither version has metrics to compare.
          </DialogContentText>
        )}
        {comparison && comparison.metrics.length > 0 && (
          <MlopsTable aria-label={`Metrics of v${a} and v${b}`}>
            <TableHead>
              <TableRow>
                <TableCell>Metric</TableCell>
                <TableCell align="right">v{a}</TableCell>
                <TableCell align="right">v{b}</TableCell>
                <TableCell>Better</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {comparison.metrics.map(m => (
                <TableRow key={m.key} data-better={m.better ?? 'none'}>
                  <TableCell>
                    <TruncatedText text={m.key} maxWidth="16em" />
                    <Typography
                      variant="caption"
                      color="textSecondary"
                      component="div"
                    >
                      {m.direction === 'higher'
                        ? 'higher is better'
                        : 'lower is better'}
                    </Typography>
                  </TableCell>
                  <TableCell align="right">
                    <NoWrap>
                      {m.better === 'a' ? (
                        <strong>{formatValue(m.a)}</strong>
                      ) : (
                        formatValue(m.a)
                      )}
                    </NoWrap>
                  </TableCell>
                  <TableCell align="right">
                    <NoWrap>
                      {m.better === 'b' ? (
                        <strong>{formatValue(m.b)}</strong>
                      ) : (
                        formatValue(m.b)
                      )}
                    </NoWrap>
                  </TableCell>
                  <TableCell>
                    <NoWrap>
                      {m.better === 'a' && `v${a}`}
                      {m.better === 'b' && `v${b}`}
                      {m.better === 'equal' && 'equal'}
                      {m.better === null && 'not comparable'}
                    </NoWrap>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </MlopsTable>
        )}
        {differingParams.length > 0 && (
          <Typography variant="body2" style={{ marginTop: 16 }}>
            Params that differ:{' '}
            {differingParams
              .map(p => `${p.key} (${p.a ?? '–'} → ${p.b ?? '–'})`)
              .join(', ')}
          </Typography>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}

const KEEP_REASONS: Record<RetentionKeepReason, string> = {
  newest: 'among the newest',
  production: 'in Production',
  staging: 'in Staging',
  aliased: 'aliased',
  deployed: 'deployed',
};

/**
 * Retention with a dry run first: "keep N" asks the registry which versions
 * it would delete and why it keeps the others; only then can the deletion
 * be confirmed, and the button says how many versions go.
 */
export function RetentionDialog(props: {
  model: string;
  versionCount: number;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const { model } = props;
  const mlopsApi = useApi(mlopsApiRef);
  const [keepText, setKeepText] = useState(
    String(Math.max(1, Math.min(5, props.versionCount))),
  );
  const keep = Number(keepText);
  const keepValid = Number.isInteger(keep) && keep >= 1 && keep <= 10_000;
  const plan = useAsync(
    async () =>
      keepValid
        ? mlopsApi.applyModelRetention({ model, keep, dryRun: true })
        : undefined,
    [mlopsApi, model, keep, keepValid],
  );
  const doomed = plan.value?.deleted ?? [];
  return (
    <ConfirmDialog
      titleId="mlops-retention-dialog-title"
      title={`Clean up old versions of ${model}`}
      confirmLabel={
        doomed.length > 0
          ? `Delete ${doomed.length} version${doomed.length === 1 ? '' : 's'}`
          : 'Nothing to delete'
      }
      confirmColor="secondary"
      lockCancelWhileBusy
      canConfirm={!plan.loading && doomed.length > 0}
      onClose={props.onClose}
      onConfirm={async () => {
        await mlopsApi.applyModelRetention({ model, keep, dryRun: false });
        props.onDeleted();
      }}
    >
      <DialogContentText>
        Keeps the newest versions and every version in Production or Staging,
        aliased or deployed; deletes the others for good. This preview is a dry
        run: nothing is deleted until you confirm.
      </DialogContentText>
      <TextField
        margin="dense"
        id="mlops-retention-keep"
        label="Keep the newest"
        type="number"
        inputProps={{ min: 1, max: 10000 }}
        value={keepText}
        error={!keepValid}
        helperText={keepValid ? 'versions' : 'A whole number from 1'}
        onChange={e => setKeepText(e.target.value)}
      />
      {plan.loading && <Progress />}
      {plan.error && <Alert severity="error">{errorMessage(plan.error)}</Alert>}
      {plan.value && (
        <div data-testid="mlops-retention-plan">
          <Typography variant="body2">
            {doomed.length === 0
              ? `Nothing would be deleted: every version of ${model} is kept.`
              : `Would delete ${doomed.map(v => `v${v}`).join(', ')} (${
                  doomed.length
                } of ${doomed.length + plan.value.kept.length}).`}
          </Typography>
          <Typography variant="caption" color="textSecondary" component="div">
            Kept:{' '}
            {plan.value.kept
              .map(
                k =>
                  `v${k.version} (${k.reasons
                    .map(r => KEEP_REASONS[r] ?? r)
                    .join(', ')})`,
              )
              .join('; ')}
          </Typography>
        </div>
      )}
    </ConfirmDialog>
  );
}
