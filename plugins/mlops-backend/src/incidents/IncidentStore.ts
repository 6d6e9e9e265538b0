import { isDatabaseConflictError } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  DetectorSymptom,
  HealthEvidence,
  IncidentEvent,
  IncidentSeverity,
  IncidentStatus,
  MlopsIncident,
  ModelKeyMetricsPoint,
} from '@backstage-mlops/plugin-mlops-common';
import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import { EvaluatedKind, Finding, ObjectEvaluation } from './detectors/types';
import {
  latestChecks,
  metricsSeries,
  ObjectRef,
  pruneChecks,
  recordCheck,
  StoredCheck,
} from './healthChecks';
import {
  inChunks,
  readIso,
  readRequiredIso,
  readTimestamp,
} from '../database/values';

export type { ObjectRef, StoredCheck } from './healthChecks';

const INCIDENTS = 'mlops_incidents';
const EVENTS = 'mlops_incident_events';
const NOTIFICATIONS = 'mlops_incident_notifications';

/**
 * Most timeline events an incident keeps for detector chatter (evidence
 * updates, clear and return). Opening, acknowledging and resolving are
 * always recorded, so a flapping detector cannot grow a timeline without
 * bound but the human actions are never lost.
 */
export const MAX_DETECTOR_EVENTS = 100;

/**
 * A change of an incident that its owners are told about: it opened, its
 * severity changed, or it resolved (by hand or automatically). Reported
 * once, by the writer whose update made the change.
 */
export type IncidentChange = 'opened' | 'severity_changed' | 'resolved';

/** Called after an incident changed (see {@link IncidentStore.onChange}). */
export type IncidentChangeListener = (
  incident: MlopsIncident,
  change: IncidentChange,
) => Promise<void>;

/** What happened to an incident when a symptom was reported. */
export interface ReportOutcome {
  incident: MlopsIncident;
  /** True when this report opened the incident (and no racer did). */
  opened: boolean;
}

type IncidentRow = {
  id: string;
  object_kind: EvaluatedKind;
  object_name: string;
  symptom: DetectorSymptom;
  severity: IncidentSeverity;
  status: IncidentStatus;
  message: string;
  evidence: string | null;
  opened_at: unknown;
  updated_at: unknown;
  last_seen_at: unknown;
  clear_since: unknown;
  acknowledged_at: unknown;
  acknowledged_by: string | null;
  resolved_at: unknown;
  resolved_by: string | null;
};

type EventRow = {
  incident_id: string;
  type: IncidentEvent['type'];
  at: unknown;
  actor: string | null;
  message: string;
  evidence: string | null;
};

function parseJson<T>(text: string | null): T | undefined {
  return text ? (JSON.parse(text) as T) : undefined;
}

function toIncident(row: IncidentRow, events: EventRow[]): MlopsIncident {
  return {
    id: row.id,
    object: { kind: row.object_kind, name: row.object_name },
    symptom: row.symptom,
    severity: row.severity,
    status: row.status,
    message: row.message,
    evidence: parseJson<HealthEvidence>(row.evidence),
    openedAt: readRequiredIso(row.opened_at),
    updatedAt: readRequiredIso(row.updated_at),
    clearSince: readIso(row.clear_since),
    acknowledgedAt: readIso(row.acknowledged_at),
    acknowledgedBy: row.acknowledged_by ?? undefined,
    resolvedAt: readIso(row.resolved_at),
    resolvedBy: row.resolved_by ?? undefined,
    timeline: events.map(e => ({
      type: e.type,
      at: readRequiredIso(e.at),
      actor: e.actor ?? undefined,
      message: e.message,
      evidence: parseJson<HealthEvidence>(e.evidence),
    })),
  };
}

/**
 * Incidents, their timelines and the detectors' checks, in the plugin's
 * database. At most one unresolved incident per (object, symptom) is
 * enforced by a partial unique index, so concurrent evaluators on several
 * replicas cannot open duplicates.
 */
export class IncidentStore {
  private readonly listeners: IncidentChangeListener[] = [];

  constructor(private readonly db: Knex) {}

  /**
   * Registers a listener for incident changes (the notifier). It is awaited
   * after the change is stored; a listener handles its own errors.
   */
  onChange(listener: IncidentChangeListener): void {
    this.listeners.push(listener);
  }

  private async changed(
    incident: MlopsIncident,
    change: IncidentChange,
  ): Promise<MlopsIncident> {
    for (const listener of this.listeners) {
      await listener(incident, change);
    }
    return incident;
  }

