import { objectChangesOf } from './objects';

describe('objectChangesOf', () => {
  it('unpacks a windowed event and accepts the single change of an earlier release', () => {
    expect(
      objectChangesOf({
        changes: [
          { action: 'upserted', kind: 'model', name: 'churn' },
          { action: 'deleted', kind: 'pipeline', name: 'old' },
        ],
      }),
    ).toEqual([
      { action: 'upserted', kind: 'model', name: 'churn' },
      { action: 'deleted', kind: 'pipeline', name: 'old' },
    ]);
    expect(
      objectChangesOf({ action: 'upserted', kind: 'experiment', name: 'x' }),
    ).toEqual([{ action: 'upserted', kind: 'experiment', name: 'x' }]);
  });

  it('leaves out what is malformed', () => {
    expect(objectChangesOf(undefined)).toEqual([]);
    expect(objectChangesOf('model churn')).toEqual([]);
    expect(objectChangesOf({ changes: 'all' })).toEqual([]);
    expect(
      objectChangesOf({
        changes: [
          { action: 'renamed', kind: 'model', name: 'a' },
          { action: 'upserted', kind: 'dataset', name: 'b' },
          { action: 'upserted', kind: 'model', name: '' },
          null,
          { action: 'upserted', kind: 'model', name: 'kept' },
        ],
      }),
    ).toEqual([{ action: 'upserted', kind: 'model', name: 'kept' }]);
  });
});
