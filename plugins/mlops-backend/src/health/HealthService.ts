import {
  EntityHealthSummary,
  HealthReason,
  HealthStatus,
  MlopsObjectKind,
} from '@backstage-mlops/plugin-mlops-common';
import { MlopsObjectStore } from '../objects/MlopsObjectStore';
import { ResolvedEntity } from '../entities/EntityResolver';

const SEVERITY_ORDER: Record<HealthReason['severity'], number> = {
  critical: 0,
  warning: 1,
};

/**
 * Derives an entity's health from the reasons the detectors report. Without
 * any detector observation there is nothing to judge, so the status is
 * `unknown` rather than a reassuring `healthy`.
 */
export function healthStatusOf(reasons: HealthReason[]): HealthStatus {
  if (reasons.some(r => r.severity === 'critical')) {
    return 'unhealthy';
  }
  if (reasons.length > 0) {
    return 'degraded';
  }
  return 'unknown';
}

/** Builds the health summary that the entity health card shows. */
export class HealthService {
  constructor(private readonly objects: MlopsObjectStore) {}

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
    // Detectors (operations) contribute reasons; until they run there are none.
    const reasons: HealthReason[] = [];
    reasons.sort(
      (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity],
    );
    return {
      entityRef: resolved.entityRef,
      status: healthStatusOf(reasons),
      reasons,
      links,
      checkedAt: new Date().toISOString(),
    };
  }
}