  /** The names of every model and pipeline in the MLOps store. */
  async listObjects(): Promise<ObjectRef[]> {
    const [models, pipelines] = await Promise.all([
      this.db('mlops_registered_models').orderBy('name').pluck('name'),
      this.db('mlops_pipelines').orderBy('name').pluck('name'),
    ]);
    return [
      ...models.map((name: string) => ({ kind: 'model' as const, name })),
      ...pipelines.map((name: string) => ({ kind: 'pipeline' as const, name })),
    ];
  }

  /** The pipeline that trains a registered model, if it names one. */
  async trainingPipelineOf(model: string): Promise<string | undefined> {
    const row = await this.db('mlops_registered_models')
      .where({ name: model })
      .first('pipeline_name');
    return row?.pipeline_name ?? undefined;
  }

  /**
   * Stores one evaluation of an object in the history and as the object's
   * latest check, unless a newer one is there already (another replica may
   * have finished a later evaluation first).
   */
  async recordCheck(evaluation: ObjectEvaluation): Promise<void> {
    await recordCheck(this.db, evaluation);
  }

  /**
   * Deletes checks older than `before`; returns how many were removed from
   * the history. An object whose latest check is that old has no check any
   * more, as before the latest checks were kept apart.
   */
  async pruneChecks(before: Date): Promise<number> {
    return pruneChecks(this.db, before);
  }

  /**
   * The newest check of each object that has one, in the order of `objects`:
   * one primary-key lookup per kind and slice of names, so the fleet can ask
   * for thousands of objects at once. `metrics: false` leaves out the
   * windowed stats (the fleet's health column does not show them).
   */
  async latestChecks(
    objects: ObjectRef[],
    options: { metrics?: boolean } = {},
  ): Promise<StoredCheck[]> {
    return latestChecks(this.db, objects, options);
  }

