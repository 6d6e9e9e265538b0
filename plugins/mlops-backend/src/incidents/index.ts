// Health detectors and incidents: what the plugin wiring uses.
export { IncidentService, readIncidentConfig } from './IncidentService';
export type { IncidentServiceOptions } from './IncidentService';
export { IncidentStore } from './IncidentStore';
export { createIncidentsRouter } from './router';
export { scheduleHealthChecks } from './schedule';
export { seedDemoIncidents } from './seedDemoIncidents';
export type {
  DeploymentSource,
  DetectorSources,
  DriftSource,
  MonitoringSource,
  PipelineSource,
  RegistrySource,
  TriageSignalSource,
} from './sources';
