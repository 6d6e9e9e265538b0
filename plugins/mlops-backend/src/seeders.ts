import { LoggerService } from '@backstage/backend-plugin-api';
import {
  MlopsSeedExtensionPoint,
  MlopsSeeder,
} from '@backstage-mlops/plugin-mlops-node';
import { Knex } from 'knex';
import type { DriftService, DriftStore } from './drift';
import type { IncidentService } from './incidents';
import type { MonitoringStore } from './monitoring';
import type { MlopsObjectStore } from './objects';
import type { RegistryStore } from './registry';
import type { TrackingStore } from './tracking';

/**
 * What the plugin hands each seeder added through `mlopsSeedExtensionPoint`,
 * once every capability exists.
 *
 * @public
 */
export interface MlopsSeedServices {
  logger: LoggerService;
  /**
   * The plugin's database, for history no route can write (deployments and
   * pipeline runs in the past).
   */
  db: Knex;
  objects: MlopsObjectStore;
  tracking: TrackingStore;
  registry: RegistryStore;
  monitoring: MonitoringStore;
  drift: DriftService;
  driftStore: DriftStore;
  incidents: IncidentService;
}

/** The created capabilities whose services the seeders receive. */
export interface SeededCapabilities {
  objects: { service: MlopsObjectStore };
  tracking: { service: TrackingStore };
  registry: { service: RegistryStore };
  monitoring: { service: { store: MonitoringStore } };
  drift: { service: { drift: DriftService; store: DriftStore } };
  incidents: { service: { incidents: IncidentService } };
}

/** Collects the seeders that backend modules add before the plugin starts. */
export class SeederCollector implements MlopsSeedExtensionPoint {
  private readonly seeders: MlopsSeeder[] = [];

  addSeeder(seeder: MlopsSeeder): void {
    this.seeders.push(seeder);
  }

  /** Runs every seeder in the order they were added. */
  async seedAll(
    shared: { logger: LoggerService; db: Knex },
    created: SeededCapabilities,
  ): Promise<void> {
    const services: MlopsSeedServices = {
      logger: shared.logger,
      db: shared.db,
      objects: created.objects.service,
      tracking: created.tracking.service,
      registry: created.registry.service,
      monitoring: created.monitoring.service.store,
      drift: created.drift.service.drift,
      driftStore: created.drift.service.store,
      incidents: created.incidents.service.incidents,
    };
    for (const seeder of this.seeders) {
      await seeder.seed({ ...services });
    }
  }
}
