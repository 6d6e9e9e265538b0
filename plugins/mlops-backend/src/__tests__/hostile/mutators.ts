/**
 * Hostile values, grouped by the kind of field they attack. Every value here
 * must be refused by a field of that kind; a route that takes one is a bug.
 */

/** A JSON fragment written into the body as is (numbers JSON.stringify cannot write). */
export class Raw {
  constructor(readonly text: string) {}
}

const RAW_MARK = '@@hostile-raw@@';

/** Serialises a body, writing {@link Raw} values as their literal text. */
export function toJson(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v) => {
    if (v instanceof Raw) {
      raws.push(v.text);
      return `${RAW_MARK}${raws.length - 1}`;
    }
    return v;
  });
  return text.replace(
    new RegExp(`"${RAW_MARK}(\\d+)"`, 'g'),
    (_m, i) => raws[Number(i)],
  );
}

/** How a field reads its value; decides which hostile values apply. */
export type FieldKind =
  | { type: 'name' }
  /** MLflow's free-text experiment and run names (`mlflowNameProblem`). */
  | { type: 'mlflowName'; max: number }
  | { type: 'alias' }
  | { type: 'text'; max: number }
  | { type: 'int'; min?: number; max?: number; int64?: boolean }
  | { type: 'number'; min?: number; max?: number }
  | { type: 'metric' }
  | { type: 'enum' }
  | { type: 'bool' }
  | { type: 'uri' }
  | { type: 'url' }
  | { type: 'id' }
  | { type: 'time'; epoch?: boolean }
  | { type: 'list'; max?: number; item: unknown }
  | { type: 'record' }
  | { type: 'ref' }
  | { type: 'object' }
  | { type: 'target' }
  /** The client's local file whose name an upload is stored under (MLflow's `path`). */
  | { type: 'localFile'; max: number };

/** One hostile value: the mutator family it belongs to and a label. */
export interface HostileValue {
  mutator: string;
  label: string;
  value: unknown;
}

const SQL = [
  "'; drop table mlops_runs; --",
  "x' OR '1'='1",
  '1; DELETE FROM mlops_registered_models',
];

/** Names: control characters, invisible and bidi characters, paths, SQL. */
const HOSTILE_NAMES: HostileValue[] = [
  { mutator: 'control-chars', label: 'NUL', value: 'mod\u0000el' },
  { mutator: 'control-chars', label: 'BEL', value: 'a\u0007b' },
  { mutator: 'control-chars', label: 'newline', value: 'a\nb' },
  { mutator: 'control-chars', label: 'ESC sequence', value: '\u001b[31mred' },
  { mutator: 'unicode', label: 'RTL override', value: 'model\u202Egpj.exe' },
  { mutator: 'unicode', label: 'zero-width space', value: 'fraud\u200Bmodel' },
  { mutator: 'unicode', label: 'BOM', value: '\uFEFFmodel' },
  { mutator: 'unicode', label: 'emoji', value: 'model-\u{1F525}' },
  {
    mutator: 'unicode',
    label: 'combining-mark flood',
    value: `a${'\u0301'.repeat(300)}`,
  },
  { mutator: 'unicode', label: 'lone surrogate', value: 'a\uD800b' },
  { mutator: 'path-traversal', label: '..', value: '..' },
  {
    mutator: 'path-traversal',
    label: '../../etc/passwd',
    value: '../../etc/passwd',
  },
  { mutator: 'path-traversal', label: 'inner ..', value: 'a/../b' },
  { mutator: 'absolute-path', label: '/etc/passwd', value: '/etc/passwd' },
  {
    mutator: 'absolute-path',
    label: 'windows path',
    value: 'C:\\Windows\\system32',
  },
  ...SQL.map(value => ({ mutator: 'sql', label: value, value })),
  {
    mutator: 'oversized-string',
    label: '251 characters',
    value: 'a'.repeat(251),
  },
  { mutator: 'missing-or-empty', label: 'empty', value: '' },
  { mutator: 'missing-or-empty', label: 'padded', value: ' model ' },
];

