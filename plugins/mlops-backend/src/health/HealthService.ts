import {
  DetectorSymptom,
  EntityHealthSummary,
  HealthReason,
  HealthStatus,
  MlopsObjectKind,
  ModelKeyMetrics,
} from '@backstage-mlops/plugin-mlops-common';
import type { MlopsObjectStore } from '../objects';
import { ResolvedEntity } from '../shared/EntityResolver';
import type { IncidentStore, ObjectRef, StoredCheck } from '../incidents';

const SEVERITY_ORDER: Record<HealthReason['severity'], number> = {
  critical: 0,
  warning: 1,
};

/** Evaluations charted per model on the health card. */
export const METRICS_SERIES_LENGTH = 48;

const MONITORING_SYMPTOMS: ReadonlySet<DetectorSymptom> = new Set([
  'latency_high',
  'error_rate_high',
  'accuracy_degraded',
  'no_traffic',
]);

/**
 * Derives an entity's health from the reasons the detectors report. Without
 * any detector observation there is nothing to judge, so the status is
 * `unknown` rather than a reassuring `healthy`.
 *
 * @param observed - whether any detector could judge any of the entity's
 *   objects; only then does "no reasons" mean healthy.
 */
export function healthStatusOf(
  reasons: Array<Pick<HealthReason, 'severity'>>,
  observed = false,
): HealthStatus {
  if (reasons.some(r => r.severity === 'critical')) {
    return 'unhealthy';
  }
  if (reasons.length > 0) {
    return 'degraded';
  }
  return observed ? 'healthy' : 'unknown';
}

/**
 * Builds the health summary that the entity health card shows, from the
 * detectors' latest check of each model and pipeline the entity links to.
 * Reasons are what the detectors see now; an incident that is waiting out
 * its clear period no longer counts against health.
 */
export class HealthService {
  constructor(
    private readonly objects: MlopsObjectStore,
    private readonly incidents?: IncidentStore,
  ) {}

  /**
   * The status and reason messages (worst first) of many entities at once,
   * keyed by entity reference, as {@link HealthService.summarize} judges
   * them, from one bulk read of the latest checks: the fleet view's health
   * column, which would otherwise cost several queries per model.
   */
  async statusesOf(
    resolved: ResolvedEntity[],
  ): Promise<Map<string, { status: HealthStatus; problems: string[] }>> {
    const evaluatedOf = (r: ResolvedEntity) =>
      r.links.filter(
        (l): l is ObjectRef => l.kind === 'model' || l.kind === 'pipeline',
      );
    const checks = this.incidents
      ? await this.incidents.latestChecks(resolved.flatMap(evaluatedOf), {
          metrics: false,
        })
      : [];
    const checkOf = new Map(checks.map(c => [`${c.kind}:${c.name}`, c]));
    const statuses = new Map<
      string,
      { status: HealthStatus; problems: string[] }
    >();
    for (const entity of resolved) {
      const own = evaluatedOf(entity)
        .map(o => checkOf.get(`${o.kind}:${o.name}`))
        .filter((c): c is StoredCheck => c !== undefined);
      const findings = own
        .flatMap(c => c.findings)
        .sort(
          (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity],
        );
      statuses.set(entity.entityRef, {
        status: healthStatusOf(
          findings,
          own.some(c => c.judged.length > 0),
        ),
        problems: findings.map(f => f.message),
      });
    }
    return statuses;
  }

  async summarize(resolved: ResolvedEntity): Promise<EntityHealthSummary> {
    const known = new Map<MlopsObjectKind, Set<string>>();
    for (const kind of new Set(resolved.links.map(l => l.kind))) {
      const names = resolved.links
        .filter(l => l.kind === kind)
        .map(l => l.name);
      known.set(kind, await this.objects.existingNames(kind, names));
    }
    const links = resolved.links.map(link => ({
      ...link,
      known: known.get(link.kind)?.has(link.name) ?? false,
    }));
    const summary: EntityHealthSummary = {
      entityRef: resolved.entityRef,
      status: 'unknown',
      reasons: [],
      links,
      checkedAt: new Date().toISOString(),
    };
    if (!this.incidents) {
      return summary;
    }

    const evaluated: ObjectRef[] = resolved.links.filter(
      (l): l is ObjectRef => l.kind === 'model' || l.kind === 'pipeline',
    );
    const [checks, open] = await Promise.all([
      this.incidents.latestChecks(evaluated),
      this.incidents.openIncidents(evaluated),
    ]);
    const incidentOf = new Map(
      open.map(i => [`${i.object.kind}:${i.object.name}:${i.symptom}`, i.id]),
    );
    const { entity } = resolved;
    // Monitoring and drift evidence point at the entity-scoped routes, which
    // is what a reader of this entity can open.
    const entityPath = `/entities/${[
      entity.kind.toLocaleLowerCase('en-US'),
      entity.metadata.namespace ?? 'default',
      entity.metadata.name,
    ]
      .map(encodeURIComponent)
      .join('/')}`;
    const linkOf = (symptom: DetectorSymptom) => {
      if (MONITORING_SYMPTOMS.has(symptom)) {
        return `${entityPath}/metrics?window=1h`;
      }
      return symptom === 'drift_detected' ? `${entityPath}/drift` : undefined;
    };

    const reasons: HealthReason[] = checks.flatMap(check =>
      check.findings.map(finding => ({
        symptom: finding.symptom,
        severity: finding.severity,
        message: finding.message,
        subject: `${check.kind}:${check.name}`,
        observedAt: check.checkedAt,
        evidence: linkOf(finding.symptom)
          ? { ...finding.evidence, link: linkOf(finding.symptom) }
          : finding.evidence,
        incidentId: incidentOf.get(
          `${check.kind}:${check.name}:${finding.symptom}`,
        ),
      })),
    );
    reasons.sort(
      (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity],
    );

    const metrics: ModelKeyMetrics[] = [];
    for (const check of checks) {
      if (check.kind === 'model' && check.metrics) {
        metrics.push({
          model: check.name,
          ...check.metrics,
          series: await this.incidents.metricsSeries(
            check.name,
            METRICS_SERIES_LENGTH,
          ),
        });
      }
    }

    summary.reasons = reasons;
    summary.status = healthStatusOf(
      reasons,
      checks.some(c => c.judged.length > 0),
    );
    if (checks.length > 0) {
      summary.evaluatedAt = checks
        .map(c => c.checkedAt)
        .sort()
        .reverse()[0];
    }
    if (metrics.length > 0) {
      summary.metrics = metrics;
    }
    return summary;
  }
}
