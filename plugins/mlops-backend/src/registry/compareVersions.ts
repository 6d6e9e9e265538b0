import { Config } from '@backstage/config';
import {
  MetricComparison,
  MetricDirection,
  ModelVersion,
  ModelVersionComparison,
} from '@backstage-mlops/plugin-mlops-common';

// Metrics that measure a cost: smaller is better unless configured otherwise.
const LOWER_IS_BETTER = /loss|error|rmse|mae|latency/i;

/**
 * Decides, per metric key, whether higher or lower values are better.
 * Configured keys (`mlops.registry.metricDirections`) win; otherwise keys
 * that name a cost (loss, error, rmse, mae, latency) are lower-is-better and
 * everything else higher-is-better.
 */
export class MetricDirections {
  static fromConfig(config: Config): MetricDirections {
    const section = config.getOptionalConfig('mlops.registry.metricDirections');
    const configured: Record<string, MetricDirection> = {};
    for (const key of section?.keys() ?? []) {
      const value = section!.getString(key);
      if (value !== 'higher' && value !== 'lower') {
        throw new Error(
          `mlops.registry.metricDirections.${key} must be "higher" or "lower", got "${value}"`,
        );
      }
      configured[key] = value;
    }
    return new MetricDirections(configured);
  }

  constructor(
    private readonly configured: Record<string, MetricDirection> = {},
  ) {}

  directionOf(key: string): MetricDirection {
    if (Object.prototype.hasOwnProperty.call(this.configured, key)) {
      return this.configured[key];
    }
    return LOWER_IS_BETTER.test(key) ? 'lower' : 'higher';
  }
}

function comparable(value: number | null | undefined): value is number {
  return typeof value === 'number' && !Number.isNaN(value);
}

/**
 * Compares two versions of a model metric by metric (union of both
 * snapshots' keys) and param by param. A metric missing or NaN on either side
 * has no better side.
 */
export function compareVersions(
  a: ModelVersion,
  b: ModelVersion,
  directions: MetricDirections,
): ModelVersionComparison {
  const metricKeys = [
    ...new Set([...Object.keys(a.metrics), ...Object.keys(b.metrics)]),
  ].sort();
  const metrics: MetricComparison[] = metricKeys.map(key => {
    const va = a.metrics[key];
    const vb = b.metrics[key];
    const direction = directions.directionOf(key);
    let better: MetricComparison['better'] = null;
    if (comparable(va) && comparable(vb)) {
      if (va === vb) {
        better = 'equal';
      } else if (direction === 'higher') {
        better = va > vb ? 'a' : 'b';
      } else {
        better = va < vb ? 'a' : 'b';
      }
    }
    return { key, a: va ?? null, b: vb ?? null, direction, better };
  });
  const paramKeys = [
    ...new Set([...Object.keys(a.params), ...Object.keys(b.params)]),
  ].sort();
  const params = paramKeys.map(key => {
    const pa = a.params[key] ?? null;
    const pb = b.params[key] ?? null;
    return { key, a: pa, b: pb, different: pa !== pb };
  });
  return { model: a.model, a, b, metrics, params };
}
