import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  PermissionCriteria,
} from '@backstage/plugin-permission-common';
import {
  createConditionTransformer,
  isAndCriteria,
  isNotCriteria,
  isOrCriteria,
} from '@backstage/plugin-permission-node';
import {
  MlopsObjectKind,
  mlopsObjectReadPermission,
  mlopsPermissions,
} from '@backstage-mlops/plugin-mlops-common';
import {
  MlopsObjectFilter,
  MlopsObjectResource,
  mlopsObjectPermissionResourceRef,
  mlopsObjectPermissionRules,
} from '@backstage-mlops/plugin-mlops-node';
import { NotFoundError } from '@backstage/errors';
import { Request } from 'express';
import { Knex } from 'knex';

const OBJECT_TABLES: Record<MlopsObjectKind, string> = {
  model: 'mlops_registered_models',
  experiment: 'mlops_experiments',
  pipeline: 'mlops_pipelines',
};

/**
 * Which models, experiments and pipelines one caller may read, ready to be
 * put into a store's query, so a list is narrowed by the database and its
 * order, limits and cursors stay right.
 */
export interface ObjectReadScope {
  /** False when the caller may read every object. */
  readonly restricted: boolean;
  /**
   * Narrows `query` to rows whose `column` holds the name (or, with
   * `key: 'id'`, the id) of a readable object of `kind`.
   */
  restrict<Q extends Knex.QueryBuilder>(
    query: Q,
    kind: MlopsObjectKind,
    column: string,
    key?: 'name' | 'id',
  ): Q;
  /** Whether the caller may read the `kind` named `name` (false if none). */
  readable(kind: MlopsObjectKind, name: string): Promise<boolean>;
  /**
   * Resolves when the caller may read the `kind` named `name`, and otherwise
   * throws a NotFoundError: routes answer an object the caller may not read
   * exactly like one that does not exist, so a 404 does not tell it is there.
   */
  requireReadable(kind: MlopsObjectKind, name: string): Promise<void>;
}

/** The scope of a caller who may read everything (services, open policies). */
export const UNRESTRICTED_READ_SCOPE: ObjectReadScope = {
  restricted: false,
  restrict: query => query,
  readable: async () => true,
  requireReadable: async () => {},
};

type ReadCriteria = PermissionCriteria<MlopsObjectFilter>;

const toFilterCriteria: (
  conditions: Parameters<ReturnType<typeof createConditionTransformer>>[0],
) => ReadCriteria = createConditionTransformer([
  mlopsObjectPermissionRules.isMlopsObjectOwner,
  mlopsObjectPermissionRules.isMlopsObjectKind,
]);

/**
 * Decides `mlops.object.read` for list routes. A definitive decision reads
 * everything or nothing; a conditional one, such as "owned by one of the
 * user's groups", becomes a where clause on the object tables.
 */
export class MlopsObjectReadAccess {
  constructor(
    private readonly db: Knex,
    private readonly permissions: PermissionsService,
    private readonly httpAuth: HttpAuthService,
  ) {}

  /**
   * Registers the MLOps permissions, and the `mlops-object` resource type
   * with its rules, so policies and the permission backend can use them
   * (conditions sent back for a single object are checked here too).
   */
  static register(registry: PermissionsRegistryService, db: Knex): void {
    registry.addPermissions(
      mlopsPermissions.filter(p => p !== mlopsObjectReadPermission),
    );
    registry.addResourceType({
      resourceRef: mlopsObjectPermissionResourceRef,
      permissions: [mlopsObjectReadPermission],
      rules: Object.values(mlopsObjectPermissionRules),
      getResources: refs => loadObjectResources(db, refs),
    });
  }

  /** The read scope of the user or service making `req`. */
  async scopeOf(req: Request): Promise<ObjectReadScope> {
    return this.scopeFor(
      await this.httpAuth.credentials(req, { allow: ['user', 'service'] }),
    );
  }

  /** Throws a NotFoundError unless the caller of `req` may read the object. */
  async requireReadable(
    req: Request,
    kind: MlopsObjectKind,
    name: string,
  ): Promise<void> {
    await (await this.scopeOf(req)).requireReadable(kind, name);
  }

  async scopeFor(credentials: BackstageCredentials): Promise<ObjectReadScope> {
    const [decision] = await this.permissions.authorizeConditional(
      [{ permission: mlopsObjectReadPermission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.ALLOW) {
      return UNRESTRICTED_READ_SCOPE;
    }
    const criteria =
      decision.result === AuthorizeResult.CONDITIONAL
        ? toFilterCriteria(decision.conditions)
        : undefined;
    const scope: ObjectReadScope = {
      restricted: true,
      restrict: (query, kind, column, key = 'name') => {
        if (!criteria) {
          query.whereRaw('1 = 0');
          return query;
        }
        const readable = this.db(OBJECT_TABLES[kind])
          .select(key)
          .where(qb => applyCriteria(this.db, qb, criteria, kind));
        query.whereIn(column, readable);
        return query;
      },
      readable: async (kind, name) =>
        Boolean(
          await scope
            .restrict(
              this.db(OBJECT_TABLES[kind]).where({ name }),
              kind,
              'name',
            )
            .first('name'),
        ),
      requireReadable: async (kind, name) => {
        if (!(await scope.readable(kind, name))) {
          throw new NotFoundError(`No ${kind} named "${name}"`);
        }
      },
    };
    return scope;
  }
}

function applyCriteria(
  db: Knex,
  qb: Knex.QueryBuilder,
  criteria: ReadCriteria,
  kind: MlopsObjectKind,
): void {
  if (isAndCriteria(criteria)) {
    for (const part of criteria.allOf) {
      qb.andWhere(inner => applyCriteria(db, inner, part, kind));
    }
  } else if (isOrCriteria(criteria)) {
    if (criteria.anyOf.length === 0) {
      qb.whereRaw('1 = 0');
      return;
    }
    qb.andWhere(outer => {
      for (const part of criteria.anyOf) {
        outer.orWhere(inner => applyCriteria(db, inner, part, kind));
      }
    });
  } else if (isNotCriteria(criteria)) {
    qb.whereNot(inner => applyCriteria(db, inner, criteria.not, kind));
  } else if (criteria.property === 'kind') {
    qb.whereRaw(criteria.values.includes(kind) ? '1 = 1' : '1 = 0');
  } else if (criteria.values.length === 0) {
    qb.whereRaw('1 = 0');
  } else {
    // coalesce: an object nobody owns must match "not owned by", not vanish
    // from both sides as NULL would.
    qb.whereRaw(
      `lower(coalesce(owner, '')) in (${criteria.values
        .map(() => '?')
        .join(', ')})`,
      criteria.values,
    );
  }
}

/** Resource refs are `<kind>:<name>`, e.g. `model:fraud-detection`. */
async function loadObjectResources(
  db: Knex,
  refs: string[],
): Promise<Array<MlopsObjectResource | undefined>> {
  return Promise.all(
    refs.map(async ref => {
      const separator = ref.indexOf(':');
      const kind = ref.slice(0, separator) as MlopsObjectKind;
      const name = ref.slice(separator + 1);
      if (separator < 0 || !(kind in OBJECT_TABLES)) {
        return undefined;
      }
      const row = await db(OBJECT_TABLES[kind]).where({ name }).first('owner');
      return row ? { kind, name, owner: row.owner ?? undefined } : undefined;
    }),
  );
}
