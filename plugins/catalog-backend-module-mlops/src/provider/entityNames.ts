import { MlopsObjectKind } from '@backstage-mlops/plugin-mlops-common';
import { createHash } from 'crypto';

const MAX_ENTITY_NAME_LENGTH = 63;

/**
 * The kind and spec.type of the catalog entity that represents each kind of
 * store object (the entity model in DESIGN.md).
 */
export const ENTITY_SHAPE: Record<
  MlopsObjectKind,
  { kind: 'Component' | 'Resource'; type: string }
> = {
  model: { kind: 'Component', type: 'ml-model' },
  pipeline: { kind: 'Component', type: 'ml-pipeline' },
  experiment: { kind: 'Resource', type: 'ml-experiment' },
};

/**
 * Turns a store object name into a valid catalog entity name. Store names
 * allow any script, spaces and slashes; entity names allow
 * `[A-Za-z0-9._-]`, at most 63 characters, alphanumeric at both ends. A name
 * that had to change gets a short hash of the original appended, so two
 * different store names never map to the same entity.
 */
export function entityNameFor(objectName: string): string {
  const cleaned = objectName
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/[-_.]{2,}/g, '-')
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  if (cleaned === objectName && cleaned.length <= MAX_ENTITY_NAME_LENGTH) {
    return cleaned;
  }
  const hash = createHash('sha256')
    .update(objectName)
    .digest('hex')
    .slice(0, 8);
  const stem = cleaned
    .slice(0, MAX_ENTITY_NAME_LENGTH - hash.length - 1)
    .replace(/[^A-Za-z0-9]+$/, '');
  return stem ? `${stem}-${hash}` : `x-${hash}`;
}

/** The entity ref that the provider gives the entity of a store object. */
export function providedEntityRef(kind: MlopsObjectKind, name: string): string {
  return `${ENTITY_SHAPE[kind].kind.toLocaleLowerCase(
    'en-US',
  )}:default/${entityNameFor(name)}`;
}
