export { TrackingStore } from './TrackingStore';
export type { RunSnapshot } from './TrackingStore';
export { createTrackingRouter } from './router';
export type { TrackingRouterOptions } from './router';
export { seedDemoTracking } from './seedDemoTracking';
export { mirrorRuns } from './mirrorRuns';
export type { MirroredRunInput } from './mirrorRuns';
