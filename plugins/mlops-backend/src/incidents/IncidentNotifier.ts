import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { NotificationSeverity } from '@backstage/plugin-notifications-common';
import {
  IncidentSeverity,
  MLOPS_OBJECT_LINK_ANNOTATIONS,
  MlopsIncident,
} from '@backstage-mlops/plugin-mlops-common';
import { IncidentChange, IncidentStore } from './IncidentStore';

const SEVERITY_RANK: Record<IncidentSeverity, number> = {
  warning: 1,
  critical: 2,
};

// Backstage's notification severities: a critical incident is critical, a
// warning is high (it needs attention soon), a resolution is normal news.
const NOTIFICATION_SEVERITY: Record<IncidentSeverity, NotificationSeverity> = {
  critical: 'critical',
  warning: 'high',
};

/**
 * The owner recorded on a model or pipeline object (the objects store), for
 * incidents no catalog entity claims yet.
 */
export interface StoredOwnerSource {
  storedOwnerOf(
    kind: MlopsIncident['object']['kind'],
    name: string,
  ): Promise<string | undefined>;
}

/** `mlops.notifications.*`: whether incidents notify, and from which severity. */
export interface IncidentNotificationSettings {
  enabled: boolean;
  minSeverity: IncidentSeverity;
}

/** Reads `mlops.notifications` (default: enabled, from warnings up). */
export function readNotificationSettings(
  config: Config,
): IncidentNotificationSettings {
  const minSeverity =
    config.getOptionalString('mlops.notifications.minSeverity') ?? 'warning';
  if (minSeverity !== 'warning' && minSeverity !== 'critical') {
    throw new Error(
      `mlops.notifications.minSeverity must be 'warning' or 'critical', got '${minSeverity}'`,
    );
  }
  return {
    enabled: config.getOptionalBoolean('mlops.notifications.enabled') ?? true,
    minSeverity,
  };
}

function normalizeOwner(owner: unknown, namespace: string): string | undefined {
  if (typeof owner !== 'string' || !owner.trim()) {
    return undefined;
  }
  try {
    return stringifyEntityRef(
      parseEntityRef(owner.trim(), {
        defaultKind: 'group',
        defaultNamespace: namespace,
      }),
    );
  } catch {
    return undefined;
  }
}

/**
 * Tells an incident's owning team, through Backstage's notifications
 * service, when the incident opens, when its severity changes and when it
 * resolves — each once per incident: a row in `mlops_incident_notifications`
 * is claimed (primary key incident + notice) before sending, so replicas
 * racing on the same incident send one notification between them.
 *
 * Opening and severity changes notify from `minSeverity` up; a resolution
 * notifies when the team was told about the incident before.
 */
export class IncidentNotifier {
  constructor(
    private readonly options: {
      store: Pick<IncidentStore, 'wasNotified' | 'claimNotification'>;
      owners: StoredOwnerSource;
      notifications: NotificationService;
      catalog: CatalogService;
      auth: AuthService;
      logger: LoggerService;
      settings: IncidentNotificationSettings;
      now?: () => Date;
    },
  ) {}

  /** The listener for {@link IncidentStore.onChange}. */
  readonly onChange = async (
    incident: MlopsIncident,
    change: IncidentChange,
  ): Promise<void> => {
    try {
      await this.notify(incident, change);
    } catch (error) {
      // A notification that cannot be sent must never fail an evaluation
      // or a person's resolve.
      this.options.logger.warn(
        `MLOps could not notify the owners of incident ${incident.id}: ${error}`,
      );
    }
  };

  private async notify(
    incident: MlopsIncident,
    change: IncidentChange,
  ): Promise<void> {
    const { settings, store } = this.options;
    if (!settings.enabled) {
      return;
    }
    const notice =
      change === 'severity_changed' ? `severity:${incident.severity}` : change;
    if (change === 'resolved') {
      if (!(await store.wasNotified(incident.id))) {
        return;
      }
    } else if (
      SEVERITY_RANK[incident.severity] < SEVERITY_RANK[settings.minSeverity]
    ) {
      return;
    }

    const { owner, entity } = await this.ownerOf(incident);
    const claimed = await store.claimNotification({
      incidentId: incident.id,
      notice,
      severity: incident.severity,
      recipients: owner ? [owner] : [],
      notifiedAt: (this.options.now ?? (() => new Date()))(),
    });
    if (!claimed) {
      return; // Another replica sent this one.
    }
    if (!owner) {
      this.options.logger.info(
        `MLOps incident ${incident.id} has no owner to notify (${incident.object.kind} ${incident.object.name})`,
      );
      return;
    }
    await this.options.notifications.send({
      recipients: { type: 'entity', entityRef: owner },
      payload: this.payloadOf(incident, change, entity),
    });
  }

  private payloadOf(
    incident: MlopsIncident,
    change: IncidentChange,
    entity: Entity | undefined,
  ) {
    const subject = entity?.metadata.title ?? incident.object.name;
    const symptom = incident.symptom.replace(/_/g, ' ');
    const titles: Record<IncidentChange, string> = {
      opened: `${subject}: ${symptom} (${incident.severity})`,
      severity_changed: `${subject}: ${symptom} is now ${incident.severity}`,
      resolved: `${subject}: ${symptom} resolved`,
    };
    const link = entity
      ? `/catalog/${[
          entity.metadata.namespace ?? 'default',
          entity.kind,
          entity.metadata.name,
        ]
          .map(p => encodeURIComponent(p.toLocaleLowerCase('en-US')))
          .join('/')}/mlops?incident=${encodeURIComponent(incident.id)}`
      : `/mlops`;
    return {
      title: titles[change],
      description:
        change === 'resolved'
          ? `Incident ${incident.id} on ${incident.object.kind} ${
              incident.object.name
            } is resolved${
              incident.resolvedBy ? ` by ${incident.resolvedBy}` : ''
            }. Last seen: ${incident.message}`
          : `${incident.message} (${incident.object.kind} ${incident.object.name}, incident ${incident.id})`,
      link,
      severity:
        change === 'resolved'
          ? ('normal' as const)
          : NOTIFICATION_SEVERITY[incident.severity],
      topic: 'MLOps incident',
    };
  }

  // The team that owns the object: the owner of the catalog entity that
  // links it (the portal's answer), else the owner the store recorded.
  private async ownerOf(
    incident: MlopsIncident,
  ): Promise<{ owner?: string; entity?: Entity }> {
    const { catalog, auth, logger } = this.options;
    const { kind, name } = incident.object;
    let entity: Entity | undefined;
    try {
      const credentials = await auth.getOwnServiceCredentials();
      for (const key of MLOPS_OBJECT_LINK_ANNOTATIONS[kind]) {
        const { items } = await catalog.getEntities(
          { filter: { [`metadata.annotations.${key}`]: name } },
          { credentials },
        );
        // The object's own page (an ml-model Component) before services
        // that merely serve it.
        entity =
          items.find(e =>
            String((e.spec as { type?: unknown })?.type ?? '').startsWith(
              'ml-',
            ),
          ) ?? items[0];
        if (entity) break;
      }
    } catch (error) {
      logger.warn(
        `MLOps could not look up the owner of ${kind} ${name}: ${error}`,
      );
    }
    const fromEntity = entity
      ? normalizeOwner(
          (entity.spec as { owner?: unknown } | undefined)?.owner,
          entity.metadata.namespace ?? 'default',
        )
      : undefined;
    if (fromEntity) {
      return { owner: fromEntity, entity };
    }
    const stored = await this.options.owners.storedOwnerOf(kind, name);
    return { owner: normalizeOwner(stored, 'default'), entity };
  }
}
