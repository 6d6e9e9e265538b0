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
 * Columns the fleet view sorts by on the server (`GET /fleet?sort=`).
 * `health` ranks unhealthy, degraded, unknown, healthy; `drift` sorts by the
 * share of drifted features. Models without a value sort last either way.
 *
 * @public
 */
export const FLEET_SORT_KEYS = [
  'health',
  'name',
  'owner',
  'productionVersion',
  'drift',
  'openIncidents',
] as const;

/**
 * A column of {@link FLEET_SORT_KEYS}.
 *
 * @public
 */
export type FleetSortKey = (typeof FLEET_SORT_KEYS)[number];

/**
 * Page size of `GET /fleet` when none is asked for, and the largest one
 * accepted.
 *
 * @public
 */
export const FLEET_DEFAULT_PAGE_SIZE = 25;
/** @public */
export const FLEET_MAX_PAGE_SIZE = 500;

/**
 * The query of `GET /fleet`: filters (owner as an entity reference or a bare
 * group name; any of the statuses), the order and the page.
 *
 * @public
 */
export interface FleetQuery {
  owner?: string;
  status?: HealthStatus[];
  /** Default `health`, worst first. */
  sort?: FleetSortKey;
  order?: 'asc' | 'desc';
  /** Default 0. */
  offset?: number;
  /** Default {@link FLEET_DEFAULT_PAGE_SIZE}, at most {@link FLEET_MAX_PAGE_SIZE}. */
  limit?: number;
}

/**
 * The answer of `GET /fleet`: one page of the filtered, sorted fleet.
 *
 * @public
 */
export interface FleetResponse {
  /** The models of this page, in the asked order. */
  items: FleetModel[];
  /** Number of models after filtering, over all pages. */
  total: number;
  /** Index of this page's first model among all `total`. */
  offset: number;
  /** The page size this answer was cut to. */
  limit: number;
  sort: FleetSortKey;
  order: 'asc' | 'desc';
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
