import { TemplateAction } from '@backstage/plugin-scaffolder-node';

/**
 * The scaffolder actions this module provides. `mlops:pipeline:register`
 * joins them once the backend has a registration route to call.
 */
export function createMlopsActions(): TemplateAction<any, any, any>[] {
  return [];
}
