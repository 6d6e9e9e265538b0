import { EmptyState, InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntityPermission } from '@backstage/plugin-catalog-react/alpha';
import {
  ANNOTATION_MLOPS_MODEL,
  EntityModelVersions,
  ModelHistoryEntry,
  ModelStage,
  ModelVersion,
  mlopsModelRetentionPermission,
  mlopsModelRollbackPermission,
  mlopsModelStageTransitionPermission,
} from '@backstage-mlops/plugin-mlops-common';
import Tooltip from '@material-ui/core/Tooltip';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Timeline from '@material-ui/lab/Timeline';
import TimelineConnector from '@material-ui/lab/TimelineConnector';
import TimelineContent from '@material-ui/lab/TimelineContent';
import TimelineDot from '@material-ui/lab/TimelineDot';
import TimelineItem from '@material-ui/lab/TimelineItem';
import TimelineOppositeContent from '@material-ui/lab/TimelineOppositeContent';
import TimelineSeparator from '@material-ui/lab/TimelineSeparator';
import { useState } from 'react';
import { mlopsApiRef } from '../../api';
import { isMlopsModelAvailable } from '../../conditions';
import { useEntityMlopsData } from '../../hooks/useEntityMlopsData';
import { EntityMlopsDataContent } from '../EntityMlopsDataContent';
import { ReasonDialog } from '../ReasonDialog';
import { StageChange, StageTransitionDialog } from './StageDialogs';
import {
  CompareVersionsDialog,
  RemoveAliasDialog,
  RetentionDialog,
  SetAliasDialog,
} from './VersionDialogs';
import { MlopsTable, NoWrap, TruncatedText } from '../MlopsTable';
import { ModelVersionDetailsButton } from '../ModelVersionDetails';

const useStyles = makeStyles(theme => ({
  modelHeader: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: theme.spacing(1),
    marginBottom: theme.spacing(1),
  },
  rowActions: {
    whiteSpace: 'nowrap',
  },
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
  },
  section: {
    marginTop: theme.spacing(3),
  },
  chip: {
    marginRight: theme.spacing(0.5),
  },
  timeline: {
    padding: 0,
    margin: 0,
  },
  when: {
    flex: 0.25,
    minWidth: 110,
  },
}));

const STAGE_COLORS: Record<ModelStage, 'default' | 'primary' | 'secondary'> = {
  Production: 'primary',
  Staging: 'secondary',
  None: 'default',
  Archived: 'default',
};

// Shown metrics per row: the card has room for three columns.
const KEY_METRIC_COUNT = 3;
const HISTORY_SHOWN = 15;

/** "3 days ago"-style age, coarse on purpose: exact times are in the tooltip. */
export function formatAge(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  const units: Array<[number, string]> = [
    [365 * 24 * 3600, 'year'],
    [30 * 24 * 3600, 'month'],
    [24 * 3600, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, unit] of units) {
    if (seconds >= size) {
      const count = Math.floor(seconds / size);
      return `${count} ${unit}${count === 1 ? '' : 's'} ago`;
    }
  }
  return 'just now';
}

function formatMetric(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) {
    return '–';
  }
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

/**
 * The metrics worth a column: those of the Production version (or the newest
 * version when none is in Production), in alphabetical order.
 */
function keyMetricsOf(models: ModelVersion[]): string[] {
  const reference =
    models.find(v => v.stage === 'Production') ?? models[0] ?? undefined;
  return Object.keys(reference?.metrics ?? {})
    .sort()
    .slice(0, KEY_METRIC_COUNT);
}

function describeEntry(entry: ModelHistoryEntry): string {
  switch (entry.action) {
    case 'rollback':
      return `Rolled back to version ${entry.version} (${entry.from} → Production)`;
    case 'alias_set':
      return entry.from
        ? `Alias ${entry.alias} moved from version ${entry.from} to ${entry.to}`
        : `Alias ${entry.alias} set on version ${entry.to}`;
    case 'alias_deleted':
      return `Alias ${entry.alias} removed from version ${entry.from}`;
    case 'version_deleted':
      return `Version ${entry.version} deleted by retention`;
    default:
      return `Version ${entry.version}: ${entry.from} → ${entry.to}`;
  }
}

function dotColor(entry: ModelHistoryEntry): 'primary' | 'secondary' | 'grey' {
  if (entry.action === 'rollback') {
    return 'secondary';
  }
  return entry.to === 'Production' ? 'primary' : 'grey';
}

