/**
 * Extension points of the MLOps backend plugin, for backend modules that add
 * deployment targets and sources (systems a team already runs).
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
  mlopsArtifactStoreExtensionPoint,
  MlopsArtifactTooLargeError,
  type MlopsArtifactContent,
  type MlopsArtifactFileInfo,
  type MlopsArtifactMultipartUpload,
  type MlopsArtifactPartTarget,
  type MlopsArtifactStore,
  type MlopsArtifactStoreExtensionPoint,
  type MlopsArtifactUploadedPart,
} from './artifactStore';

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

export {
  mlopsSourcesExtensionPoint,
  type MlopsMonitoringQuerySource,
  type MlopsMonitoringSubject,
  type MlopsPipelinesSink,
  type MlopsRegistryWriteBack,
  type MlopsRegistrySink,
  type MlopsSource,
  type MlopsSourceCursorStore,
  type MlopsSourceEntities,
  type MlopsSourceEntity,
  type MlopsSourceExperiment,
  type MlopsSourceHttpClient,
  type MlopsSourceHttpError,
  type MlopsSourceHttpRequest,
  type MlopsSourceInstance,
  type MlopsSourceInstanceConfig,
  type MlopsSourceMetricPoint,
  type MlopsSourceModelVersion,
  type MlopsSourcePipelineRun,
  type MlopsSourcePipelineStage,
  type MlopsSourceRegisteredModel,
  type MlopsSourceRun,
  type MlopsSourcesExtensionPoint,
  type MlopsSourceSyncContext,
  type MlopsSourceSyncScope,
  type MlopsSourceWebhookRequest,
  type MlopsSourceWebhookResult,
  type MlopsSourceWindowMetrics,
  type MlopsSourceWindowPoint,
  type MlopsTrackingQuerySource,
  type MlopsTrackingSink,
} from './sources';

export { MAX_SOURCE_PAGES, readSourcePages } from './sourcePaging';

export {
  mlopsSeedExtensionPoint,
  type MlopsSeeder,
  type MlopsSeedExtensionPoint,
  type MlopsSeedServices,
} from './seed';
