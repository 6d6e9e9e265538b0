import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createMlopsActions } from './actions';

/**
 * Scaffolder module for MLOps: the actions that new ML pipeline templates use.
 *
 * @public
 */
export const scaffolderModuleMlops = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'mlops',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      async init({ scaffolder, discovery, auth }) {
        scaffolder.addActions(...createMlopsActions({ discovery, auth }));
      },
    });
  },
});
