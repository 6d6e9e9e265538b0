import { UserInfoService } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { mlopsPermissions } from '@backstage-mlops/plugin-mlops-common';

const mlopsPermissionNames = new Set(mlopsPermissions.map(p => p.name));

/**
 * The demo portal's policy: everyone signed in may read everything, and the
 * MLOps actions that change production (stage transitions, rollbacks,
 * retention, deployments, incident changes) are for the owners of the entity
 * they act on. The catalog evaluates the ownership condition against the
 * user's ownership refs (the user and the groups they belong to).
 *
 * Service principals (training jobs and CD systems with external access
 * tokens) never reach a policy: the permissions service decides for them from
 * their token's access restrictions.
 */
export class MlopsDemoPermissionPolicy implements PermissionPolicy {
  constructor(private readonly userInfo: UserInfoService) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    if (
      mlopsPermissionNames.has(permission.name) &&
      isResourcePermission(permission, 'catalog-entity')
    ) {
      if (!user) {
        return { result: AuthorizeResult.DENY };
      }
      const { ownershipEntityRefs } = await this.userInfo.getUserInfo(
        user.credentials,
      );
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({ claims: ownershipEntityRefs }),
      );
    }
    return { result: AuthorizeResult.ALLOW };
  }
}
