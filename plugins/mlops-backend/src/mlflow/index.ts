import { createMlflowRouter, MlflowRouterOptions } from './router';

export { MLFLOW_BASE_PATH, createMlflowRouter } from './router';
export type { MlflowRouterOptions } from './router';
export { MlflowError, mlflowErrorHandler } from './errors';
export { parseLoggedModelFilter } from './searchGrammars';

/**
 * MLflow's REST API over the tracking store and the registry, for training
 * code that logs with MLflow's own clients. It parses its own bodies so
 * that malformed JSON is answered in MLflow's error shape.
 */
export function createMlflow(options: MlflowRouterOptions) {
  return {
    router: createMlflowRouter(options),
    // It checks credentials itself, so that a missing or bad token is
    // answered in MLflow's error shape (defaults.ts, and every artifacts
    // route under this path).
    authPolicies: [{ path: '/mlflow', allow: 'unauthenticated' as const }],
  };
}
