import { createBackendModule } from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { MlopsAnnotationProcessor } from './processor/MlopsAnnotationProcessor';

/**
 * Catalog module for MLOps: validates `backstage-mlops.dev/*` annotations.
 *
 * @public
 */
export const catalogModuleMlops = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'mlops',
  register(reg) {
    reg.registerInit({
      deps: { catalog: catalogProcessingExtensionPoint },
      async init({ catalog }) {
        catalog.addProcessor(new MlopsAnnotationProcessor());
      },
    });
  },
});
