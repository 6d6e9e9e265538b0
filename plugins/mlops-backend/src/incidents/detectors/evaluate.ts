import { LoggerService } from '@backstage/backend-plugin-api';
import { DetectorSources } from '../sources';
import {
  DetectorOutcome,
  detectDeployments,
  detectDrift,
  detectMonitoring,
} from './modelDetectors';
import { detectPipeline } from './pipelineDetectors';
import { detectSourceUnreachable } from './sourceDetectors';
import { HealthThresholds } from './thresholds';
import { EvaluatedKind, ObjectEvaluation } from './types';

/**
 * Runs every detector whose source exists on one object. A source that
 * throws is logged and treated like a missing one for this pass: its
 * symptoms are not judged, so a flaky source can neither open nor resolve
 * incidents.
 */
export async function evaluateObject(options: {
  kind: EvaluatedKind;
  name: string;
  sources: DetectorSources;
  thresholds: HealthThresholds;
  now: Date;
  logger: LoggerService;
}): Promise<ObjectEvaluation> {
  const { kind, name, sources, thresholds, now, logger } = options;
  const runs: Array<[string, () => Promise<DetectorOutcome>]> = [];
  if (kind === 'model') {
    const { monitoring, drift, deployments, registry } = sources;
    if (monitoring) {
      runs.push([
        'monitoring',
        () => detectMonitoring(name, monitoring, registry, thresholds, now),
      ]);
    }
    if (drift) {
      runs.push(['drift', () => detectDrift(name, drift)]);
    }
    if (deployments) {
      runs.push([
        'deployments',
        () => detectDeployments(name, deployments, thresholds, now),
      ]);
    }
  } else if (sources.pipelines) {
    const pipelines = sources.pipelines;
    runs.push([
      'pipelines',
      () => detectPipeline(name, pipelines, thresholds, now),
    ]);
  }

  const mirrors = sources.mirrors;
  if (mirrors) {
    runs.push(['sources', () => detectSourceUnreachable(kind, name, mirrors)]);
  }

  const evaluation: ObjectEvaluation = {
    kind,
    name,
    checkedAt: now,
    judged: [],
    findings: [],
  };
  const outcomes = await Promise.all(
    runs.map(async ([detector, run]) => {
      try {
        return await run();
      } catch (error) {
        logger.warn(
          `MLOps ${detector} detector failed for ${kind} ${name}: ${error}`,
        );
        return undefined;
      }
    }),
  );
  for (const outcome of outcomes) {
    if (!outcome) {
      continue;
    }
    evaluation.judged.push(...outcome.judged);
    evaluation.findings.push(...outcome.findings);
    if (outcome.metrics) {
      evaluation.metrics = outcome.metrics;
    }
  }
  return evaluation;
}
