import { MirrorSource } from '../sources';
import { DetectorOutcome } from './modelDetectors';
import { SYMPTOM_SEVERITY } from './types';

const TYPE_TITLES: Record<string, string> = {
  mlflow: 'MLflow',
  airflow: 'Airflow',
  prefect: 'Prefect',
  prometheus: 'Prometheus',
};

/**
 * "Source unreachable": the object is mirrored from a system (an MLflow
 * server, Airflow, Prefect) whose syncs are failing, so what the portal shows
 * of it is as old as the last successful sync. Judged for every object the
 * mirror source knows; objects pushed to the portal are always clear.
 */
export async function detectSourceUnreachable(
  kind: 'model' | 'pipeline',
  name: string,
  mirrors: MirrorSource,
): Promise<DetectorOutcome> {
  const source = await mirrors.unreachableSourceOf(kind, name);
  if (!source) {
    return { judged: ['source_unreachable'], findings: [] };
  }
  const title = TYPE_TITLES[source.type] ?? source.type;
  const since = source.lastSuccessAt
    ? `last successful sync ${source.lastSuccessAt}`
    : 'never synced successfully';
  return {
    judged: ['source_unreachable'],
    findings: [
      {
        symptom: 'source_unreachable',
        severity: SYMPTOM_SEVERITY.source_unreachable,
        message: `${title} instance "${source.name}" is unreachable (${
          source.consecutiveFailures
        } failed sync${
          source.consecutiveFailures === 1 ? '' : 's'
        }, ${since}): ${source.lastError ?? 'no error recorded'}`,
        evidence: {
          values: {
            sourceType: source.type,
            sourceName: source.name,
            lastSuccessAt: source.lastSuccessAt ?? null,
            lastErrorAt: source.lastErrorAt ?? null,
            lastError: source.lastError ?? null,
            consecutiveFailures: source.consecutiveFailures,
          },
          link: '/sources',
        },
      },
    ],
  };
}