function HistoryTimeline(props: { history: ModelHistoryEntry[] }) {
  const classes = useStyles();
  const shown = props.history.slice(0, HISTORY_SHOWN);
  if (shown.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No stage or alias changes yet.
      </Typography>
    );
  }
  return (
    <Timeline className={classes.timeline} aria-label="Model history">
      {shown.map((entry, index) => (
        <TimelineItem key={entry.id}>
          <TimelineOppositeContent className={classes.when}>
            <Typography
              variant="caption"
              color="textSecondary"
              title={new Date(entry.at).toLocaleString()}
            >
              {formatAge(entry.at)}
            </Typography>
          </TimelineOppositeContent>
          <TimelineSeparator>
            <TimelineDot color={dotColor(entry)} />
            {index < shown.length - 1 && <TimelineConnector />}
          </TimelineSeparator>
          <TimelineContent>
            <Typography variant="body2">{describeEntry(entry)}</Typography>
            <Typography variant="caption" color="textSecondary">
              {entry.actor}
              {entry.reason ? ` · ${entry.reason}` : ''}
            </Typography>
          </TimelineContent>
        </TimelineItem>
      ))}
    </Timeline>
  );
}

type PendingAction =
  | { kind: 'stage'; model: string; version: ModelVersion }
  | { kind: 'rollback'; model: string; productionVersion: number }
  | { kind: 'alias'; item: EntityModelVersions; initialVersion: number }
  | { kind: 'removeAlias'; model: string; alias: string; version: number }
  | { kind: 'compare'; item: EntityModelVersions }
  | { kind: 'retention'; item: EntityModelVersions };

/** What the card's user may do, from the permission policy. */
interface Allowed {
  transition: boolean;
  rollback: boolean;
  retention: boolean;
}

/**
 * An action button; without permission it is disabled and its tooltip says
 * why (a disabled button gets no pointer events, so the span holds the tooltip).
 */
function ActionButton(props: {
  allowed: boolean;
  deniedHint: string;
  disabledHint?: string;
  disabled?: boolean;
  onClick: () => void;
  children: string;
}) {
  const disabled = !props.allowed || props.disabled;
  const button = (
    <Button
      size="small"
      variant="outlined"
      disabled={disabled}
      onClick={props.onClick}
    >
      {props.children}
    </Button>
  );
  let hint: string | undefined;
  if (!props.allowed) {
    hint = props.deniedHint;
  } else if (props.disabled) {
    hint = props.disabledHint;
  }
  return hint ? (
    <Tooltip title={hint}>
      <span>{button}</span>
    </Tooltip>
  ) : (
    button
  );
}

