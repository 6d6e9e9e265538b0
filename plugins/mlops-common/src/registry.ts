/**
 * The lifecycle stages of a model version, in the order a version usually
 * moves through them.
 *
 * @public
 */
export const MODEL_STAGES = [
  'None',
  'Staging',
  'Production',
  'Archived',
] as const;

/**
 * A model version's lifecycle stage.
 *
 * @public
 */
export type ModelStage = (typeof MODEL_STAGES)[number];

/**
 * Alias names that always mean something else: `latest` is the newest version
 * and `v<N>` is version N, so neither may be given to a version by hand.
 *
 * @public
 */
export function isReservedModelAlias(alias: string): boolean {
  return /^latest$/i.test(alias) || /^v\d+$/i.test(alias);
}

/**
 * Whether a larger or a smaller value of a metric is the better one.
 *
 * @public
 */
export type MetricDirection = 'higher' | 'lower';

/**
 * A model in the registry.
 *
 * @public
 */
export interface RegisteredModel {
  name: string;
  owner?: string;
  description?: string;
  tags: Record<string, string>;
  /** The pipeline that trains the model. */
  pipelineName?: string;
  /** The experiment its training runs log to. */
  experimentName?: string;
  /** Highest version number ever given out; 0 before the first version. */
  latestVersion: number;
  /** The version most recently promoted to Production and still there. */
  productionVersion?: number;
  /** Alias name → version number. */
  aliases: Record<string, number>;
  createdAt: string;
  updatedAt: string;
}

/**
 * One version of a registered model.
 *
 * @public
 */
export interface ModelVersion {
  model: string;
  version: number;
  stage: ModelStage;
  status: string;
  /** The tracking run the version was built from. */
  runId?: string;
  artifactUri?: string;
  /** The run's latest metric values when the version was created. */
  metrics: Record<string, number | null>;
  /** The run's params when the version was created. */
  params: Record<string, string>;
  description?: string;
  tags: Record<string, string>;
  aliases: string[];
  createdBy?: string;
  createdAt: string;
  updatedAt: string;
  /** When the version last changed stage. */
  stageChangedAt: string;
}

/**
 * The kind of change an entry of a model's history records.
 *
 * @public
 */
export type ModelHistoryAction =
  | 'stage'
  | 'rollback'
  | 'alias_set'
  | 'alias_deleted'
  | 'version_deleted';

/**
 * One entry of a model's append-only history of stage and alias changes.
 *
 * @public
 */
export interface ModelHistoryEntry {
  id: number;
  model: string;
  version: number;
  action: ModelHistoryAction;
  /** The alias concerned, for alias changes. */
  alias?: string;
  /** Stage (or, for aliases, version number) before the change. */
  from?: string;
  /** Stage (or, for aliases, version number) after the change. */
  to?: string;
  /** Who made the change: a user or service entity reference. */
  actor: string;
  reason?: string;
  at: string;
}

/**
 * A metric of two compared versions.
 *
 * @public
 */
export interface MetricComparison {
  key: string;
  a: number | null;
  b: number | null;
  direction: MetricDirection;
  /** The better version, `equal`, or null when one side has no value. */
  better: 'a' | 'b' | 'equal' | null;
}

/**
 * The comparison of two versions of one model.
 *
 * @public
 */
export interface ModelVersionComparison {
  model: string;
  a: ModelVersion;
  b: ModelVersion;
  metrics: MetricComparison[];
  params: Array<{
    key: string;
    a: string | null;
    b: string | null;
    different: boolean;
  }>;
}

/**
 * Why retention kept a version.
 *
 * @public
 */
export type RetentionKeepReason =
  | 'newest'
  | 'production'
  | 'staging'
  | 'aliased'
  | 'deployed';

/**
 * What a retention run deleted (or would delete, in a dry run) and what it
 * kept and why.
 *
 * @public
 */
export interface RetentionResult {
  model: string;
  keep: number;
  dryRun: boolean;
  deleted: number[];
  kept: Array<{ version: number; reasons: RetentionKeepReason[] }>;
}

/**
 * A model that an entity's annotations link to, as the versions card shows it.
 *
 * @public
 */
export interface EntityModelVersions {
  name: string;
  /** False when the annotation names a model the registry does not have. */
  known: boolean;
  model?: RegisteredModel;
  /** Newest first. */
  versions: ModelVersion[];
  /** Newest first. */
  history: ModelHistoryEntry[];
  /**
   * The source instance the model is mirrored from (`mlops.sources`), for a
   * model that lives in another system such as an MLflow server.
   */
  source?: { type: string; name: string };
}

/**
 * The registry's view of an entity: the models its annotations link to.
 *
 * @public
 */
export interface EntityModelsResponse {
  entityRef: string;
  models: EntityModelVersions[];
}
