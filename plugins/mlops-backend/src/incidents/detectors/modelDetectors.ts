import { DetectorSymptom } from '@backstage-mlops/plugin-mlops-common';
import {
  DeploymentSource,
  DriftSource,
  MonitoringSource,
  RegistrySource,
} from '../sources';
import { HealthThresholds } from './thresholds';
import { Finding, ObjectEvaluation, SYMPTOM_SEVERITY } from './types';

/** What one detector contributes to an {@link ObjectEvaluation}. */
export interface DetectorOutcome {
  judged: DetectorSymptom[];
  findings: Finding[];
  metrics?: ObjectEvaluation['metrics'];
}

const modelPath = (model: string) => `/models/${encodeURIComponent(model)}`;

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function percent(value: number): string {
  return `${round(value * 100, 1)}%`;
}

/**
 * Latency, error rate, accuracy against the baseline, and traffic, from the
 * monitoring rollups. Latency, error rate and accuracy are only judged with
 * at least `minEvents` events in the window; "no traffic" only for a model
 * that had traffic within the lookback, so an idle or retired model is not an
 * outage.
 */
export async function detectMonitoring(
  model: string,
  monitoring: MonitoringSource,
  registry: RegistrySource | undefined,
  t: HealthThresholds,
  now: Date,
): Promise<DetectorOutcome> {
  const recent = await monitoring.windowStats(model, {
    windowMinutes: t.windowMinutes,
  });
  let stats = recent;
  let window = t.windowMinutes;
  if (recent.count > 0 && recent.count < t.minEvents) {
    // A quiet model: judge it over a window four times as long rather than
    // not at all, and say so in the evidence.
    const wider = await monitoring.windowStats(model, {
      windowMinutes: t.windowMinutes * 4,
    });
    if (wider.count >= t.minEvents) {
      stats = wider;
      window = t.windowMinutes * 4;
    }
  }
  const judged: DetectorSymptom[] = [];
  const findings: Finding[] = [];

  let baselineAccuracy = stats.baselineAccuracy;
  if (baselineAccuracy === null && registry && stats.accuracy !== null) {
    const production = await registry.productionVersion(model);
    const evaluated = production?.metrics.accuracy;
    baselineAccuracy = typeof evaluated === 'number' ? evaluated : null;
  }

  if (recent.count === 0) {
    const lookback = await monitoring.windowStats(model, {
      windowMinutes: t.trafficLookbackMinutes,
    });
    if (lookback.count > 0) {
      judged.push('no_traffic');
      findings.push({
        symptom: 'no_traffic',
        severity: SYMPTOM_SEVERITY.no_traffic,
        message: `No predictions in the last ${t.windowMinutes} minutes (${lookback.count} in the last ${round(
          t.trafficLookbackMinutes / 60,
        )} hours)`,
        evidence: {
          values: { count: 0, lookbackCount: lookback.count },
          windowMinutes: window,
        },
      });
    }
  } else {
    judged.push('no_traffic');
  }

  if (stats.count >= t.minEvents) {
    if (stats.latencyP95Ms !== null) {
      judged.push('latency_high');
      if (stats.latencyP95Ms > t.latencyP95Ms) {
        findings.push({
          symptom: 'latency_high',
          severity: SYMPTOM_SEVERITY.latency_high,
          message: `p95 latency ${round(stats.latencyP95Ms, 0)} ms is above the ${t.latencyP95Ms} ms threshold (${stats.count} predictions in ${window} min)`,
          evidence: {
            values: { latencyP95Ms: stats.latencyP95Ms, count: stats.count },
            threshold: t.latencyP95Ms,
            windowMinutes: window,
          },
        });
      }
    }
    if (stats.errorRate !== null) {
      judged.push('error_rate_high');
      if (stats.errorRate > t.errorRate) {
        findings.push({
          symptom: 'error_rate_high',
          severity: SYMPTOM_SEVERITY.error_rate_high,
          message: `Error rate ${percent(stats.errorRate)} is above the ${percent(t.errorRate)} threshold (${stats.count} predictions in ${window} min)`,
          evidence: {
            values: { errorRate: stats.errorRate, count: stats.count },
            threshold: t.errorRate,
            windowMinutes: window,
          },
        });
      }
    }
    if (
      stats.accuracy !== null &&
      baselineAccuracy !== null &&
      baselineAccuracy > 0
    ) {
      judged.push('accuracy_degraded');
      const drop = (baselineAccuracy - stats.accuracy) / baselineAccuracy;
      if (drop > t.accuracyDrop) {
        findings.push({
          symptom: 'accuracy_degraded',
          severity: SYMPTOM_SEVERITY.accuracy_degraded,
          message: `Accuracy ${percent(stats.accuracy)} is ${percent(drop)} below the baseline ${percent(baselineAccuracy)} (allowed drop ${percent(t.accuracyDrop)})`,
          evidence: {
            values: {
              accuracy: stats.accuracy,
              baselineAccuracy,
              relativeDrop: drop,
            },
            threshold: t.accuracyDrop,
            windowMinutes: window,
          },
        });
      }
    }
  }

  return {
    judged,
    findings,
    metrics: {
      at: now.toISOString(),
      count: stats.count,
      errorRate: stats.errorRate,
      latencyP95Ms: stats.latencyP95Ms,
      accuracy: stats.accuracy,
      windowMinutes: window,
      baselineAccuracy,
    },
  };
}

