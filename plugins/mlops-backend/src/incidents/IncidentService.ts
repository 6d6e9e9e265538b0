import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { Config, readDurationFromConfig } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_MLOPS_MODEL,
  ANNOTATION_MLOPS_PIPELINE,
  DetectorSymptom,
  MlopsIncident,
} from '@backstage-mlops/plugin-mlops-common';
import { Duration } from 'luxon';
import { mlopsLinksOf } from '../shared/EntityResolver';
import { evaluateObject } from './detectors/evaluate';
import { failureClassOf, RECENT_RUNS } from './detectors/pipelineDetectors';
import {
  HealthThresholds,
  ThresholdOverrides,
  overridesFromAnnotations,
  readThresholds,
  strictestOverrides,
} from './detectors/thresholds';
import { EvaluatedKind, ObjectEvaluation } from './detectors/types';
import { IncidentStore, ObjectRef } from './IncidentStore';
import { DetectorSources, TriageSignalSource } from './sources';

/** Symptoms whose incident asks the model's training pipeline for a run. */
const RETRAIN_SYMPTOMS: ReadonlySet<DetectorSymptom> = new Set([
  'drift_detected',
  'accuracy_degraded',
]);

/** Default time a symptom must stay clear before its incident resolves. */
export const DEFAULT_AUTO_RESOLVE_AFTER_MS = 15 * 60_000;

/** How long detector checks are kept (the health card charts this span). */
export const CHECK_RETENTION_MS = 24 * 3_600_000;

/** Most evaluation requests waiting for their debounce at once. */
export const MAX_PENDING_EVALUATIONS = 10_000;

/** Objects evaluated at the same time in a full pass. */
const PASS_CONCURRENCY = 4;

/** Options of {@link IncidentService}. */
export interface IncidentServiceOptions {
  store: IncidentStore;
  logger: LoggerService;
  /** Whichever sources exist; each missing one silences its detectors. */
  sources: DetectorSources;
  thresholds: HealthThresholds;
  autoResolveAfterMs?: number;
  /** How long `requestEvaluation` waits for more writes before evaluating. */
  debounceMs?: number;
  /** Used to read per-entity threshold overrides and entities' links. */
  catalog?: CatalogService;
  auth?: AuthService;
  /** The clock; tests move it. */
  now?: () => Date;
}

/** Reads the incident options from `mlops.incidents.*` and `mlops.thresholds.*`. */
export function readIncidentConfig(config: Config): {
  thresholds: HealthThresholds;
  autoResolveAfterMs: number;
} {
  const key = 'mlops.incidents.autoResolveAfter';
  const autoResolveAfterMs = config.has(key)
    ? Duration.fromObject(readDurationFromConfig(config, { key })).toMillis()
    : DEFAULT_AUTO_RESOLVE_AFTER_MS;
  return { thresholds: readThresholds(config), autoResolveAfterMs };
}

const objectKey = (o: ObjectRef) => `${o.kind}:${o.name}`;

/**
 * Runs the detectors over the store's models and pipelines and turns what
 * they find into incidents.
 *
 * The detectors evaluate store objects by name rather than catalog entities:
 * every source is keyed by model or pipeline name, several entities may
 * point at the same object (a model's Component and the service that serves
 * it), and evaluating per entity would open one incident per entity for the
 * same problem. Entities are mapped to their objects when health and
 * incidents are served, and per-entity threshold annotations are applied to
 * the objects they point at (the strictest wins).
 */
export class IncidentService implements TriageSignalSource {
  private readonly store: IncidentStore;
  private readonly logger: LoggerService;
  private readonly sources: DetectorSources;
  private readonly thresholds: HealthThresholds;
  private readonly autoResolveAfterMs: number;
  private readonly debounceMs: number;
  private readonly catalog?: CatalogService;
  private readonly auth?: AuthService;
  private readonly now: () => Date;
  private overrides = new Map<string, ThresholdOverrides>();
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(options: IncidentServiceOptions) {
    this.store = options.store;
    this.logger = options.logger;
    this.sources = options.sources;
    this.thresholds = options.thresholds;
    this.autoResolveAfterMs =
      options.autoResolveAfterMs ?? DEFAULT_AUTO_RESOLVE_AFTER_MS;
    this.debounceMs = options.debounceMs ?? 2_000;
    this.catalog = options.catalog;
    this.auth = options.auth;
    this.now = options.now ?? (() => new Date());
  }

  /** The threshold the detectors use for an object, after annotations. */
  thresholdsFor(object: ObjectRef): HealthThresholds {
    return { ...this.thresholds, ...this.overrides.get(objectKey(object)) };
  }

