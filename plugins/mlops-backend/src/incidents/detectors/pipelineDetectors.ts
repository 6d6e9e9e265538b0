import { classifyFailureReason } from '@backstage-mlops/plugin-mlops-common';
import { PipelineSource } from '../sources';
import { DetectorOutcome } from './modelDetectors';
import { HealthThresholds } from './thresholds';
import { Finding, SYMPTOM_SEVERITY } from './types';

/** How many recent runs the pipeline detectors read. */
export const RECENT_RUNS = 10;

const FAILED_STATES = new Set(['FAILED', 'CRASHED']);
const FINISHED_STATES = new Set(['COMPLETED', 'FAILED', 'CRASHED']);
const WAITING_STATES = new Set(['SCHEDULED', 'PENDING']);

/**
 * The failure class of a run: the one the pipelines capability stored, or
 * the first class the shared classifier finds in the reason text.
 */
export function failureClassOf(run: {
  failureReason?: string;
  failureClass?: string;
}): string | undefined {
  if (run.failureClass) {
    return run.failureClass;
  }
  return run.failureReason
    ? classifyFailureReason(run.failureReason)[0]
    : undefined;
}

/**
 * Failed or crashed, late and stale, from a pipeline's recent runs. The
 * newest finished run decides failure: a later success clears it, and a
 * cancelled run says nothing either way.
 */
export async function detectPipeline(
  pipeline: string,
  source: PipelineSource,
  t: HealthThresholds,
  now: Date,
): Promise<DetectorOutcome> {
  const runs = await source.latestRuns(pipeline, RECENT_RUNS);
  const lastSuccessAt = await source.lastSuccessAt(pipeline);
  const judged: DetectorOutcome['judged'] = [];
  const findings: Finding[] = [];
  const link = `/pipelines/${encodeURIComponent(pipeline)}/runs`;

  const finished = runs.find(r => FINISHED_STATES.has(r.state));
  if (finished) {
    judged.push('pipeline_failed');
    if (FAILED_STATES.has(finished.state)) {
      const failureClass = failureClassOf(finished);
      const verb = finished.state === 'CRASHED' ? 'crashed' : 'failed';
      findings.push({
        symptom: 'pipeline_failed',
        severity: SYMPTOM_SEVERITY.pipeline_failed,
        message: `Run ${finished.id} ${verb}${
          failureClass ? ` (${failureClass})` : ''
        }${finished.failureReason ? `: ${finished.failureReason}` : ''}`,
        evidence: {
          values: {
            runId: finished.id,
            state: finished.state,
            failureClass: failureClass ?? null,
            failureReason: finished.failureReason ?? null,
            endedAt: finished.endedAt ?? null,
          },
          link,
        },
      });
    }
  }

  if (runs.length > 0) {
    judged.push('pipeline_late');
    const lateAfterMs = t.pipelineLateMinutes * 60_000;
    const late = runs.filter(
      r =>
        r.state === 'LATE' ||
        (WAITING_STATES.has(r.state) &&
          r.scheduledAt !== undefined &&
          now.getTime() - Date.parse(r.scheduledAt) > lateAfterMs),
    );
    if (late.length > 0) {
      const run = late[0];
      findings.push({
        symptom: 'pipeline_late',
        severity: SYMPTOM_SEVERITY.pipeline_late,
        message: `Run ${run.id} scheduled for ${
          run.scheduledAt ?? 'an earlier time'
        } has not started`,
        evidence: {
          values: {
            runId: run.id,
            state: run.state,
            scheduledAt: run.scheduledAt ?? null,
            lateRuns: late.length,
          },
          threshold: t.pipelineLateMinutes,
          link,
        },
      });
    }
  }

  if (lastSuccessAt) {
    judged.push('pipeline_stale');
    const ageHours = (now.getTime() - Date.parse(lastSuccessAt)) / 3_600_000;
    if (ageHours > t.pipelineStaleHours) {
      findings.push({
        symptom: 'pipeline_stale',
        severity: SYMPTOM_SEVERITY.pipeline_stale,
        message: `No successful run for ${Math.floor(
          ageHours,
        )} hours (last success ${lastSuccessAt}; allowed ${t.pipelineStaleHours} hours)`,
        evidence: {
          values: { lastSuccessAt, hoursSinceSuccess: Math.floor(ageHours) },
          threshold: t.pipelineStaleHours,
          link,
        },
      });
    }
  }

  return { judged, findings };
}
