import fragments from '../__fixtures__/airflow-openapi-fragments.json';

/** A schema object of the copied spec fragments. */
export interface SpecSchema {
  type?: string;
  properties?: Record<string, unknown>;
  required?: string[];
  allOf?: SpecSchema[];
  $ref?: string;
}

export type SpecPart = 'v2' | 'v2auth' | 'v1';

/** A named schema of one spec, with `allOf` parts merged. */
export function specSchema(part: SpecPart, name: string): SpecSchema {
  const schemas = (fragments as any)[part].schemas as Record<
    string,
    SpecSchema
  >;
  const schema = schemas[name];
  if (!schema) {
    throw new Error(`No schema ${name} in the ${part} fragments`);
  }
  if (!schema.allOf) {
    return schema;
  }
  const merged: SpecSchema = { type: 'object', properties: {}, required: [] };
  for (const piece of schema.allOf) {
    const resolved = piece.$ref
      ? specSchema(part, piece.$ref.split('/').pop()!)
      : piece;
    Object.assign(merged.properties!, resolved.properties);
    merged.required!.push(...(resolved.required ?? []));
  }
  return merged;
}

/** The property names a schema declares. */
export function specProperties(part: SpecPart, name: string): string[] {
  return Object.keys(specSchema(part, name).properties ?? {});
}

/** The request body schema a path's POST takes. */
export function requestSchemaName(part: SpecPart, path: string): string {
  const op = (fragments as any)[part].paths[path].post;
  return op.requestBody.content['application/json'].schema.$ref
    .split('/')
    .pop();
}

/** The 200 (or 201) answer schema of a path's method. */
export function responseSchemaName(
  part: SpecPart,
  path: string,
  method: 'get' | 'post',
): string {
  const op = (fragments as any)[part].paths[path][method];
  const answer = op.responses['200'] ?? op.responses['201'];
  return answer.content['application/json'].schema.$ref.split('/').pop();
}
