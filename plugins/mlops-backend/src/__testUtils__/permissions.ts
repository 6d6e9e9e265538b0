import {
  BackstageCredentials,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  Permission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { mlopsObjectReadPermission } from '@backstage-mlops/plugin-mlops-common';

/**
 * A permissions service that answers with the decisions of `decide`, the way
 * the permission backend hands on a policy's decisions: conditional ones go
 * to the caller of `authorizeConditional`, which applies them itself.
 */
export function permissionsDecidedBy(
  decide: (
    permission: Permission,
    credentials: BackstageCredentials,
  ) => PolicyDecision,
) {
  return createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: () => ({
      async authorize(requests, { credentials }) {
        return requests.map(({ permission }) => {
          const decision = decide(permission, credentials);
          if (decision.result === AuthorizeResult.CONDITIONAL) {
            throw new Error(
              `${permission.name} needs a resource to decide a conditional decision`,
            );
          }
          return { result: decision.result };
        });
      },
      async authorizeConditional(requests, { credentials }) {
        return requests.map(({ permission }) => {
          return decide(permission, credentials) as any;
        });
      },
    }),
  });
}

/**
 * A policy that lets everyone read MLOps objects and answers every other
 * permission (the changes) with `changes`: "others may read, not act".
 */
export function permissionsAllowingReads(
  changes: AuthorizeResult.ALLOW | AuthorizeResult.DENY,
) {
  return permissionsDecidedBy(permission => ({
    result:
      permission.name === mlopsObjectReadPermission.name
        ? AuthorizeResult.ALLOW
        : changes,
  }));
}
