import { FleetSources } from './FleetService';
import { createFleetRouter, FleetRouterOptions } from './router';

export { FleetService } from './FleetService';
export type { FleetModelSource, FleetSources } from './FleetService';
export { createFleetRouter } from './router';
export type { FleetRouterOptions } from './router';

/** The fleet view: every model with its owner, production version, health, drift and incidents. */
export function createFleet(
  options: Omit<FleetRouterOptions, 'models' | 'fleetSources'> & {
    /** The registry store: the models listed and their production versions. */
    registry: FleetRouterOptions['models'] &
      NonNullable<FleetSources['registry']>;
    drift?: FleetSources['drift'];
    incidents?: FleetSources['incidents'];
  },
) {
  const { registry, drift, incidents, ...rest } = options;
  return {
    router: createFleetRouter({
      ...rest,
      models: registry,
      fleetSources: { registry, drift, incidents },
    }),
  };
}
