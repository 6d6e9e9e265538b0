import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  MlopsPipelinesSink,
  MlopsRegistrySink,
  MlopsSourceExperiment,
  MlopsSourceModelVersion,
  MlopsSourcePipelineRun,
  MlopsSourceRegisteredModel,
  MlopsSourceRun,
  MlopsTrackingSink,
} from '@backstage-mlops/plugin-mlops-node';
import type { MlopsObjectKind } from '@backstage-mlops/plugin-mlops-common';
import { createHash } from 'crypto';
import type { PipelineStore } from '../pipelines';
import type { RegistryStore } from '../registry';
import type { ObjectChangeNotifier } from '../shared/ObjectChangeNotifier';
import type { TrackingStore } from '../tracking';
import { inTransaction, Transactor } from '../database/transactions';
import {
  MirroredKind,
  MirroredObject,
  SourceInstanceKey,
  SourceStateStore,
} from './SourceStateStore';

/** The actor of history entries for changes seen upstream. */
export const OBSERVED_ACTOR = 'observed';

/**
 * Newly mirrored objects one sync announces to the catalog at most; a first
 * sync of a large server leaves the rest to the catalog's full refresh
 * rather than flooding its (bounded) change queue.
 */
export const MAX_ANNOUNCED_PER_SYNC = 1000;

/** The stores the sinks write to. */
export interface SinkStores {
  /** Only to write several stores in one transaction. */
  db: Transactor;
  state: SourceStateStore;
  tracking: TrackingStore;
  registry: RegistryStore;
  pipelines: PipelineStore;
}

function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

