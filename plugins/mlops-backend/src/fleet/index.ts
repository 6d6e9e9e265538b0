import { createFleetRouter, FleetRouterOptions } from './router';

export { FleetService } from './FleetService';
export type { FleetModelSource, FleetSources } from './FleetService';
export { createFleetRouter } from './router';
export type { FleetRouterOptions } from './router';

/** The fleet view: every model with its owner, production version, health, drift and incidents. */
export function createFleet(options: FleetRouterOptions) {
  return { router: createFleetRouter(options) };
}
