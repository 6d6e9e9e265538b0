/**
 * The deployment whose flow runs an entity's pipeline shows, as
 * `<flow name>/<deployment name>` (how Prefect's CLI names it) or the bare
 * deployment name. Several may be given, comma-separated.
 *
 * @public
 */
export const ANNOTATION_PREFECT_DEPLOYMENT = 'prefect.io/deployment';

/**
 * The flow whose runs (of any deployment, or none) an entity's pipeline
 * shows. Several may be given, comma-separated.
 *
 * @public
 */
export const ANNOTATION_PREFECT_FLOW_NAME = 'prefect.io/flow-name';

/**
 * Which `mlops.sources.prefect` instance the flow runs on, by name; without
 * it, the first configured instance.
 *
 * @public
 */
export const ANNOTATION_PREFECT_INSTANCE =
  'backstage-mlops.dev/prefect-instance';

/** The MLOps pipeline annotation, whose value names the store's pipeline. */
export const ANNOTATION_MLOPS_PIPELINE = 'backstage-mlops.dev/pipeline';