  /**
   * Evaluates every model and pipeline once. Errors on one object are logged
   * and do not stop the pass.
   */
  async evaluateAll(): Promise<{ evaluated: number; opened: number }> {
    await this.refreshOverrides();
    const objects = await this.store.listObjects();
    let opened = 0;
    let next = 0;
    const worker = async () => {
      while (next < objects.length) {
        const object = objects[next++];
        try {
          // Awaited first: `opened += await …` would read `opened` before the
          // await and lose the other workers' counts.
          const count = await this.evaluate(object);
          opened += count;
        } catch (error) {
          this.logger.warn(
            `MLOps health evaluation of ${object.kind} ${object.name} failed: ${error}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: PASS_CONCURRENCY }, worker));
    await this.store.pruneChecks(
      new Date(this.now().getTime() - CHECK_RETENTION_MS),
    );
    return { evaluated: objects.length, opened };
  }

  /**
   * Asks for a prompt evaluation of one object after a write that may have
   * changed its health (an ingest batch, a finished run, a deployment
   * status). Calls within the debounce time are merged into one evaluation.
   */
  requestEvaluation(objectKind: EvaluatedKind, name: string): void {
    const key = objectKey({ kind: objectKind, name });
    if (this.pending.has(key)) {
      return;
    }
    if (this.pending.size >= MAX_PENDING_EVALUATIONS) {
      // The scheduled pass will get to it; memory must stay bounded.
      return;
    }
    const timer = setTimeout(() => {
      this.pending.delete(key);
      const run = this.evaluate({ kind: objectKind, name })
        .then(() => undefined)
        .catch(error =>
          this.logger.warn(
            `MLOps health evaluation of ${objectKind} ${name} failed: ${error}`,
          ),
        )
        .finally(() => this.inFlight.delete(run));
      this.inFlight.add(run);
    }, this.debounceMs);
    timer.unref?.();
    this.pending.set(key, timer);
  }

  /** Resolves once every requested evaluation has run (tests, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.pending.size > 0 || this.inFlight.size > 0) {
      await new Promise(resolve => setTimeout(resolve, 10));
      await Promise.all([...this.inFlight]);
    }
  }

  /** Cancels waiting evaluations (plugin shutdown). */
  stop(): void {
    for (const timer of this.pending.values()) {
      clearTimeout(timer);
    }
    this.pending.clear();
  }

  /**
   * Runs the detectors at past instants, oldest first, over sources that
   * answer as of each instant, so incidents get the history they would have
   * had if the detectors had been running then (the demo's believable
   * week). Returns how many incidents opened.
   */
  async replay(
    sources: DetectorSources,
    instants: Date[],
    kinds: EvaluatedKind[] = ['model', 'pipeline'],
  ): Promise<number> {
    let clock = new Date(0);
    const past = new IncidentService({
      store: this.store,
      logger: this.logger,
      sources,
      thresholds: this.thresholds,
      autoResolveAfterMs: this.autoResolveAfterMs,
      now: () => clock,
    });
    past.overrides = this.overrides;
    const objects = (await this.store.listObjects()).filter(o =>
      kinds.includes(o.kind),
    );
    let opened = 0;
    for (const instant of [...instants].sort(
      (a, b) => a.getTime() - b.getTime(),
    )) {
      clock = instant;
      for (const object of objects) {
        const count = await past.evaluate(object);
        opened += count;
      }
    }
    return opened;
  }

  /**
   * Evaluates one object, records the check and reconciles its incidents.
   * Returns how many incidents this evaluation opened.
   */
  async evaluate(object: ObjectRef): Promise<number> {
    const now = this.now();
    const evaluation = await evaluateObject({
      kind: object.kind,
      name: object.name,
      sources: this.sources,
      thresholds: this.thresholdsFor(object),
      now,
      logger: this.logger,
    });
    await this.store.recordCheck(evaluation);
    return this.reconcile(evaluation);
  }

  private async reconcile(evaluation: ObjectEvaluation): Promise<number> {
    const object = { kind: evaluation.kind, name: evaluation.name };
    const at = evaluation.checkedAt;
    let opened = 0;
    const found = new Set<DetectorSymptom>();
    for (const finding of evaluation.findings) {
      found.add(finding.symptom);
      const outcome = await this.store.reportSymptom(object, finding, at);
      if (outcome.opened) {
        opened++;
        this.logger.info(
          `MLOps incident ${outcome.incident.id} opened: ${object.kind} ${object.name} ${finding.symptom}: ${finding.message}`,
        );
        if (object.kind === 'model' && RETRAIN_SYMPTOMS.has(finding.symptom)) {
          await this.requestRetrain(object.name, outcome.incident);
        }
      }
    }
    for (const symptom of new Set(evaluation.judged)) {
      if (!found.has(symptom)) {
        await this.store.reportClear(
          object,
          symptom,
          at,
          this.autoResolveAfterMs,
        );
      }
    }
    return opened;
  }

  private async requestRetrain(model: string, incident: MlopsIncident) {
    const pipelines = this.sources.pipelines;
    const pipeline = await this.store.trainingPipelineOf(model);
    if (!pipelines || !pipeline) {
      return;
    }
    try {
      const reason = `Incident ${incident.id}: ${incident.message}`;
      const run = await pipelines.requestRun(pipeline, reason);
      await this.store.addEvent(incident.id, {
        type: 'retrain_requested',
        message: `Requested run ${run.id} of training pipeline ${pipeline}`,
        evidence: { values: { pipeline, runId: run.id } },
      });
    } catch (error) {
      this.logger.warn(
        `MLOps could not request a retrain of ${model} through ${pipeline}: ${error}`,
      );
    }
  }

  /**
   * Reads the threshold annotations of every entity linked to a model or
   * pipeline. Without a catalog (or when it fails) the configured
   * thresholds apply, and the last known overrides are kept.
   */
  private async refreshOverrides(): Promise<void> {
    if (!this.catalog || !this.auth) {
      return;
    }
    try {
      const credentials = await this.auth.getOwnServiceCredentials();
      const { items } = await this.catalog.getEntities(
        {
          filter: [
            { [`metadata.annotations.${ANNOTATION_MLOPS_MODEL}`]: CATALOG_FILTER_EXISTS },
            { [`metadata.annotations.${ANNOTATION_MLOPS_PIPELINE}`]: CATALOG_FILTER_EXISTS },
          ],
          fields: ['kind', 'metadata'],
        },
        { credentials },
      );
      const overrides = new Map<string, ThresholdOverrides>();
      for (const entity of items) {
        const own = overridesFromAnnotations(entity.metadata.annotations);
        if (Object.keys(own).length === 0) {
          continue;
        }
        for (const link of mlopsLinksOf(entity)) {
          if (link.kind === 'experiment') {
            continue;
          }
          const key = objectKey({ kind: link.kind, name: link.name });
          overrides.set(key, strictestOverrides(overrides.get(key) ?? {}, own));
        }
      }
      this.overrides = overrides;
    } catch (error) {
      this.logger.warn(
        `MLOps could not read threshold annotations from the catalog: ${error}`,
      );
    }
  }

  /**
   * What triage needs about an entity: the symptoms of its open incidents
   * and the latest failure reasons of its linked pipelines (and of the
   * pipelines that train its linked models).
   */
  async signals(entityRef: string): Promise<{
    symptoms: DetectorSymptom[];
    failureReasons: string[];
  }> {
    const objects = await this.objectsOfEntity(entityRef);
    if (objects.length === 0) {
      return { symptoms: [], failureReasons: [] };
    }
    return this.signalsForObjects(objects);
  }

  /** How many incidents are open on the objects an entity links to (fleet view). */
  async openIncidentCount(entityRef: string): Promise<number> {
    const objects = await this.objectsOfEntity(entityRef);
    return objects.length === 0
      ? 0
      : (await this.store.openIncidents(objects)).length;
  }

  /** The models and pipelines an entity's annotations point at. */
  private async objectsOfEntity(entityRef: string): Promise<ObjectRef[]> {
    if (!this.catalog || !this.auth) {
      return [];
    }
    const entity = await this.catalog.getEntityByRef(entityRef, {
      credentials: await this.auth.getOwnServiceCredentials(),
    });
    if (!entity) {
      return [];
    }
    return mlopsLinksOf(entity).filter(
      (l): l is ObjectRef => l.kind !== 'experiment',
    );
  }

  /** {@link IncidentService.signals} for already resolved objects. */
  async signalsForObjects(objects: ObjectRef[]): Promise<{
    symptoms: DetectorSymptom[];
    failureReasons: string[];
  }> {
    const open = await this.store.openIncidents(objects);
    const symptoms = [...new Set(open.map(i => i.symptom))];

    const pipelines = new Set(
      objects.filter(o => o.kind === 'pipeline').map(o => o.name),
    );
    for (const model of objects.filter(o => o.kind === 'model')) {
      const training = await this.store.trainingPipelineOf(model.name);
      if (training) {
        pipelines.add(training);
      }
    }
    const failureReasons: string[] = [];
    const source = this.sources.pipelines;
    if (source) {
      for (const pipeline of pipelines) {
        try {
          const runs = await source.latestRuns(pipeline, RECENT_RUNS);
          const failed = runs.find(
            r => r.state === 'FAILED' || r.state === 'CRASHED',
          );
          if (failed?.failureReason) {
            failureReasons.push(failed.failureReason);
          } else if (failed && failureClassOf(failed)) {
            failureReasons.push(failureClassOf(failed)!);
          }
        } catch (error) {
          this.logger.warn(
            `MLOps could not read runs of ${pipeline} for triage: ${error}`,
          );
        }
      }
    }
    return { symptoms, failureReasons };
  }

  /** The entity-scoped incident list: open first, then resolved in the last week. */
  async incidentsOf(objects: ObjectRef[]): Promise<MlopsIncident[]> {
    return this.store.list(objects, {
      resolvedSince: new Date(this.now().getTime() - 7 * 24 * 3_600_000),
      limit: 50,
    });
  }

  getIncident(id: string): Promise<MlopsIncident> {
    return this.store.get(id);
  }

  acknowledge(id: string, actor: string, note?: string) {
    return this.store.acknowledge(id, actor, note);
  }

  resolve(id: string, actor: string, note?: string) {
    return this.store.resolve(id, actor, note);
  }
}