function wrongTypes(except: unknown[] = []): HostileValue[] {
  const all: Array<[string, unknown]> = [
    ['number', 42],
    ['boolean', true],
    ['null', null],
    ['array', ['x']],
    ['object', { x: 1 }],
    ['string', 'x'],
  ];
  return all
    .filter(([label]) => !except.includes(label))
    .map(([label, value]) => ({ mutator: 'wrong-type', label, value }));
}

const NON_FINITE: HostileValue[] = [
  { mutator: 'nan-infinity', label: '"NaN"', value: 'NaN' },
  { mutator: 'nan-infinity', label: '"Infinity"', value: 'Infinity' },
  { mutator: 'nan-infinity', label: '"-Infinity"', value: '-Infinity' },
  { mutator: 'huge-number', label: '1e309', value: new Raw('1e309') },
  { mutator: 'huge-number', label: '-1e309', value: new Raw('-1e309') },
];

/** The hostile values for one field, given how it reads its value. */
export function hostileValuesFor(
  kind: FieldKind,
  nullable = false,
): HostileValue[] {
  const typed = (except: string[]) =>
    wrongTypes(nullable ? [...except, 'null'] : except);
  switch (kind.type) {
    case 'name':
      return [...typed(['string']), ...HOSTILE_NAMES];
    case 'mlflowName':
      // Free text: SQL, paths, emoji and padding are names like any other
      // (and bound as values); what makes a name unreadable is not.
      return [
        ...typed(['string']),
        ...HOSTILE_NAMES.filter(
          v =>
            ['control-chars', 'path-traversal', 'missing-or-empty'].includes(
              v.mutator,
            ) && v.label !== 'padded',
        ),
        ...HOSTILE_NAMES.filter(
          v =>
            v.mutator === 'unicode' &&
            !['emoji', 'combining-mark flood'].includes(v.label),
        ),
        { mutator: 'missing-or-empty', label: 'spaces only', value: '   ' },
        {
          mutator: 'oversized-string',
          label: `${kind.max + 1} characters`,
          value: 'a'.repeat(kind.max + 1),
        },
      ];
    case 'alias':
      return [
        ...typed(['string']),
        ...HOSTILE_NAMES.filter(v => v.mutator !== 'oversized-string'),
        {
          mutator: 'oversized-string',
          label: '256 characters',
          value: 'a'.repeat(256),
        },
        { mutator: 'unknown-value', label: 'reserved latest', value: 'latest' },
      ];
    case 'text':
      return [
        ...typed(['string']),
        {
          mutator: 'oversized-string',
          label: `${kind.max + 1} characters`,
          value: 'x'.repeat(kind.max + 1),
        },
      ];
    case 'int': {
      const values: HostileValue[] = [
        ...typed(kind.int64 ? ['string', 'number'] : ['number']),
        ...NON_FINITE,
        {
          mutator: 'huge-number',
          label: '2^64',
          value: new Raw('18446744073709551616'),
        },
        {
          mutator: 'huge-number',
          label: '"2^64"',
          value: '18446744073709551616',
        },
        { mutator: 'wrong-type', label: 'fraction', value: 1.5 },
        { mutator: 'sql', label: 'SQL', value: SQL[2] },
      ];
      if (kind.min !== undefined && kind.min >= 0) {
        values.push({ mutator: 'huge-number', label: '-1', value: -1 });
      }
      if (kind.min !== undefined && kind.min >= 1) {
        values.push({
          mutator: 'negative-zero',
          label: '-0',
          value: new Raw('-0'),
        });
      }
      if (kind.max !== undefined) {
        values.push({
          mutator: 'huge-number',
          label: 'max+1',
          value: kind.max + 1,
        });
      }
      return values;
    }
    case 'number':
      return [...typed(['number']), ...NON_FINITE];
    case 'metric':
      return [
        ...typed(['number']),
        { mutator: 'nan-infinity', label: 'lowercase nan', value: 'nan' },
        { mutator: 'nan-infinity', label: '"inf"', value: 'inf' },
        { mutator: 'wrong-type', label: 'numeric string', value: '0.5' },
      ];
    case 'enum':
      return [
        ...typed(['string']),
        { mutator: 'unknown-value', label: 'unknown', value: 'NOT_A_VALUE' },
        { mutator: 'sql', label: 'SQL', value: SQL[0] },
        { mutator: 'control-chars', label: 'NUL', value: '\u0000' },
        { mutator: 'nan-infinity', label: '"NaN"', value: 'NaN' },
      ];
    case 'bool':
      return [
        ...wrongTypes(nullable ? ['boolean', 'null'] : ['boolean']),
        { mutator: 'wrong-type', label: '"true"', value: 'true' },
        { mutator: 'wrong-type', label: '1', value: 1 },
      ];
    case 'uri':
      return [
        ...typed(['string']),
        {
          mutator: 'path-traversal',
          label: 's3 ..',
          value: 's3://models/../../secrets',
        },
        {
          mutator: 'path-traversal',
          label: 'encoded ..',
          value: 's3://models/%2e%2e/%2E%2E/secrets',
        },
        {
          mutator: 'path-traversal',
          label: 'backslash ..',
          value: 'file:///srv\\..\\..\\etc',
        },
        {
          mutator: 'path-traversal',
          label: 'relative ..',
          value: '../../etc/passwd',
        },
        {
          mutator: 'control-chars',
          label: 'NUL',
          value: 's3://models/a\u0000b',
        },
      ];
    case 'url':
      return [
        ...typed(['string']),
        // Built from parts: the value is an attack on the route, not code to run.
        {
          mutator: 'unknown-value',
          label: 'javascript scheme',
          value: ['javascript', 'alert(1)'].join(':'),
        },
        {
          mutator: 'absolute-path',
          label: 'file:',
          value: 'file:///etc/passwd',
        },
        {
          mutator: 'path-traversal',
          label: 'relative ..',
          value: '../../etc/passwd',
        },
      ];
    case 'id':
      return [
        ...typed(['string']),
        ...SQL.map(value => ({ mutator: 'sql', label: value, value })),
        { mutator: 'path-traversal', label: '../1', value: '../1' },
        {
          mutator: 'huge-number',
          label: '2^64 digits',
          value: '18446744073709551616',
        },
        { mutator: 'nan-infinity', label: '"NaN"', value: 'NaN' },
        { mutator: 'nan-infinity', label: '"Infinity"', value: 'Infinity' },
        ...(nullable
          ? []
          : [{ mutator: 'missing-or-empty', label: 'empty', value: '' }]),
        { mutator: 'control-chars', label: 'NUL', value: '1\u0000' },
      ];
    case 'time':
      return [
        ...typed(kind.epoch ? ['number'] : ['string']),
        { mutator: 'nan-infinity', label: '"NaN"', value: 'NaN' },
        { mutator: 'nan-infinity', label: '"Infinity"', value: 'Infinity' },
        { mutator: 'huge-number', label: '1e309', value: new Raw('1e309') },
        {
          mutator: 'unknown-value',
          label: 'month 13',
          value: '2026-13-45T99:99:99Z',
        },
        { mutator: 'huge-number', label: '-1', value: -1 },
      ];
    case 'list': {
      const values: HostileValue[] = [
        ...typed(['array']),
        {
          mutator: 'object-for-array',
          label: 'object',
          value: { 0: kind.item },
        },
        {
          mutator: 'wrong-type',
          label: 'elements of the wrong type',
          value: [42, null],
        },
      ];
      if (typeof kind.item === 'object' && kind.item !== null) {
        values.push({
          mutator: 'array-for-object',
          label: 'nested arrays',
          value: [[kind.item]],
        });
      }
      if (kind.max !== undefined) {
        values.push({
          mutator: 'oversized-batch',
          label: `${kind.max + 1} items`,
          value: Array.from({ length: kind.max + 1 }, (_, i) =>
            typeof kind.item === 'string' ? `${kind.item}-${i}` : kind.item,
          ),
        });
      }
      return values;
    }
    case 'record':
      return [
        ...typed(['object']),
        {
          mutator: 'array-for-object',
          label: 'array',
          value: [{ key: 'a', value: 'b' }],
        },
        { mutator: 'wrong-type', label: 'number values', value: { a: 42 } },
        {
          mutator: 'oversized-batch',
          label: '101 entries',
          value: Object.fromEntries(
            Array.from({ length: 101 }, (_, i) => [`k${i}`, 'v']),
          ),
        },
      ];
    case 'ref':
      return [
        ...typed(['string']),
        { mutator: 'unknown-ref', label: 'not a ref', value: 'not a ref:::' },
        {
          mutator: 'unknown-ref',
          label: 'too many parts',
          value: 'group:default/a/b',
        },
        { mutator: 'missing-or-empty', label: 'empty', value: '' },
        { mutator: 'sql', label: 'SQL', value: SQL[0] },
      ];
    case 'object':
      return [
        ...typed(['object']),
        { mutator: 'array-for-object', label: 'array', value: [{}] },
      ];
    case 'target':
      return [
        ...wrongTypes(['string', 'object']),
        {
          mutator: 'missing-or-empty',
          label: 'empty type',
          value: { type: '' },
        },
        {
          mutator: 'unknown-value',
          label: 'unknown target',
          value: 'no-such-target',
        },
        {
          mutator: 'unknown-value',
          label: 'url off the allow-list',
          value: {
            type: 'webhook',
            url: 'http://169.254.169.254/latest/meta-data',
          },
        },
        {
          mutator: 'wrong-type',
          label: 'extra key',
          value: { type: 'record', headers: { x: 1 } },
        },
      ];
    case 'localFile':
      // Only the file's name is used (MLflow's `os.path.basename`): a
      // traversal before it is harmless, a name that is one is not.
      return [
        ...typed(['string']),
        { mutator: 'path-traversal', label: '..', value: '..' },
        { mutator: 'path-traversal', label: 'ends in ..', value: '/tmp/a/..' },
        {
          mutator: 'path-traversal',
          label: 'windows, ends in ..',
          value: 'C:\\Users\\..',
        },
        { mutator: 'path-traversal', label: 'encoded ..', value: '%2E%2E' },
        { mutator: 'control-chars', label: 'NUL', value: '/tmp/mod\u0000el' },
        { mutator: 'control-chars', label: 'newline', value: '/tmp/a\nb' },
        { mutator: 'unknown-value', label: 'a fragment', value: '/tmp/a#b' },
        { mutator: 'missing-or-empty', label: 'empty', value: '' },
        { mutator: 'missing-or-empty', label: 'a folder', value: '/tmp/' },
        {
          mutator: 'oversized-string',
          label: `${kind.max + 1} characters`,
          value: 'x'.repeat(kind.max + 1),
        },
      ];
    default:
      return [];
  }
}

