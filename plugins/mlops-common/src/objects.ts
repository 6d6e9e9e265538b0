import { MLOPS_OBJECT_ANNOTATIONS, MlopsObjectKind } from './annotations';

/**
 * The events service topic on which the MLOps backend announces that a model,
 * experiment or pipeline was created, changed or deleted through its API.
 *
 * @public
 */
export const MLOPS_OBJECTS_EVENT_TOPIC = 'mlops.objects';

/**
 * One announced change. It carries only the identity of the object: a
 * subscriber reads the current state back, so a late or reordered
 * announcement can never install stale data.
 *
 * @public
 */
export interface MlopsObjectChangeEvent {
  action: 'upserted' | 'deleted';
  kind: MlopsObjectKind;
  name: string;
}

/**
 * Payload of an event on {@link MLOPS_OBJECTS_EVENT_TOPIC}: the changes of a
 * short window, oldest first, each object at most once with its latest
 * action. One event per window instead of one per write, because every
 * published event costs the events bus a request and a database row.
 *
 * @public
 */
export interface MlopsObjectChangesEvent {
  changes: MlopsObjectChangeEvent[];
}

const OBJECT_CHANGE_ACTIONS: ReadonlyArray<string> = ['upserted', 'deleted'];
const OBJECT_CHANGE_KINDS: ReadonlyArray<string> = Object.keys(
  MLOPS_OBJECT_ANNOTATIONS,
);

function isObjectChange(value: unknown): value is MlopsObjectChangeEvent {
  const change = value as Partial<MlopsObjectChangeEvent> | null;
  return (
    typeof change === 'object' &&
    change !== null &&
    OBJECT_CHANGE_ACTIONS.includes(change.action as string) &&
    OBJECT_CHANGE_KINDS.includes(change.kind as string) &&
    typeof change.name === 'string' &&
    change.name.length > 0
  );
}

/**
 * The well-formed changes in a payload received on
 * {@link MLOPS_OBJECTS_EVENT_TOPIC}: an {@link MlopsObjectChangesEvent}, or a
 * single {@link MlopsObjectChangeEvent} as a backend of an earlier release
 * publishes (replicas of two releases share the bus during an upgrade).
 * Anything malformed is left out; the catalog's full refresh covers it.
 *
 * @public
 */
export function objectChangesOf(payload: unknown): MlopsObjectChangeEvent[] {
  if (isObjectChange(payload)) {
    return [payload];
  }
  const changes = (payload as Partial<MlopsObjectChangesEvent> | null)?.changes;
  return Array.isArray(changes) ? changes.filter(isObjectChange) : [];
}

/**
 * Links that the catalog shows on an entity mirrored from a store object.
 *
 * @public
 */
export interface MlopsObjectLinks {
  /** The object's page in the MLOps frontend. */
  mlopsPage: string;
  /** Where the model answers predictions (models registered with one). */
  servingUrl?: string;
  /** The tracking UI of the experiment the object logs to. */
  trackingUi?: string;
}

/**
 * A model, experiment or pipeline as `GET /api/mlops/objects` lists it.
 *
 * @public
 */
export interface MlopsStoreObject {
  kind: MlopsObjectKind;
  /** Store id, stable for the life of the object. */
  id: string;
  name: string;
  /** Owner entity reference, e.g. `group:default/risk-ml`. */
  owner?: string;
  description?: string;
  /** Key-value tags (MLflow semantics). */
  tags: Record<string, string>;
  /**
   * True when a registered model version is in Production: for a model its
   * own, for a pipeline or experiment that of a model it trains.
   */
  inProduction: boolean;
  /** The Production version of a model, when it has one. */
  productionVersion?: number;
  /** For models: the pipeline that trains it. */
  pipelineName?: string;
  /** For models and pipelines: the experiment they log to. */
  experimentName?: string;
  /** For pipelines. */
  orchestrator?: 'prefect' | 'airflow';
  /** For pipelines: a cron expression. */
  schedule?: string;
  links: MlopsObjectLinks;
  updatedAt: string;
}

/**
 * Body of `POST /api/mlops/objects/register`: a pipeline together with the
 * experiment it logs to and the model it trains, created or updated in one
 * transaction.
 *
 * @public
 */
export interface MlopsRegisterPipelineRequest {
  /** Owner entity reference; a bare name means a Group in the default namespace. */
  owner: string;
  pipeline: {
    name: string;
    description?: string;
    orchestrator?: 'prefect' | 'airflow';
    schedule?: string;
    stages?: string[];
    tags?: Record<string, string>;
  };
  /** Defaults to an experiment named like the model. */
  experiment?: {
    name: string;
    description?: string;
    tags?: Record<string, string>;
  };
  model: {
    name: string;
    description?: string;
    servingUrl?: string;
    tags?: Record<string, string>;
  };
}

/**
 * Answer of `POST /api/mlops/objects/register`.
 *
 * @public
 */
export interface MlopsRegisterPipelineResponse {
  pipeline: MlopsStoreObject;
  experiment: MlopsStoreObject;
  model: MlopsStoreObject;
}
