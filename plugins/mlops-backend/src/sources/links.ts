import type { MirrorSource } from '../incidents';
import type { ServingMetricsSource } from '../monitoring';
import type { RegistryUpstream } from '../registry';
import { lateBound } from '../shared/lateBound';
import type { MirroredMetricHistory } from '../tracking';
import type { SourceService } from './SourceService';

/**
 * What the capabilities created before sources ask of it: tracking a
 * mirrored run's metric history, the registry where a mirrored model's stage
 * and alias changes go first, monitoring the serving figures, incidents
 * whether a mirrored object's source is failing. Each call looks the service
 * up, so these links work once `bind` has been given it, at request time.
 */
export function sourceLinks() {
  const later = lateBound<SourceService>('sources');
  const sources = later.get;
  const mirroredHistory: MirroredMetricHistory = {
    beforeRead: (runId, key) => sources().refreshMetricHistory(runId, key),
  };
  const registryUpstream: RegistryUpstream = {
    transitionStage: (...change) =>
      sources().registryUpstream.transitionStage(...change),
    setAlias: (...change) => sources().registryUpstream.setAlias(...change),
    deleteAlias: (...change) =>
      sources().registryUpstream.deleteAlias(...change),
    originOf: model => sources().registryUpstream.originOf(model),
  };
  const serving: ServingMetricsSource = {
    windowMetrics: (...window) => sources().windowMetrics(...window),
  };
  const mirrors: MirrorSource = {
    unreachableSourceOf: (kind, name) =>
      sources().unreachableSourceOf(kind, name),
  };
  return {
    bind: later.bind,
    mirroredHistory,
    registryUpstream,
    serving,
    mirrors,
  };
}
