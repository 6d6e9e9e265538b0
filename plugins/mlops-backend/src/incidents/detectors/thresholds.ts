import { Config, readDurationFromConfig } from '@backstage/config';
import {
  ANNOTATION_MLOPS_ACCURACY_DROP,
  ANNOTATION_MLOPS_ERROR_RATE,
  ANNOTATION_MLOPS_LATENCY_P95_MS,
  ANNOTATION_MLOPS_PIPELINE_STALE_HOURS,
} from '@backstage-mlops/plugin-mlops-common';
import { Duration } from 'luxon';

/** The limits the detectors compare observations with. */
export interface HealthThresholds {
  /** p95 latency above which latency is high, in milliseconds. */
  latencyP95Ms: number;
  /** Error rate (0..1) above which errors are high. */
  errorRate: number;
  /** Relative accuracy drop (0..1) against the baseline that counts as degraded. */
  accuracyDrop: number;
  /** The window the monitoring detectors look at, in minutes. */
  windowMinutes: number;
  /**
   * Fewest prediction events in the window before latency, error rate and
   * accuracy are judged; a handful of requests says nothing about a p95.
   */
  minEvents: number;
  /**
   * How far back a model must have had traffic for an empty window to count
   * as "no traffic"; a model that never served anything is not an outage.
   */
  trafficLookbackMinutes: number;
  /** Minutes a scheduled run may wait past its start time before it is late. */
  pipelineLateMinutes: number;
  /** Hours without a successful run after which a pipeline's output is stale. */
  pipelineStaleHours: number;
  /** Minutes a deployment may stay pending or in progress before it is stuck. */
  deploymentStuckMinutes: number;
}

/** The defaults when neither config nor annotations say otherwise. */
export const DEFAULT_THRESHOLDS: HealthThresholds = {
  latencyP95Ms: 500,
  errorRate: 0.05,
  accuracyDrop: 0.1,
  windowMinutes: 15,
  minEvents: 20,
  trafficLookbackMinutes: 7 * 24 * 60,
  pipelineLateMinutes: 15,
  pipelineStaleHours: 48,
  deploymentStuckMinutes: 30,
};

function durationMs(config: Config, key: string): number | undefined {
  if (!config.has(key)) {
    return undefined;
  }
  return Duration.fromObject(readDurationFromConfig(config, { key })).toMillis();
}

/**
 * Reads `mlops.thresholds.*`, falling back to {@link DEFAULT_THRESHOLDS}.
 * Unless set here, lateness, staleness and stuck deployments follow the
 * owning capabilities' settings (`mlops.pipelines.lateAfter`,
 * `mlops.pipelines.defaultSla`, `mlops.deployments.stuckAfter`), so the
 * detectors and the other pages agree on what is late, stale or stuck.
 */
export function readThresholds(config: Config): HealthThresholds {
  const c = config.getOptionalConfig('mlops.thresholds');
  const read = (key: keyof HealthThresholds, fallback?: number) =>
    c?.getOptionalNumber(key) ?? fallback ?? DEFAULT_THRESHOLDS[key];
  const lateAfterMs = durationMs(config, 'mlops.pipelines.lateAfter');
  const slaMs = durationMs(config, 'mlops.pipelines.defaultSla');
  const stuckMs = durationMs(config, 'mlops.deployments.stuckAfter');
  return {
    latencyP95Ms: read('latencyP95Ms'),
    errorRate: read('errorRate'),
    accuracyDrop: read('accuracyDrop'),
    windowMinutes: read('windowMinutes'),
    minEvents: read('minEvents'),
    trafficLookbackMinutes: read('trafficLookbackMinutes'),
    pipelineLateMinutes: read(
      'pipelineLateMinutes',
      lateAfterMs === undefined ? undefined : lateAfterMs / 60_000,
    ),
    pipelineStaleHours: read(
      'pipelineStaleHours',
      slaMs === undefined ? undefined : slaMs / 3_600_000,
    ),
    deploymentStuckMinutes: read(
      'deploymentStuckMinutes',
      stuckMs === undefined ? undefined : stuckMs / 60_000,
    ),
  };
}

/** Per-entity threshold overrides taken from annotations. */
export type ThresholdOverrides = Partial<
  Pick<
    HealthThresholds,
    'latencyP95Ms' | 'errorRate' | 'accuracyDrop' | 'pipelineStaleHours'
  >
>;

const OVERRIDE_ANNOTATIONS: Record<keyof ThresholdOverrides, string> = {
  latencyP95Ms: ANNOTATION_MLOPS_LATENCY_P95_MS,
  errorRate: ANNOTATION_MLOPS_ERROR_RATE,
  accuracyDrop: ANNOTATION_MLOPS_ACCURACY_DROP,
  pipelineStaleHours: ANNOTATION_MLOPS_PIPELINE_STALE_HOURS,
};

/**
 * Reads the threshold overrides of an entity. A value that is not a
 * positive number is ignored (the catalog does not validate it for us), so
 * a typo falls back to the configured threshold instead of silencing a
 * detector.
 */
export function overridesFromAnnotations(
  annotations: Record<string, string> | undefined,
): ThresholdOverrides {
  const overrides: ThresholdOverrides = {};
  for (const [key, annotation] of Object.entries(OVERRIDE_ANNOTATIONS)) {
    const raw = annotations?.[annotation];
    if (raw === undefined || raw.trim() === '') {
      continue;
    }
    const value = Number(raw);
    if (Number.isFinite(value) && value > 0) {
      overrides[key as keyof ThresholdOverrides] = value;
    }
  }
  return overrides;
}

/**
 * Combines the overrides of several entities that point at the same object.
 * The strictest (lowest) value wins: an object watched by a strict team
 * should not be relaxed by a second, laxer entity.
 */
export function strictestOverrides(
  a: ThresholdOverrides,
  b: ThresholdOverrides,
): ThresholdOverrides {
  const merged: ThresholdOverrides = { ...a };
  for (const [key, value] of Object.entries(b) as Array<
    [keyof ThresholdOverrides, number]
  >) {
    const current = merged[key];
    merged[key] = current === undefined ? value : Math.min(current, value);
  }
  return merged;
}
