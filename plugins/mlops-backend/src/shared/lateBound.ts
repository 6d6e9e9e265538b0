/**
 * A capability's service for those created before it, which reach it only
 * at request time: they receive `get`, and `plugin.ts` binds the service
 * once the capability exists. Reaching it earlier is a wiring mistake, and
 * `get` says which link was followed too soon.
 */
export function lateBound<T>(name: string): {
  get: () => T;
  bind: (value: T) => void;
} {
  let bound: { value: T } | undefined;
  return {
    get() {
      if (!bound) {
        throw new Error(
          `The ${name} capability was reached before plugin.ts created it; links to it may only be followed at request time`,
        );
      }
      return bound.value;
    },
    bind(value) {
      if (bound) {
        throw new Error(`The ${name} capability was already bound`);
      }
      bound = { value };
    },
  };
}
