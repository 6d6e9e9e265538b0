/** A route an express router answers: its method and its path pattern. */
export interface RouteInfo {
  method: string;
  path: string;
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  regexp?: RegExp;
}

/** The literal path an express 4 sub-router was mounted on ('' at the root). */
function mountPathOf(layer: Layer): string {
  const source = layer.regexp?.source ?? '';
  if (source === '^\\/?(?=\\/|$)' || source === '') {
    return '';
  }
  return source
    .replace(/^\^/, '')
    .replace('\\/?(?=\\/|$)', '')
    .replace(/\\\//g, '/')
    .replace(/\\\./g, '.');
}

/** Every (method, path) an express router and its sub-routers answer. */
export function routesOf(stack: unknown[], prefix = ''): RouteInfo[] {
  const routes: RouteInfo[] = [];
  for (const layer of stack as Layer[]) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path)
        ? layer.route.path
        : [layer.route.path];
      for (const path of paths) {
        for (const method of Object.keys(layer.route.methods)) {
          routes.push({
            method: method.toUpperCase(),
            path: `${prefix}${path}`,
          });
        }
      }
    } else if (layer.handle?.stack) {
      routes.push(...routesOf(layer.handle.stack, prefix + mountPathOf(layer)));
    }
  }
  return routes;
}

/** Methods that change state: each route answering one needs hostile cases. */
export const WRITE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * The key a route is listed under. MLflow's API is mounted twice (the 2.0
 * and the 2.0 preview paths) with the same handlers, so both share a key.
 */
export function routeKey(route: RouteInfo): string {
  return `${route.method} ${route.path.replace(
    '/api/2.0/preview/mlflow',
    '/api/2.0/mlflow',
  )}`;
}
