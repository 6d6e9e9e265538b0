import {
  LoggerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import {
  MlopsObjectChangeEvent,
  MlopsObjectKind,
  MlopsStoreObject,
} from '@backstage-mlops/plugin-mlops-common';
import { DeclaredEntityIndex, objectKey } from './DeclaredEntityIndex';
import { MlopsObjectsSource } from './MlopsObjectsClient';
import { providedEntityRef } from './entityNames';
import { objectToEntity } from './objectToEntity';

/**
 * Mirrors the MLOps store's models, experiments and pipelines into the
 * catalog, for the objects that no catalog-info.yaml declares yet (a model
 * registered by a training job, say).
 *
 * A scheduled full mutation replaces everything the provider emits; change
 * events from the MLOps backend apply a delta within seconds; and when the
 * processor sees a declaration of an object the provider emits, the emitted
 * entity is withdrawn at once, so the catalog never shows the object twice.
 *
 * @public
 */
export class MlopsEntityProvider implements EntityProvider {
  private readonly objects: MlopsObjectsSource;
  private readonly declared: DeclaredEntityIndex;
  private readonly logger: LoggerService;
  private readonly taskRunner?: SchedulerServiceTaskRunner;
  private readonly defaultOwner: string;
  private connection?: EntityProviderConnection;
  /** Keys (`kind:name`) of the objects this provider currently emits. */
  private readonly emitted = new Set<string>();

  constructor(options: {
    objects: MlopsObjectsSource;
    declared: DeclaredEntityIndex;
    logger: LoggerService;
    /** Runs the scheduled full refresh; tests call refresh() themselves. */
    taskRunner?: SchedulerServiceTaskRunner;
    /** Owner of objects registered without one. Default `group:default/unknown`. */
    defaultOwner?: string;
  }) {
    this.objects = options.objects;
    this.declared = options.declared;
    this.logger = options.logger;
    this.taskRunner = options.taskRunner;
    this.defaultOwner = options.defaultOwner ?? 'group:default/unknown';
  }

  getProviderName(): string {
    return 'mlops';
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    await this.taskRunner?.run({
      id: `${this.getProviderName()}:refresh`,
      fn: async () => {
        try {
          await this.refresh();
        } catch (error) {
          // The next run retries; a failed refresh keeps the previous entities.
          this.logger.error(`MLOps catalog refresh failed: ${error}`);
        }
      },
    });
  }

  /** Full mutation: every store object that no declared entity claims. */
  async refresh(): Promise<{ emitted: number; declared: number }> {
    const connection = this.requireConnection();
    const [objects, declared, mlopsBaseUrl] = await Promise.all([
      this.objects.listObjects(),
      this.declared.load({ fresh: true }).then(index => index.declared),
      this.objects.baseUrl(),
    ]);
    const entities: Entity[] = [];
    const keys: string[] = [];
    for (const object of objects) {
      const key = objectKey(object.kind, object.name);
      if (declared.has(key)) {
        continue;
      }
      entities.push(this.toEntity(object, mlopsBaseUrl, declared));
      keys.push(key);
    }
    // No location key: an entity without one yields its ref to any source
    // that declares the same ref with a key (a catalog-info.yaml), so the
    // mirror never blocks a declaration that arrives before the next refresh.
    await connection.applyMutation({
      type: 'full',
      entities: entities.map(entity => ({ entity })),
    });
    this.emitted.clear();
    keys.forEach(key => this.emitted.add(key));
    this.logger.info(
      `MLOps catalog refresh: ${entities.length} entities emitted, ${
        objects.length - entities.length
      } objects declared elsewhere`,
    );
    return {
      emitted: entities.length,
      declared: objects.length - entities.length,
    };
  }

  /**
   * Applies changes announced by the MLOps backend as one delta mutation.
   * The objects are read back from the store in one request, so a late
   * announcement never installs stale data; an object that is gone, or that
   * an entity from elsewhere declares, is withdrawn.
   */
  async handleChanges(changes: MlopsObjectChangeEvent[]): Promise<void> {
    if (!this.connection || changes.length === 0) {
      return; // Not connected yet: the first full refresh includes them.
    }
    const upserted = changes.filter(change => change.action !== 'deleted');
    const objects = upserted.length
      ? await this.objects.getObjects(
          upserted.map(({ kind, name }) => ({ kind, name })),
        )
      : [];
    const current = new Map<string, MlopsStoreObject>();
    objects.forEach(object => {
      if (object) current.set(objectKey(object.kind, object.name), object);
    });
    const declaredNow = await this.declared.declaredFor([...current.values()]);
    // Dependencies resolve through the cached index: a stale answer only
    // points at the mirrored entity until the next full refresh.
    const { declared } = await this.declared.load();
    const baseUrl = await this.objects.baseUrl();

    const added = new Map<string, Entity>();
    const removed = new Map<string, string>();
    for (const { kind, name } of changes) {
      const key = objectKey(kind, name);
      const object = current.get(key);
      if (object && !declaredNow.has(key)) {
        added.set(key, this.toEntity(object, baseUrl, declared));
      } else {
        removed.set(key, providedEntityRef(kind, name));
      }
    }
    await this.connection.applyMutation({
      type: 'delta',
      added: [...added.values()].map(entity => ({ entity })),
      removed: [...removed.values()].map(entityRef => ({ entityRef })),
    });
    added.forEach((entity, key) => {
      this.emitted.add(key);
      this.logger.debug(`MLOps catalog: applied ${stringifyEntityRef(entity)}`);
    });
    removed.forEach((_ref, key) => this.emitted.delete(key));
  }

  /**
   * Called when an entity from another source declares a store object. When
   * the provider emits that object, its entity is removed right away instead
   * of at the next full refresh.
   */
  async declarationSeen(kind: MlopsObjectKind, name: string): Promise<void> {
    if (!this.emitted.has(objectKey(kind, name))) {
      return;
    }
    this.declared.invalidate();
    await this.withdraw(kind, name);
    this.logger.info(
      `MLOps catalog: ${kind} "${name}" is now declared in the catalog; withdrew the mirrored entity`,
    );
  }

  private async withdraw(kind: MlopsObjectKind, name: string): Promise<void> {
    if (!this.connection) {
      return;
    }
    await this.connection.applyMutation({
      type: 'delta',
      added: [],
      removed: [{ entityRef: providedEntityRef(kind, name) }],
    });
    this.emitted.delete(objectKey(kind, name));
  }

  private toEntity(
    object: MlopsStoreObject,
    mlopsBaseUrl: string,
    declared: Map<string, string>,
  ): Entity {
    return objectToEntity(object, {
      mlopsBaseUrl,
      defaultOwner: this.defaultOwner,
      representativeOf: (kind, name) => declared.get(objectKey(kind, name)),
    });
  }

  private requireConnection(): EntityProviderConnection {
    if (!this.connection) {
      throw new Error('MlopsEntityProvider is not connected to the catalog');
    }
    return this.connection;
  }
}
