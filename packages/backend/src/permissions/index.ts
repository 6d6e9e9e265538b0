import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { MlopsDemoPermissionPolicy } from './MlopsDemoPermissionPolicy';

/** Installs the demo portal's permission policy: owners act, others read. */
export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'mlops-demo-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        userInfo: coreServices.userInfo,
      },
      async init({ policy, userInfo }) {
        policy.setPolicy(new MlopsDemoPermissionPolicy(userInfo));
      },
    });
  },
});