/** A hostile value for a path parameter (already percent-encoded). */
export interface HostileSegment {
  mutator: string;
  label: string;
  segment: string;
}

/** How a path parameter reads its value. */
export type ParamKind =
  | 'name'
  | 'version'
  | 'numericId'
  | 'hexId'
  | 'uuid'
  | 'alias'
  | 'kind'
  | 'stage'
  /** An artifact folder (`a/b/c`, the rest of the path after the route). */
  | 'artifactPath';

const enc = encodeURIComponent;

/** Hostile path segments for one parameter kind. */
export function hostileSegmentsFor(kind: ParamKind): HostileSegment[] {
  const common: HostileSegment[] = [
    { mutator: 'sql', label: 'SQL', segment: enc(SQL[0]) },
    { mutator: 'path-traversal', label: 'encoded ..', segment: '%2E%2E' },
    { mutator: 'control-chars', label: 'NUL', segment: 'a%00b' },
  ];
  switch (kind) {
    case 'name':
      return [
        ...common,
        {
          mutator: 'unicode',
          label: 'RTL override',
          segment: enc('model\u202Egpj'),
        },
        {
          mutator: 'unicode',
          label: 'zero-width',
          segment: enc('fraud\u200Bmodel'),
        },
        { mutator: 'unicode', label: 'emoji', segment: enc('\u{1F525}') },
        {
          mutator: 'absolute-path',
          label: 'encoded /etc',
          segment: enc('/etc/passwd'),
        },
        {
          mutator: 'oversized-string',
          label: '600 characters',
          segment: 'a'.repeat(600),
        },
      ];
    case 'version':
      return [
        ...common,
        { mutator: 'negative-zero', label: '0', segment: '0' },
        { mutator: 'negative-zero', label: '-0', segment: '-0' },
        { mutator: 'huge-number', label: '-1', segment: '-1' },
        { mutator: 'wrong-type', label: '1.5', segment: '1.5' },
        {
          mutator: 'huge-number',
          label: '2^64',
          segment: '18446744073709551616',
        },
        { mutator: 'huge-number', label: '1e309', segment: '1e309' },
        { mutator: 'nan-infinity', label: 'NaN', segment: 'NaN' },
        { mutator: 'nan-infinity', label: 'Infinity', segment: 'Infinity' },
      ];
    case 'numericId':
    case 'hexId':
    case 'uuid':
      return [
        ...common,
        {
          mutator: 'huge-number',
          label: '2^64',
          segment: '18446744073709551616',
        },
        { mutator: 'huge-number', label: '-1', segment: '-1' },
        { mutator: 'nan-infinity', label: 'NaN', segment: 'NaN' },
        { mutator: 'nan-infinity', label: 'Infinity', segment: 'Infinity' },
        {
          mutator: 'oversized-string',
          label: '100 characters',
          segment: 'f'.repeat(100),
        },
      ];
    case 'alias':
      return [
        ...common,
        {
          mutator: 'unknown-value',
          label: 'reserved latest',
          segment: 'latest',
        },
        { mutator: 'unknown-value', label: 'reserved v1', segment: 'v1' },
        {
          mutator: 'unicode',
          label: 'RTL override',
          segment: enc('champ\u202Eion'),
        },
        {
          mutator: 'oversized-string',
          label: '300 characters',
          segment: 'a'.repeat(300),
        },
      ];
    case 'kind':
      return [
        ...common,
        { mutator: 'unknown-value', label: 'user', segment: 'user' },
        { mutator: 'unknown-value', label: '__proto__', segment: '__proto__' },
      ];
    case 'artifactPath':
      // MLflow's own traversal bugs (CVE-2023-1177, -2780, -6909,
      // CVE-2024-1483, -3848). SQL and Unicode make legal file names here.
      return [
        { mutator: 'path-traversal', label: 'encoded ..', segment: '%2E%2E' },
        {
          mutator: 'path-traversal',
          label: 'encoded ../..',
          segment: '%2E%2E%2F%2E%2E%2Fetc',
        },
        {
          mutator: 'path-traversal',
          label: 'double-encoded ..',
          segment: '%252E%252E/%252E%252E/etc',
        },
        { mutator: 'path-traversal', label: 'inner ..', segment: 'a/%2E%2E/b' },
        { mutator: 'absolute-path', label: 'encoded /etc', segment: '%2Fetc' },
        {
          mutator: 'absolute-path',
          label: 'drive letter',
          segment: 'C:%5CWindows',
        },
        { mutator: 'control-chars', label: 'NUL', segment: 'a%00b' },
        { mutator: 'unknown-value', label: 'a fragment', segment: 'a%23b' },
        {
          mutator: 'oversized-string',
          label: '1001 characters',
          segment: 'a'.repeat(1001),
        },
      ];
    case 'stage':
      return [
        { mutator: 'missing-or-empty', label: 'blank', segment: '%20%20' },
        {
          mutator: 'oversized-string',
          label: '251 characters',
          segment: 's'.repeat(251),
        },
        { mutator: 'control-chars', label: 'NUL', segment: 'train%00' },
      ];
    default:
      return [];
  }
}
