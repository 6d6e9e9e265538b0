export { TrackingStore } from './TrackingStore';
export type { RunSnapshot } from './TrackingStore';
export { createTrackingRouter } from './router';
export type { TrackingRouterOptions } from './router';
export { seedDemoTracking } from './seedDemoTracking';
