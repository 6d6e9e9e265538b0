import fragments from '../__fixtures__/prefect-openapi-fragments.json';

type Schema = Record<string, any>;
const schemas = (fragments as any).schemas as Record<string, Schema>;

/** A named schema of the copied fragments. */
export function specSchema(name: string): Schema {
  const schema = schemas[name];
  if (!schema) throw new Error(`No schema ${name} in the Prefect fragments`);
  return schema;
}

/** The object schema behind a `$ref` or an `anyOf` of one and null. */
export function resolve(schema: Schema | undefined): Schema | undefined {
  if (!schema) return undefined;
  if (schema.$ref) {
    const name = schema.$ref.split('/').pop();
    // A schema the fragments leave out is declared, just not walked into.
    return schemas[name] ? resolve(schemas[name]) : { type: 'object' };
  }
  if (schema.anyOf) {
    const options = schema.anyOf.filter((s: Schema) => s.type !== 'null');
    return options.length === 1 ? resolve(options[0]) : schema;
  }
  return schema;
}

/** The schema at a property path below a named schema, if the spec has one. */
export function schemaAtPath(name: string, path: string[]): Schema | undefined {
  let current: Schema | undefined = specSchema(name);
  for (const key of path) {
    current = resolve(current);
    current = current?.properties?.[key];
    if (!current) return undefined;
  }
  return current;
}

/** The body schema a path's POST takes. */
export function requestSchemaName(path: string): string {
  return (fragments as any).paths[path].post.requestBody.content[
    'application/json'
  ].schema.$ref
    .split('/')
    .pop();
}

/** Paths (`a.b.c`) in `value` that the schema does not declare. */
export function undeclared(
  name: string,
  value: unknown,
  prefix: string[] = [],
): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [];
  }
  const found: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const path = [...prefix, key];
    const schema = resolve(schemaAtPath(name, path));
    if (!schema) {
      found.push(path.join('.'));
    } else if (schema.properties) {
      found.push(...undeclared(name, child, path));
    }
  }
  return found;
}