  /**
   * How many unresolved incidents each named object of `kind` has; objects
   * without any are absent. Counted in the database, without loading the
   * incidents or their timelines.
   */
  async openIncidentCounts(
    kind: EvaluatedKind,
    names: string[],
  ): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const chunk of inChunks([...new Set(names)])) {
      const rows: Array<{ object_name: string; n: unknown }> = await this.db(
        INCIDENTS,
      )
        .where('object_kind', kind)
        .whereIn('object_name', chunk)
        .whereNot('status', 'resolved')
        .groupBy('object_name')
        .select('object_name')
        .count({ n: '*' });
      for (const row of rows) {
        counts.set(row.object_name, Number(row.n));
      }
    }
    return counts;
  }

  /** A model's windowed stats from its recent checks, oldest first. */
  async metricsSeries(
    model: string,
    limit: number,
  ): Promise<ModelKeyMetricsPoint[]> {
    return metricsSeries(this.db, model, limit);
  }

  /**
   * Records that a detector sees `finding` on an object: opens an incident
   * when none is open, otherwise refreshes the open one's evidence.
   */
  async reportSymptom(
    object: ObjectRef,
    finding: Finding,
    at: Date,
  ): Promise<ReportOutcome> {
    let open = await this.findOpenRow(object, finding.symptom);
    if (!open) {
      const id = randomUUID();
      try {
        await this.db.transaction(async tx => {
          await tx(INCIDENTS).insert({
            id,
            object_kind: object.kind,
            object_name: object.name,
            symptom: finding.symptom,
            severity: finding.severity,
            status: 'open',
            message: finding.message,
            evidence: JSON.stringify(finding.evidence),
            opened_at: at,
            updated_at: at,
            last_seen_at: at,
          });
          await tx(EVENTS).insert({
            incident_id: id,
            type: 'opened',
            at,
            message: finding.message,
            evidence: JSON.stringify(finding.evidence),
          });
        });
        return {
          incident: await this.changed(await this.get(id), 'opened'),
          opened: true,
        };
      } catch (error) {
        if (!isDatabaseConflictError(error)) {
          throw error;
        }
        // Another evaluator opened it first; refresh theirs instead.
        open = await this.findOpenRow(object, finding.symptom);
        if (!open) {
          throw error;
        }
      }
    }

    const returned = open.clear_since !== null;
    const changed =
      open.message !== finding.message || open.severity !== finding.severity;
    // Conditional on the severity this evaluator read, so of two replicas
    // seeing the same change only one reports it.
    const severityChanged =
      open.severity !== finding.severity &&
      (await this.db(INCIDENTS)
        .where({ id: open.id, severity: open.severity })
        .update({ severity: finding.severity })) > 0;
    await this.db(INCIDENTS)
      .where({ id: open.id })
      .update({
        last_seen_at: at,
        clear_since: null,
        ...(changed
          ? {
              message: finding.message,
              severity: finding.severity,
              evidence: JSON.stringify(finding.evidence),
              updated_at: at,
            }
          : {}),
      });
    if (returned) {
      await this.addDetectorEvent(open.id, {
        type: 'symptom_returned',
        at,
        message: `Symptom returned: ${finding.message}`,
        evidence: finding.evidence,
      });
    } else if (changed) {
      await this.addDetectorEvent(open.id, {
        type: 'evidence_updated',
        at,
        message: finding.message,
        evidence: finding.evidence,
      });
    }
    const incident = await this.get(open.id);
    return {
      incident: severityChanged
        ? await this.changed(incident, 'severity_changed')
        : incident,
      opened: false,
    };
  }

  /**
   * Records that a detector judged an object free of `symptom`. The open
   * incident, if any, starts its clear period, and resolves once the symptom
   * has stayed clear for `autoResolveAfterMs`.
   */
  async reportClear(
    object: ObjectRef,
    symptom: DetectorSymptom,
    at: Date,
    autoResolveAfterMs: number,
  ): Promise<'none' | 'clearing' | 'resolved'> {
    const open = await this.findOpenRow(object, symptom);
    if (!open) {
      return 'none';
    }
    if (open.clear_since === null) {
      const updated = await this.db(INCIDENTS)
        .where({ id: open.id })
        .whereNull('clear_since')
        .update({ clear_since: at, updated_at: at });
      if (updated > 0) {
        await this.addDetectorEvent(open.id, {
          type: 'symptom_cleared',
          at,
          message: 'Symptom no longer observed',
        });
      }
      if (autoResolveAfterMs > 0) {
        return 'clearing';
      }
    }
    const clearSince = readTimestamp(open.clear_since) ?? at;
    const clearForMs = at.getTime() - clearSince.getTime();
    if (clearForMs < autoResolveAfterMs) {
      return 'clearing';
    }
    const resolved = await this.db(INCIDENTS)
      .where({ id: open.id })
      .whereNot('status', 'resolved')
      .update({ status: 'resolved', resolved_at: at, updated_at: at });
    if (resolved > 0) {
      await this.db(EVENTS).insert({
        incident_id: open.id,
        type: 'resolved',
        at,
        message: `Resolved automatically: the symptom stayed clear for ${Math.round(
          clearForMs / 60_000,
        )} minutes`,
      });
      await this.changed(await this.get(open.id), 'resolved');
    }
    return 'resolved';
  }

  /** Adds an event to an incident's timeline (e.g. a retrain request). */
  async addEvent(
    id: string,
    event: Omit<IncidentEvent, 'at'> & { at?: Date },
  ): Promise<void> {
    await this.db(EVENTS).insert({
      incident_id: id,
      type: event.type,
      at: event.at ?? new Date(),
      actor: event.actor ?? null,
      message: event.message,
      evidence: event.evidence ? JSON.stringify(event.evidence) : null,
    });
  }

  /** Acknowledges an open incident on behalf of `actor`. */
  async acknowledge(
    id: string,
    actor: string,
    note?: string,
  ): Promise<MlopsIncident> {
    const at = new Date();
    const updated = await this.db(INCIDENTS)
      .where({ id, status: 'open' })
      .update({
        status: 'acknowledged',
        acknowledged_at: at,
        acknowledged_by: actor,
        updated_at: at,
      });
    if (updated === 0) {
      const current = await this.get(id);
      throw new ConflictError(
        `Incident ${id} is already ${current.status}${
          current.acknowledgedBy ? ` (by ${current.acknowledgedBy})` : ''
        }`,
      );
    }
    await this.addEvent(id, {
      type: 'acknowledged',
      at,
      actor,
      message: note ? `Acknowledged: ${note}` : 'Acknowledged',
    });
    return this.get(id);
  }

  /** Resolves an unresolved incident by hand on behalf of `actor`. */
  async resolve(
    id: string,
    actor: string,
    note?: string,
  ): Promise<MlopsIncident> {
    const at = new Date();
    const updated = await this.db(INCIDENTS)
      .where({ id })
      .whereNot('status', 'resolved')
      .update({
        status: 'resolved',
        resolved_at: at,
        resolved_by: actor,
        updated_at: at,
      });
    if (updated === 0) {
      await this.get(id);
      throw new ConflictError(`Incident ${id} is already resolved`);
    }
    await this.addEvent(id, {
      type: 'resolved',
      at,
      actor,
      message: note ? `Resolved: ${note}` : 'Resolved',
    });
    return this.changed(await this.get(id), 'resolved');
  }

  /** One incident with its timeline; NotFoundError when there is none. */
  async get(id: string): Promise<MlopsIncident> {
    const row: IncidentRow | undefined = await this.db(INCIDENTS)
      .where({ id })
      .first();
    if (!row) {
      throw new NotFoundError(`No incident ${id}`);
    }
    const events: EventRow[] = await this.db(EVENTS)
      .where({ incident_id: id })
      .orderBy('id');
    return toIncident(row, events);
  }

  /** The unresolved incidents of the given objects. */
  async openIncidents(objects: ObjectRef[]): Promise<MlopsIncident[]> {
    return this.list(objects, { resolvedSince: undefined, limit: 500 });
  }

  /**
   * The incidents of the given objects: every unresolved one, then those
   * resolved since `resolvedSince`, newest first, up to `limit` in all.
   */
  async list(
    objects: ObjectRef[],
    options: { resolvedSince?: Date; limit: number },
  ): Promise<MlopsIncident[]> {
    if (objects.length === 0) {
      return [];
    }
    const rows: IncidentRow[] = await this.db(INCIDENTS)
      .where(q => {
        for (const o of objects) {
          q.orWhere(w => w.where({ object_kind: o.kind, object_name: o.name }));
        }
      })
      .andWhere(q => {
        q.whereNot('status', 'resolved');
        if (options.resolvedSince) {
          q.orWhere('resolved_at', '>=', options.resolvedSince);
        }
      })
      // Unresolved first, so a long history never pushes them past the limit.
      .orderByRaw(`CASE WHEN status = 'resolved' THEN 1 ELSE 0 END`)
      .orderBy('opened_at', 'desc')
      .orderBy('id')
      .limit(options.limit);
    const ordered = rows;
    const events: EventRow[] =
      ordered.length === 0
        ? []
        : await this.db(EVENTS)
            .whereIn(
              'incident_id',
              ordered.map(r => r.id),
            )
            .orderBy('id');
    const byIncident = new Map<string, EventRow[]>();
    for (const event of events) {
      const list = byIncident.get(event.incident_id) ?? [];
      list.push(event);
      byIncident.set(event.incident_id, list);
    }
    return ordered.map(r => toIncident(r, byIncident.get(r.id) ?? []));
  }

  private async findOpenRow(
    object: ObjectRef,
    symptom: DetectorSymptom,
  ): Promise<IncidentRow | undefined> {
    return this.db(INCIDENTS)
      .where({
        object_kind: object.kind,
        object_name: object.name,
        symptom,
      })
      .whereNot('status', 'resolved')
      .first();
  }

  /**
   * Whether an incident's owners were told anything about it yet (a
   * resolution is only worth telling to those who heard of the incident).
   */
  async wasNotified(incidentId: string): Promise<boolean> {
    const told = await this.db(NOTIFICATIONS)
      .where({ incident_id: incidentId })
      .first('notice');
    return !!told;
  }

  /**
   * Claims one notice of an incident before it is sent, so replicas racing
   * on the same change send it once between them: false when another
   * replica claimed it first (primary key incident + notice).
   */
  async claimNotification(claim: {
    incidentId: string;
    notice: string;
    severity: string;
    recipients: string[];
    notifiedAt: Date;
  }): Promise<boolean> {
    try {
      await this.db(NOTIFICATIONS).insert({
        incident_id: claim.incidentId,
        notice: claim.notice,
        severity: claim.severity,
        recipients: JSON.stringify(claim.recipients),
        notified_at: claim.notifiedAt,
      });
      return true;
    } catch (error) {
      if (isDatabaseConflictError(error)) {
        return false;
      }
      throw error;
    }
  }

  private async addDetectorEvent(
    id: string,
    event: Omit<IncidentEvent, 'at'> & { at: Date },
  ): Promise<void> {
    const [{ n }] = await this.db(EVENTS)
      .where({ incident_id: id })
      .whereIn('type', [
        'evidence_updated',
        'symptom_cleared',
        'symptom_returned',
      ])
      .count({ n: '*' });
    if (Number(n) < MAX_DETECTOR_EVENTS) {
      await this.addEvent(id, event);
    }
  }
}
