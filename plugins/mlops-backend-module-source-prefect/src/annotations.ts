/**
 * `prefect.io/deployment` (`<flow>/<deployment>` or a bare deployment name)
 * and `prefect.io/flow-name`, comma-separated lists, name the runs an
 * entity's pipeline shows; defined with the other link annotations in
 * mlops-common.
 *
 * @public
 */
export {
  ANNOTATION_MLOPS_PIPELINE,
  ANNOTATION_PREFECT_DEPLOYMENT,
  ANNOTATION_PREFECT_FLOW_NAME,
} from '@backstage-mlops/plugin-mlops-common';

/**
 * Which `mlops.sources.prefect` instance the flow runs on, by name; without
 * it, the first configured instance.
 *
 * @public
 */
export const ANNOTATION_PREFECT_INSTANCE =
  'backstage-mlops.dev/prefect-instance';
