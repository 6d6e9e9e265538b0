export { MonitoringStore } from './MonitoringStore';
export type { FeatureSample, IngestResult } from './MonitoringStore';
export { MonitoringService } from './MonitoringService';
export type {
  MonitoringRegistrySource,
  WindowStats,
} from './MonitoringService';
export { createMonitoringRouter } from './router';
export type { MonitoringWiring } from './router';
export { seedDemoMonitoring } from './seedDemoMonitoring';
export { scheduleMonitoringRetention } from './scheduleRetention';
