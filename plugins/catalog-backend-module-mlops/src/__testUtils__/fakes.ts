import {
  MlopsObjectKind,
  MlopsStoreObject,
} from '@backstage-mlops/plugin-mlops-common';
import { MlopsObjectsSource } from '../provider/MlopsObjectsClient';

/** A store object with the fields the provider reads, for tests and benches. */
export function storeObject(
  kind: MlopsObjectKind,
  name: string,
  fields: Partial<MlopsStoreObject> = {},
): MlopsStoreObject {
  return {
    kind,
    id: `${kind}-${name}`,
    name,
    owner: 'group:default/risk-ml',
    tags: {},
    inProduction: false,
    links: { mlopsPage: `http://portal.test/mlops/${kind}s/${name}` },
    updatedAt: '2026-11-25T10:00:00.000Z',
    ...fields,
  };
}

/** An in-memory store behind the provider's source interface. */
export class FakeObjectsSource implements MlopsObjectsSource {
  readonly objects = new Map<string, MlopsStoreObject>();

  constructor(objects: MlopsStoreObject[] = []) {
    objects.forEach(o => this.put(o));
  }

  put(object: MlopsStoreObject) {
    this.objects.set(`${object.kind}:${object.name}`, object);
  }

  remove(kind: MlopsObjectKind, name: string) {
    this.objects.delete(`${kind}:${name}`);
  }

  async baseUrl() {
    return 'http://backend.test/api/mlops';
  }

  async listObjects() {
    return [...this.objects.values()];
  }

  /** How many times getObjects was asked, to see that a burst is read once. */
  objectReads = 0;

  async getObjects(refs: Array<{ kind: MlopsObjectKind; name: string }>) {
    this.objectReads++;
    return refs.map(({ kind, name }) => this.objects.get(`${kind}:${name}`));
  }
}
