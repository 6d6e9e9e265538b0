import type { HealthStatus } from './health';

/**
 * One registered model in the fleet view.
 *
 * @public
 */
export interface FleetModel {
  name: string;
  description?: string;
  /** Owner entity reference, e.g. `group:default/risk-ml`. */
  owner?: string;
  /** The catalog entity that represents the model, when one is visible to the caller. */
  entityRef?: string;
  title?: string;
  health: HealthStatus;
  /** The health reasons' messages, worst first. */
  problems: string[];
  /** Version in Production; `null` when there is none or it is not known. */
  productionVersion: number | null;
  drift: {
    datasetDrift: boolean;
    driftShare: number;
    driftedFeatures: string[];
    checkedAt: string;
  } | null;
  openIncidents: number | null;
}

/**
 * The answer of `GET /fleet`.
 *
 * @public
 */
export interface FleetResponse {
  items: FleetModel[];
  /** Number of models after filtering. */
  total: number;
  /** Every owner in the fleet (before filtering), for the owner filter. */
  owners: string[];
  /**
   * Which columns have a data source behind them. A column whose source is
   * not installed is `null` for every model, which means "not available",
   * not "none".
   */
  available: {
    productionVersion: boolean;
    drift: boolean;
    openIncidents: boolean;
  };
}