function VersionsTable(props: {
  item: EntityModelVersions;
  canTransition: boolean;
  onAction: (action: PendingAction) => void;
}) {
  const { item, canTransition, onAction } = props;
  const classes = useStyles();
  const metricKeys = keyMetricsOf(item.versions);
  if (!item.known) {
    return (
      <Typography variant="body2" color="textSecondary">
        {item.name} is not registered in the model registry yet.
      </Typography>
    );
  }
  if (item.versions.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        {item.name} has no versions yet. A training pipeline registers one with
        POST /api/mlops/models/{item.name}/versions.
      </Typography>
    );
  }
  return (
    <MlopsTable size="small" aria-label={`Versions of ${item.name}`}>
      <TableHead>
        <TableRow>
          <TableCell>Version</TableCell>
          <TableCell>Stage</TableCell>
          <TableCell>Aliases</TableCell>
          {metricKeys.map(key => (
            <TableCell key={key} align="right">
              <TruncatedText text={key} maxWidth="10em" />
            </TableCell>
          ))}
          <TableCell />
        </TableRow>
      </TableHead>
      <TableBody>
        {item.versions.map(version => (
          <TableRow key={version.version}>
            {/* The age sits under the version rather than in a column of its
                own, which leaves the row actions room at half width. */}
            <TableCell title={new Date(version.createdAt).toLocaleString()}>
              <NoWrap>v{version.version}</NoWrap>
              <Typography
                variant="caption"
                color="textSecondary"
                component="div"
              >
                <NoWrap>{formatAge(version.createdAt)}</NoWrap>
              </Typography>
            </TableCell>
            <TableCell>
              <Chip
                size="small"
                label={version.stage}
                color={STAGE_COLORS[version.stage]}
                variant={version.stage === 'Archived' ? 'outlined' : 'default'}
              />
            </TableCell>
            <TableCell>
              {version.aliases.map(alias => (
                <Chip
                  key={alias}
                  size="small"
                  variant="outlined"
                  label={`@${alias}`}
                  className={classes.chip}
                  onDelete={
                    canTransition
                      ? () =>
                          onAction({
                            kind: 'removeAlias',
                            model: item.name,
                            alias,
                            version: version.version,
                          })
                      : undefined
                  }
                />
              ))}
            </TableCell>
            {metricKeys.map(key => (
              <TableCell key={key} align="right">
                {formatMetric(version.metrics[key])}
              </TableCell>
            ))}
            <TableCell align="right" className={classes.rowActions}>
              <Button
                size="small"
                disabled={!canTransition}
                aria-label={`Change stage of version ${version.version}`}
                onClick={() =>
                  onAction({ kind: 'stage', model: item.name, version })
                }
              >
                Change stage
              </Button>
              <ModelVersionDetailsButton
                model={item.name}
                version={version.version}
              />
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </MlopsTable>
  );
}

function ModelVersionsSection(props: {
  item: EntityModelVersions;
  showName: boolean;
  allowed: Allowed;
  onAction: (action: PendingAction) => void;
}) {
  const { item, showName, allowed, onAction } = props;
  const classes = useStyles();
  const production = item.model?.productionVersion;

  return (
    <Box data-testid={`mlops-model-${item.name}`}>
      <Box className={classes.modelHeader}>
        <Typography variant="subtitle1">
          {showName ? item.name : 'Versions'}
          {item.source && (
            <Typography
              component="span"
              variant="caption"
              color="textSecondary"
            >
              {' '}
              from {item.source.name}
            </Typography>
          )}
        </Typography>
        {item.known && item.versions.length > 0 && (
          <Box className={classes.actions}>
            <ActionButton
              allowed
              deniedHint=""
              disabled={item.versions.length < 2}
              disabledHint="There is only one version"
              onClick={() => onAction({ kind: 'compare', item })}
            >
              Compare
            </ActionButton>
            <ActionButton
              allowed={allowed.transition}
              deniedHint="You are not allowed to change this model's aliases"
              onClick={() =>
                onAction({
                  kind: 'alias',
                  item,
                  initialVersion: item.versions[0].version,
                })
              }
            >
              Set alias
            </ActionButton>
            <ActionButton
              allowed={allowed.retention}
              deniedHint="You are not allowed to delete versions of this model"
              onClick={() => onAction({ kind: 'retention', item })}
            >
              Clean up
            </ActionButton>
            {production !== undefined && (
              <ActionButton
                allowed={allowed.rollback}
                deniedHint="You are not allowed to roll this model back"
                onClick={() =>
                  onAction({
                    kind: 'rollback',
                    model: item.name,
                    productionVersion: production,
                  })
                }
              >
                Roll back
              </ActionButton>
            )}
          </Box>
        )}
      </Box>
      <VersionsTable
        item={item}
        canTransition={allowed.transition}
        onAction={onAction}
      />
      {item.known && (
        <Box className={classes.section}>
          <Typography variant="subtitle2">History</Typography>
          <HistoryTimeline history={item.history} />
        </Box>
      )}
    </Box>
  );
}

/**
 * The versions compared first: the one in Production (or the second newest)
 * against the newest, which is the question before a promotion.
 */
function compareDefaults(item: EntityModelVersions): [number, number] {
  const newest = item.versions[0].version;
  const production = item.model?.productionVersion;
  const other =
    production !== undefined && production !== newest
      ? production
      : item.versions[1]?.version ?? newest;
  return [other, newest];
}

/**
 * The versions of the registered models an entity's
 * `backstage-mlops.dev/model` annotation names: stage, aliases, key metrics
 * and age per version; actions to move a version between stages, set and
 * remove aliases, roll Production back and delete old versions (retention,
 * previewed by a dry run), each disabled without permission and confirmed by
 * a dialog that says what will change; two versions compared metric by
 * metric; and the history of stage and alias changes as a timeline.
 *
 * @public
 */
export function EntityMlopsModelVersionsCard() {
  const mlopsApi = useApi(mlopsApiRef);
  const classes = useStyles();
  const { allowed: canTransition } = useEntityPermission(
    mlopsModelStageTransitionPermission,
  );
  const { allowed: canRollback } = useEntityPermission(
    mlopsModelRollbackPermission,
  );
  const { allowed: canRetain } = useEntityPermission(
    mlopsModelRetentionPermission,
  );
  const allowed: Allowed = {
    transition: canTransition,
    rollback: canRollback,
    retention: canRetain,
  };
  const [pending, setPending] = useState<PendingAction>();

  const { annotated, value, loading, error, retry } = useEntityMlopsData(
    isMlopsModelAvailable,
    (api, entityRef) => api.getEntityModels(entityRef),
  );

  const confirmStage = async (change: StageChange) => {
    if (pending?.kind !== 'stage') return;
    await mlopsApi.transitionModelVersionStage({
      model: pending.model,
      version: pending.version.version,
      stage: change.stage,
      archiveExisting: change.archiveExisting,
      reason: change.reason || undefined,
    });
    setPending(undefined);
    retry();
  };

  const confirmRollback = async (reason: string) => {
    if (pending?.kind !== 'rollback') return;
    await mlopsApi.rollbackModel({ model: pending.model, reason });
    setPending(undefined);
    retry();
  };

  const done = () => {
    setPending(undefined);
    retry();
  };

  return (
    <InfoCard title="Model versions">
      <EntityMlopsDataContent
        annotated={annotated}
        annotation={ANNOTATION_MLOPS_MODEL}
        loading={loading && !value}
        error={error}
      >
        {() =>
          !value ||
          value.models.every(m => !m.known || m.versions.length === 0) ? (
            <EmptyState
              missing="data"
              title="No model versions yet"
              description={`The registry has no versions of ${
                value?.models.map(m => m.name).join(', ') || 'this model'
              }. Versions appear here once a training pipeline registers them.`}
            />
          ) : (
            <>
              {value.models.map((item, index) => (
                <Box
                  key={item.name}
                  className={index > 0 ? classes.section : undefined}
                >
                  <ModelVersionsSection
                    item={item}
                    showName={value.models.length > 1}
                    allowed={allowed}
                    onAction={setPending}
                  />
                </Box>
              ))}
            </>
          )
        }
      </EntityMlopsDataContent>
      {pending?.kind === 'stage' && (
        <StageTransitionDialog
          model={pending.model}
          version={pending.version.version}
          currentStage={pending.version.stage}
          onClose={() => setPending(undefined)}
          onConfirm={confirmStage}
        />
      )}
      {pending?.kind === 'alias' && (
        <SetAliasDialog
          model={pending.item.name}
          versions={pending.item.versions}
          aliases={pending.item.model?.aliases ?? {}}
          initialVersion={pending.initialVersion}
          onClose={() => setPending(undefined)}
          onConfirm={async change => {
            await mlopsApi.setModelAlias({
              model: pending.item.name,
              alias: change.alias,
              version: change.version,
              reason: change.reason || undefined,
            });
            done();
          }}
        />
      )}
      {pending?.kind === 'removeAlias' && (
        <RemoveAliasDialog
          model={pending.model}
          alias={pending.alias}
          version={pending.version}
          onClose={() => setPending(undefined)}
          onConfirm={async reason => {
            await mlopsApi.deleteModelAlias({
              model: pending.model,
              alias: pending.alias,
              reason: reason || undefined,
            });
            done();
          }}
        />
      )}
      {pending?.kind === 'compare' && (
        <CompareVersionsDialog
          model={pending.item.name}
          versions={pending.item.versions}
          initial={compareDefaults(pending.item)}
          onClose={() => setPending(undefined)}
        />
      )}
      {pending?.kind === 'retention' && (
        <RetentionDialog
          model={pending.item.name}
          versionCount={pending.item.versions.length}
          onClose={() => setPending(undefined)}
          onDeleted={done}
        />
      )}
      {pending?.kind === 'rollback' && (
        <ReasonDialog
          titleId="mlops-rollback-dialog-title"
          title={`Roll back ${pending.model}`}
          description={`Version ${pending.productionVersion} leaves Production for Archived, and the version that was in Production before it takes its place.`}
          reasonId="mlops-rollback-reason"
          multiline
          minRows={2}
          confirmLabel="Roll back"
          confirmColor="secondary"
          lockCancelWhileBusy
          onClose={() => setPending(undefined)}
          onConfirm={confirmRollback}
        />
      )}
    </InfoCard>
  );
}
