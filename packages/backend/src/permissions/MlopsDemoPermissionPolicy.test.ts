import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  mlopsDeploymentCreatePermission,
  mlopsObjectReadPermission,
  mlopsPermissions,
} from '@backstage-mlops/plugin-mlops-common';
import { MlopsDemoPermissionPolicy } from './MlopsDemoPermissionPolicy';

describe('MlopsDemoPermissionPolicy', () => {
  const userRef = 'user:default/guest';
  const policy = new MlopsDemoPermissionPolicy(
    mockServices.userInfo({
      userEntityRef: userRef,
      ownershipEntityRefs: [userRef, 'group:default/support-ml'],
    }),
  );
  const user = {
    credentials: mockCredentials.user(userRef),
    info: { userEntityRef: userRef, ownershipEntityRefs: [] },
  };

  it('lets every signed-in user read the catalog', async () => {
    const decision = await policy.handle(
      { permission: catalogEntityReadPermission },
      user,
    );
    expect(decision).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('lets every signed-in user read MLOps objects', async () => {
    const decision = await policy.handle(
      { permission: mlopsObjectReadPermission },
      user,
    );
    expect(decision).toEqual({ result: AuthorizeResult.ALLOW });
  });

  it.each(
    mlopsPermissions
      .filter(p => p.resourceType === 'catalog-entity')
      .map(p => [p.name, p]),
  )('leaves %s to the owners of the entity', async (_name, permission) => {
    const decision = await policy.handle({ permission }, user);
    expect(decision).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: { claims: [userRef, 'group:default/support-ml'] },
      },
    });
  });

  it('denies MLOps actions when no user is known', async () => {
    const decision = await policy.handle({
      permission: mlopsDeploymentCreatePermission,
    });
    expect(decision).toEqual({ result: AuthorizeResult.DENY });
  });
});