/** Dataset drift from the model's newest drift report. */
export async function detectDrift(
  model: string,
  drift: DriftSource,
): Promise<DetectorOutcome> {
  const report = await drift.latestReport(model);
  if (!report) {
    return { judged: [], findings: [] };
  }
  const findings: Finding[] = [];
  if (report.datasetDrift) {
    const shown = report.driftedFeatures.slice(0, 5).join(', ');
    const more =
      report.driftedFeatures.length > 5
        ? ` and ${report.driftedFeatures.length - 5} more`
        : '';
    findings.push({
      symptom: 'drift_detected',
      severity: SYMPTOM_SEVERITY.drift_detected,
      message: `Data drift in ${percent(report.driftShare)} of features (${shown}${more})`,
      evidence: {
        values: {
          reportId: report.id,
          driftShare: report.driftShare,
          driftedFeatures: report.driftedFeatures.join(', '),
          reportCreatedAt: report.createdAt,
        },
      },
    });
  }
  return { judged: ['drift_detected'], findings };
}

/**
 * Failed, rolled back and stuck deployments, per environment, from the
 * latest deployment of each environment. A failure that was rolled back
 * leaves the old version serving, so it is a warning rather than critical.
 */
export async function detectDeployments(
  model: string,
  deployments: DeploymentSource,
  t: HealthThresholds,
  now: Date,
): Promise<DetectorOutcome> {
  const latest = await deployments.latestByEnvironment(model);
  if (latest.length === 0) {
    return { judged: [], findings: [] };
  }
  const failed = latest.filter(
    d => d.status === 'failed' || d.status === 'rolled_back',
  );
  const stuckAfterMs = t.deploymentStuckMinutes * 60_000;
  const stuck = latest.filter(
    d =>
      d.status === 'stuck' ||
      ((d.status === 'pending' || d.status === 'in_progress') &&
        now.getTime() - Date.parse(d.updatedAt) > stuckAfterMs),
  );
  const findings: Finding[] = [];
  const describe = (d: (typeof latest)[number]) =>
    `version ${d.version} to ${d.environment} ${d.status.replace('_', ' ')}${
      d.message ? `: ${d.message}` : ''
    }`;
  if (failed.length > 0) {
    const allRolledBack = failed.every(d => d.status === 'rolled_back');
    findings.push({
      symptom: 'deployment_failed',
      severity: allRolledBack ? 'warning' : SYMPTOM_SEVERITY.deployment_failed,
      message: `Deployment ${failed.map(describe).join('; ')}`,
      evidence: {
        values: Object.fromEntries(
          failed.flatMap(d => [
            [`${d.environment}.deploymentId`, d.id],
            [`${d.environment}.version`, d.version],
            [`${d.environment}.status`, d.status],
          ]),
        ),
        link: `${modelPath(model)}/deployments`,
      },
    });
  }
  if (stuck.length > 0) {
    findings.push({
      symptom: 'deployment_stuck',
      severity: SYMPTOM_SEVERITY.deployment_stuck,
      message: `Deployment ${stuck
        .map(
          d =>
            `version ${d.version} to ${d.environment} has been ${d.status.replace(
              '_',
              ' ',
            )} since ${d.updatedAt}`,
        )
        .join('; ')}`,
      evidence: {
        values: Object.fromEntries(
          stuck.flatMap(d => [
            [`${d.environment}.deploymentId`, d.id],
            [`${d.environment}.updatedAt`, d.updatedAt],
          ]),
        ),
        threshold: t.deploymentStuckMinutes,
        link: `${modelPath(model)}/deployments`,
      },
    });
  }
  return { judged: ['deployment_failed', 'deployment_stuck'], findings };
}
