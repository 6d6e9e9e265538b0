import {
  AuthService,
  coreServices,
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  isPermission,
} from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { mlopsObjectReadPermission } from '@backstage-mlops/plugin-mlops-common';
import {
  createMlopsObjectConditionalDecision,
  mlopsObjectConditions,
} from '@backstage-mlops/plugin-mlops-node';
import permissionBackend from '@backstage/plugin-permission-backend';
import mlopsBackend from '@backstage-mlops/plugin-mlops-backend';
import request from 'supertest';

jest.setTimeout(120_000);

// The policy of the README's "Narrowing what a user reads": a user reads the
// MLOps objects they own (here: that their user entity owns).
const ownersReadPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'owners-read-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          async handle(req, user) {
            if (isPermission(req.permission, mlopsObjectReadPermission)) {
              return createMlopsObjectConditionalDecision(
                req.permission,
                mlopsObjectConditions.isMlopsObjectOwner({
                  claims: user?.info.ownershipEntityRefs ?? [],
                }),
              );
            }
            return { result: AuthorizeResult.ALLOW };
          },
        });
      },
    });
  },
});

// The mock auth service drops the actor of an on-behalf-of token, which a
// real one keeps: without it the permission backend takes the MLOps
// plugin's call for the user for a direct call by the user, and refuses a
// resource permission without a resource. This puts the actor back, so the
// permission backend sees what it sees in a real backend.
const authKeepingOnBehalfOf = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }): AuthService {
    const mock = mockServices.auth({ pluginId: plugin.getId() });
    return {
      async authenticate(token, options) {
        const credentials = await mock.authenticate(token, options);
        if (token.includes('"obo"') && mock.isPrincipal(credentials, 'user')) {
          return mockCredentials.user(credentials.principal.userEntityRef, {
            actor: { subject: 'plugin:mlops' },
          });
        }
        return credentials;
      },
      isPrincipal: (credentials, type) => mock.isPrincipal(credentials, type),
      getNoneCredentials: () => mock.getNoneCredentials(),
      getOwnServiceCredentials: () => mock.getOwnServiceCredentials(),
      getPluginRequestToken: options => mock.getPluginRequestToken(options),
      getLimitedUserToken: credentials => mock.getLimitedUserToken(credentials),
      listPublicServiceKeys: () => mock.listPublicServiceKeys(),
    };
  },
});

/*
 * The real permission framework end to end: the MLOps plugin asks the
 * permission backend, the policy answers with conditions, and the plugin's
 * list and read routes apply them.
 */
describe('a conditional read policy through the permission backend', () => {
  it('narrows the model list and hides the others from a user', async () => {
    const { server } = await startTestBackend({
      features: [
        permissionBackend,
        ownersReadPolicy,
        mlopsBackend,
        permissionsServiceFactory,
        authKeepingOnBehalfOf,
        httpAuthServiceFactory,
        mockServices.rootConfig.factory({
          data: { permission: { enabled: true } },
        }),
      ],
    });
    const service = mockCredentials.service.header();
    for (const [name, owner] of [
      ['alice-model', 'user:default/alice'],
      ['team-model', 'group:default/risk-ml'],
    ]) {
      await request(server)
        .post('/api/mlops/models')
        .set('Authorization', service)
        .send({ name, owner })
        .expect(201);
    }
    const alice = mockCredentials.user.header('user:default/alice');

    const models = await request(server)
      .get('/api/mlops/models')
      .set('Authorization', alice);
    expect(models.body.error).toBeUndefined();
    expect(models.status).toBe(200);
    expect(models.body.items.map((m: { name: string }) => m.name)).toEqual([
      'alice-model',
    ]);
    await request(server)
      .get('/api/mlops/models/team-model')
      .set('Authorization', alice)
      .expect(404);

    const all = await request(server)
      .get('/api/mlops/models')
      .set('Authorization', service)
      .expect(200);
    expect(all.body.items).toHaveLength(2);
  });
});
