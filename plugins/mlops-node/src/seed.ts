import { createExtensionPoint } from '@backstage/backend-plugin-api';

/**
 * The MLOps plugin's services as a seeder receives them. The backend plugin
 * describes them (its exported `MlopsSeedServices` type); they are opaque
 * here because this package cannot depend on the plugin it extends.
 *
 * @public
 */
export type MlopsSeedServices = { readonly [service: string]: unknown };

/**
 * Fills the MLOps stores through the plugin's services, e.g. with a demo
 * organisation.
 *
 * @public
 */
export interface MlopsSeeder {
  /**
   * Called once at startup, after every capability exists and before the
   * plugin serves requests. A seeder that throws fails the plugin's start.
   */
  seed(services: MlopsSeedServices): Promise<void>;
}

/**
 * Lets a backend module seed data through the plugin's services.
 *
 * @public
 */
export interface MlopsSeedExtensionPoint {
  addSeeder(seeder: MlopsSeeder): void;
}

/**
 * The extension point the demo module (`plugin-mlops-backend-module-demo`)
 * seeds the demo organisation through.
 *
 * @public
 */
export const mlopsSeedExtensionPoint =
  createExtensionPoint<MlopsSeedExtensionPoint>({
    id: 'mlops.seed',
  });