function sortedRecord(
  record: Record<string, string> | undefined,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

/**
 * The sinks of one sync of one instance. Every write goes through an origin
 * check: an object the store already holds that did not come from this
 * instance (pushed by a training job, or mirrored from another instance) is
 * left alone and counted as a conflict. An object whose fingerprint equals
 * what this instance last wrote is skipped, so an unchanged re-sync writes
 * nothing.
 */
export class SyncSinks {
  readonly counts: Record<string, number> = {};
  private readonly experimentIds = new Map<string, string>();
  private readonly pendingAliases = new Map<string, Record<string, number>>();
  /** Fingerprints of models written with aliases still pending. */
  private readonly pendingPrints = new Map<string, string>();
  private readonly reportedConflicts = new Set<string>();
  private announced = 0;

  readonly tracking: MlopsTrackingSink = {
    upsertExperiments: experiments => this.upsertExperiments(experiments),
    upsertRuns: runs => this.upsertRuns(runs),
  };
  readonly registry: MlopsRegistrySink = {
    upsertModels: models => this.upsertModels(models),
    upsertVersions: versions => this.upsertVersions(versions),
  };
  readonly pipelines: MlopsPipelinesSink = {
    upsertRuns: runs => this.upsertPipelineRuns(runs),
  };

  constructor(
    private readonly instance: SourceInstanceKey,
    private readonly stores: SinkStores,
    private readonly logger: LoggerService,
    private readonly objectChanges?: ObjectChangeNotifier,
  ) {}

  /**
   * Tells the catalog about objects this sync created in the store, as the
   * push routes do, after their write committed. Changed objects are not
   * announced: their entities exist, and the next full refresh updates them.
   */
  private async announceCreated(kind: MlopsObjectKind, names: string[]) {
    if (!this.objectChanges) return;
    for (const name of names) {
      if (this.announced === MAX_ANNOUNCED_PER_SYNC) {
        this.logger.info(
          `More than ${MAX_ANNOUNCED_PER_SYNC} new objects in this sync; the catalog's next full refresh mirrors the rest`,
        );
      }
      if (this.announced++ >= MAX_ANNOUNCED_PER_SYNC) return;
      await this.objectChanges.upserted(kind, name);
    }
  }

  private get reason(): string {
    return `Seen in ${this.instance.type} instance ${this.instance.name}`;
  }

  private count(kind: string, n = 1) {
    this.counts[kind] = (this.counts[kind] ?? 0) + n;
  }

  /**
   * Splits objects into those to write and those to skip; `exists` tells
   * whether the store holds an object of that key from elsewhere.
   */
  private async triage<T>(
    kind: MirroredKind,
    items: Array<{ key: string; item: T; print: string }>,
    existsElsewhere: (keys: string[]) => Promise<Set<string>>,
  ): Promise<Array<{ key: string; item: T; print: string; fresh: boolean }>> {
    const mirrored = await this.stores.state.mirrored(
      kind,
      items.map(i => i.key),
    );
    const unknown = items.filter(i => !mirrored.has(i.key)).map(i => i.key);
    const taken =
      unknown.length > 0 ? await existsElsewhere(unknown) : new Set();
    const out: Array<{ key: string; item: T; print: string; fresh: boolean }> =
      [];
    for (const entry of items) {
      const origin = mirrored.get(entry.key);
      const ours =
        origin?.type === this.instance.type &&
        origin?.name === this.instance.name;
      if ((origin && !ours) || (!origin && taken.has(entry.key))) {
        this.count(`${kind}Conflicts`);
        if (!this.reportedConflicts.has(`${kind}/${entry.key}`)) {
          this.reportedConflicts.add(`${kind}/${entry.key}`);
          this.logger.warn(
            `Not mirroring ${kind} "${
              entry.key
            }": the store already holds one ${
              origin
                ? `from ${origin.type}/${origin.name}`
                : 'pushed to the portal'
            }`,
          );
        }
        continue;
      }
      if (ours && origin.fingerprint === entry.print) {
        this.count(`${kind}Unchanged`);
        continue;
      }
      // Not in the store before: neither mirrored nor pushed.
      out.push({ ...entry, fresh: !origin });
    }
    return out;
  }

  private mark(kind: MirroredKind, key: string, print: string): MirroredObject {
    return {
      kind,
      key,
      type: this.instance.type,
      name: this.instance.name,
      fingerprint: print,
    };
  }

  private async upsertExperiments(experiments: MlopsSourceExperiment[]) {
    const { tracking, state } = this.stores;
    const items = experiments.map(e => ({
      key: e.name,
      item: e,
      print: fingerprint([e.lifecycleStage ?? 'active', sortedRecord(e.tags)]),
    }));
    // Runs name their experiment by upstream id; every reported experiment
    // is known to the runs that follow, written or not.
    const existing = new Map<string, string>();
    for (const e of experiments) {
      const found = await tracking.findExperimentByName(e.name);
      if (found) existing.set(e.name, found.id);
    }
    const toWrite = await this.triage(
      'experiment',
      items,
      async keys => new Set(keys.filter(k => existing.has(k))),
    );
    const writable = new Set(toWrite.map(w => w.key));
    const created: string[] = [];
    for (const { item, print } of toWrite) {
      let id = existing.get(item.name);
      if (!id) {
        id = (
          await tracking.createExperiment({ name: item.name, tags: item.tags })
        ).id;
        created.push(item.name);
      } else {
        for (const [key, value] of Object.entries(item.tags ?? {})) {
          await tracking.setExperimentTag(id, key, value);
        }
      }
      await tracking.setExperimentLifecycle(
        id,
        item.lifecycleStage ?? 'active',
      );
      await state.markMirrored([this.mark('experiment', item.name, print)]);
      existing.set(item.name, id);
      this.count('experiments');
    }
    await this.announceCreated('experiment', created);
    for (const e of experiments) {
      const id = existing.get(e.name);
      const mirroredHere =
        writable.has(e.name) ||
        (await state.originOf('experiment', e.name))?.name ===
          this.instance.name;
      if (id && mirroredHere) this.experimentIds.set(e.externalId, id);
    }
  }

  private async upsertRuns(runs: MlopsSourceRun[]) {
    const items = runs
      .filter(r => {
        if (!this.experimentIds.has(r.experimentExternalId)) {
          // Its experiment was not reported, or is not ours to write.
          this.count('runsSkipped');
          return false;
        }
        return true;
      })
      .map(r => ({
        key: r.id,
        item: r,
        print: fingerprint([
          r.experimentExternalId,
          r.name,
          r.status,
          r.startTime,
          r.endTime,
          r.userId,
          r.lifecycleStage,
          sortedRecord(r.params),
          sortedRecord(r.tags),
          [...(r.latestMetrics ?? [])].sort((a, b) => (a.key < b.key ? -1 : 1)),
        ]),
      }));
    const toWrite = await this.triage('run', items, keys =>
      this.stores.tracking.existingRunIds(keys),
    );
    if (toWrite.length === 0) return;
    await inTransaction(this.stores.db, async tx => {
      await this.stores.tracking.mirrorRuns(
        toWrite.map(({ item }) => ({
          id: item.id,
          experimentId: this.experimentIds.get(item.experimentExternalId)!,
          name: item.name,
          status: item.status,
          startTime: item.startTime,
          endTime: item.endTime,
          userId: item.userId,
          deleted: item.lifecycleStage === 'deleted',
          params: item.params ?? {},
          tags: item.tags ?? {},
          latestMetrics: item.latestMetrics ?? [],
        })),
        tx,
      );
      await this.stores.state.markMirrored(
        toWrite.map(w => this.mark('run', w.key, w.print)),
        tx,
      );
    });
    this.count('runs', toWrite.length);
  }

  private async upsertModels(models: MlopsSourceRegisteredModel[]) {
    const items = models.map(m => ({
      key: m.name,
      item: m,
      print: fingerprint([
        m.description ?? '',
        sortedRecord(m.tags),
        Object.entries(m.aliases ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)),
      ]),
    }));
    const toWrite = await this.triage('model', items, keys =>
      this.stores.registry.existingModelNames(keys),
    );
    // One transaction for the whole batch: on PostgreSQL a commit per
    // model costs more than all the writes.
    await inTransaction(this.stores.db, async tx => {
      const marks: MirroredObject[] = [];
      for (const { item, print } of toWrite) {
        const result = await this.stores.registry.mirrorModel(
          item.name,
          {
            description: item.description,
            tags: item.tags ?? {},
            aliases: item.aliases ?? {},
          },
          OBSERVED_ACTOR,
          this.reason,
          tx,
        );
        if (Object.keys(result.pendingAliases).length > 0) {
          this.pendingAliases.set(item.name, item.aliases ?? {});
          this.pendingPrints.set(item.name, print);
        }
        this.count('historyEntries', result.historyEntries);
        // Pending aliases are not written yet: the fingerprint waits for them.
        marks.push(
          this.mark(
            'model',
            item.name,
            this.pendingAliases.has(item.name) ? 'pending' : print,
          ),
        );
        this.count('models');
      }
      await this.stores.state.markMirrored(marks, tx);
    });
    await this.announceCreated(
      'model',
      toWrite.filter(w => w.fresh).map(w => w.item.name),
    );
  }

  private async upsertVersions(versions: MlopsSourceModelVersion[]) {
    const items = versions.map(v => ({
      key: `${v.model}/${v.version}`,
      item: v,
      print: fingerprint([
        v.stage,
        v.status,
        v.runId,
        v.artifactUri,
        v.description,
        sortedRecord(v.tags),
      ]),
    }));
    // A version is ours to write when its model is.
    const models = [...new Set(versions.map(v => v.model))];
    const origins = await this.stores.state.mirrored('model', models);
    const ourModels = new Set(
      models.filter(m => {
        const o = origins.get(m);
        return o?.type === this.instance.type && o?.name === this.instance.name;
      }),
    );
    const toWrite = await this.triage(
      'version',
      items.filter(i => {
        if (ourModels.has(i.item.model)) return true;
        this.count('versionsSkipped');
        return false;
      }),
      async () => new Set(),
    );
    const byModel = new Map<string, typeof toWrite>();
    for (const entry of toWrite) {
      const list = byModel.get(entry.item.model) ?? [];
      list.push(entry);
      byModel.set(entry.item.model, list);
    }
    await inTransaction(this.stores.db, async tx => {
      for (const [model, entries] of byModel) {
        const pending = this.pendingAliases.get(model);
        const result = await this.stores.registry.mirrorModel(
          model,
          {
            versions: entries.map(({ item }) => ({
              version: item.version,
              stage: item.stage,
              status: item.status,
              runId: item.runId,
              artifactUri: item.artifactUri,
              description: item.description,
              tags: item.tags,
              createdBy: item.createdBy,
              createdAt: item.createdAt,
            })),
            ...(pending ? { aliases: pending } : {}),
          },
          OBSERVED_ACTOR,
          this.reason,
          tx,
        );
        const marks = entries.map(e => this.mark('version', e.key, e.print));
        if (pending && Object.keys(result.pendingAliases).length === 0) {
          // Every alias is in place now: the model is as reported.
          this.pendingAliases.delete(model);
          marks.push(
            this.mark(
              'model',
              model,
              this.pendingPrints.get(model) ?? 'pending',
            ),
          );
          this.pendingPrints.delete(model);
        }
        this.count('historyEntries', result.historyEntries);
        await this.stores.state.markMirrored(marks, tx);
        this.count('versions', entries.length);
      }
    });
  }

  private async upsertPipelineRuns(runs: MlopsSourcePipelineRun[]) {
    const { pipelines, state } = this.stores;
    const items = runs.map(r => ({
      key: `${r.pipeline}/${r.externalId}`,
      item: r,
      print: fingerprint(r),
    }));
    const toWrite = await this.triage(
      'pipeline_run',
      items,
      async () => new Set(),
    );
    const created: string[] = [];
    for (const { item, key, print } of toWrite) {
      if (!(await pipelines.status(item.pipeline))) {
        await pipelines.upsertDefinition(item.pipeline, {
          orchestrator: this.instance.type,
          stages: (item.stages ?? []).map(s => s.name),
        });
        created.push(item.pipeline);
      }
      const date = (iso?: string) => (iso ? new Date(iso) : undefined);
      await pipelines.recordObservedRun(item.pipeline, {
        externalId: item.externalId,
        state: item.state,
        trigger: item.trigger,
        scheduledAt: date(item.scheduledAt),
        startedAt: date(item.startedAt),
        endedAt: date(item.endedAt),
        failureReason: item.failureMessage,
        stages: item.stages?.map(stage => ({
          name: stage.name,
          state: stage.state,
          startedAt: date(stage.startedAt),
          endedAt: date(stage.endedAt),
          failureReason: stage.failureMessage,
        })),
      });
      await state.markMirrored([this.mark('pipeline_run', key, print)]);
      this.count('pipelineRuns');
    }
    await this.announceCreated('pipeline', created);
  }

  /** Models whose aliases still name versions the sync did not report. */
  unresolvedAliases(): string[] {
    return [...this.pendingAliases.keys()];
  }
}
