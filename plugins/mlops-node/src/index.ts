/**
 * Extension points of the MLOps backend plugin, for backend modules that add
 * deployment targets.
 *
 * @packageDocumentation
 */

export {
  mlopsDeploymentTargetsExtensionPoint,
  type MlopsDeploymentRequest,
  type MlopsDeploymentTarget,
  type MlopsDeploymentTargetParams,
  type MlopsDeploymentTargetResult,
  type MlopsDeploymentTargetsExtensionPoint,
} from './deploymentTargets';

export {
  createMlopsObjectConditionalDecision,
  mlopsObjectConditions,
  mlopsObjectPermissionResourceRef,
  mlopsObjectPermissionRules,
  normalizeOwnerRef,
  ownerRefSpellings,
  type MlopsObjectFilter,
  type MlopsObjectResource,
} from './permissions';
