import {
  HostileValue,
  Raw,
  hostileSegmentsFor,
  hostileValuesFor,
  toJson,
} from './mutators';
import { RouteSpec } from './specs';

/** One hostile request. */
export interface HostileCase {
  /** `METHOD /path/pattern`, the route it attacks. */
  route: string;
  /** The mutator family, e.g. `sql` or `deep-nesting`. */
  mutator: string;
  /** What exactly was changed, for failure messages. */
  label: string;
  method: RouteSpec['method'];
  url: string;
  /** The raw request body, or undefined for none. */
  body?: string;
  asService?: boolean;
  mlflow?: boolean;
}

/** Nesting depth of the deep-nesting cases. */
export const DEEP_LEVELS = 10_000;

/** Bytes of the oversized-body cases: above every JSON limit of the plugin (the
 * suite sets the drift routes' limit to 1 MB). */
export const OVERSIZED_BYTES = 1_250_000;

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

/** Sets (or with `remove`, deletes) a dotted path; array indices are numbers. */
function setPath(
  body: Record<string, unknown>,
  path: string,
  value: unknown,
  remove = false,
): Record<string, unknown> {
  const copy = clone(body);
  const parts = path.split('.');
  let node: any = copy;
  for (const part of parts.slice(0, -1)) {
    if (node[part] === undefined || node[part] === null) {
      node[part] = /^\d+$/.test(parts[parts.indexOf(part) + 1] ?? '') ? [] : {};
    }
    node = node[part];
  }
  const last = parts[parts.length - 1];
  if (remove) {
    delete node[last];
  } else {
    node[last] = value;
  }
  return copy;
}

function concreteUrl(spec: RouteSpec, override?: [string, string]): string {
  let url = spec.path;
  for (const [name, param] of Object.entries(spec.params ?? {})) {
    // `*` is the rest of the path (an artifact folder, sent as it is);
    // the others are `:name` segments.
    const rest = name === '*';
    let segment = rest ? param.value : encodeURIComponent(param.value);
    if (override && override[0] === name) segment = override[1];
    url = url.replace(rest ? '*' : `:${name}`, segment);
  }
  return `/api/mlops${url}`;
}

const nestedArrays = (levels: number) =>
  new Raw(`${'['.repeat(levels)}${']'.repeat(levels)}`);
const nestedObjects = (levels: number) =>
  new Raw(`${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`);

/** Every hostile case of one route: body, field, path and query mutations. */
export function casesOf(spec: RouteSpec): HostileCase[] {
  const route = `${spec.method} ${spec.path}`;
  const base = {
    route,
    method: spec.method,
    asService: spec.asService,
    mlflow: spec.mlflow,
  };
  const url = concreteUrl(spec);
  const validBody = spec.body ? toJson(spec.body) : undefined;
  const cases: HostileCase[] = [];
  const add = (
    mutator: string,
    label: string,
    body: string | undefined,
    at = url,
  ) => cases.push({ ...base, mutator, label, url: at, body });

  // The body as a whole -----------------------------------------------------
  add('malformed-json', 'truncated', '{"a":');
  add('malformed-json', 'bare NaN', '{"value": NaN}');
  add(
    'oversized-body',
    `${OVERSIZED_BYTES} bytes`,
    `{"padding":"${'x'.repeat(OVERSIZED_BYTES)}"}`,
  );
  if (spec.body) {
    const fields = spec.fields ?? [];
    add('malformed-json', 'single quotes', "{'a': 1}");
    add('malformed-json', 'bare Infinity', '{"value": Infinity}');
    add('array-for-object', 'empty array', '[]');
    add('array-for-object', 'the body in an array', `[${validBody}]`);
    add('wrong-type', 'string body', '"text"');
    add('wrong-type', 'null body', 'null');
    const first =
      fields.find(fl => !fl.path.includes('.'))?.path ??
      Object.keys(spec.body)[0];
    add(
      'deep-nesting',
      `${DEEP_LEVELS} arrays in ${first}`,
      toJson({ ...spec.body, [first]: nestedArrays(DEEP_LEVELS) }),
    );
    add(
      'deep-nesting',
      `${DEEP_LEVELS} objects in ${first}`,
      toJson({ ...spec.body, [first]: nestedObjects(DEEP_LEVELS) }),
    );
    for (const field of fields.filter(fl => !fl.path.includes('.'))) {
      const rest = { ...spec.body };
      const valid = rest[field.path];
      delete rest[field.path];
      if (valid === undefined) continue;
      // JSON.parse keeps the last of duplicate keys: the hostile one.
      const prefix = toJson(rest).slice(0, -1);
      const sep = prefix.length > 1 ? ',' : '';
      add(
        'duplicate-keys',
        `${field.path} twice, then as {}`,
        `${prefix}${sep}"${field.path}":${toJson(valid)},"${
          field.path
        }":{"dup":true}}`,
      );
      if (field.required) {
        add(
          'prototype-pollution',
          `${field.path} only under __proto__`,
          `${prefix}${sep}"__proto__":${toJson({
            [field.path]: valid,
            polluted: true,
          })}}`,
        );
        add(
          'prototype-pollution',
          `${field.path} only under constructor.prototype`,
          `${prefix}${sep}"constructor":${toJson({
            prototype: { [field.path]: valid, polluted: true },
          })}}`,
        );
      }
    }
    // Each field --------------------------------------------------------------
    for (const field of fields) {
      if (field.required) {
        add(
          'missing-field',
          `no ${field.path}`,
          toJson(setPath(spec.body, field.path, undefined, true)),
        );
      }
      for (const hostile of hostileValuesFor(
        field.kind,
        field.nullable,
      ) as HostileValue[]) {
        add(
          hostile.mutator,
          `${field.path}: ${hostile.label}`,
          toJson(setPath(spec.body, field.path, hostile.value)),
        );
      }
    }
  }
  // Path parameters -----------------------------------------------------------
  for (const [name, param] of Object.entries(spec.params ?? {})) {
    for (const hostile of hostileSegmentsFor(param.kind)) {
      add(
        hostile.mutator,
        `:${name} ${hostile.label}`,
        validBody,
        concreteUrl(spec, [name, hostile.segment]),
      );
    }
    if (param.mustExist) {
      const unknown = param.unknown ?? `no-such-${name}`;
      add(
        'unknown-ref',
        `:${name} unknown`,
        validBody,
        concreteUrl(spec, [name, encodeURIComponent(unknown)]),
      );
    }
  }
  for (const query of spec.badQueries ?? []) {
    add('bad-query', query, validBody, `${url}?${query}`);
  }
  return cases;
}
