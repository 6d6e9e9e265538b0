/**
 * Longest name the store accepts for experiments, models, pipelines, metric,
 * param and tag keys. It matches MLflow's limit for entity keys, so names that
 * MLflow clients send are never cut.
 *
 * @public
 */
export const MLOPS_NAME_MAX_LENGTH = 250;

/**
 * Longest run parameter value the store accepts (MLflow's `MAX_PARAM_VAL_LENGTH`).
 *
 * @public
 */
export const MLOPS_PARAM_VALUE_MAX_LENGTH = 6000;

/**
 * Longest run or experiment tag value the store accepts (MLflow's
 * `MAX_TAG_VAL_LENGTH`).
 *
 * @public
 */
export const MLOPS_TAG_VALUE_MAX_LENGTH = 8000;

// Letters and digits of any script, plus the separators MLflow allows.
const NAME_CHARACTERS = /^[\p{L}\p{M}\p{N}_\-./ ]+$/u;

/**
 * The one naming rule shared by every route, the catalog annotations and the
 * MLflow-compatible endpoint. Returns why `name` is not acceptable, or
 * `undefined` when it is.
 *
 * A name is 1 to {@link MLOPS_NAME_MAX_LENGTH} characters of letters and
 * digits (any script), `_`, `-`, `.`, `/` and space; it does not start with
 * `/` or a space, does not end with a space, and has no `.` or `..` path
 * segment, so it can never be read as a path that escapes a folder.
 *
 * @public
 */
export function mlopsNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') {
    return 'must be a string';
  }
  if (name.length === 0) {
    return 'must not be empty';
  }
  if ([...name].length > MLOPS_NAME_MAX_LENGTH) {
    return `must be at most ${MLOPS_NAME_MAX_LENGTH} characters`;
  }
  if (!NAME_CHARACTERS.test(name)) {
    return 'may only contain letters, digits, spaces and the characters _ - . /';
  }
  if (name.startsWith('/')) {
    return 'must not start with /';
  }
  if (name !== name.trim()) {
    return 'must not start or end with a space';
  }
  if (name.split('/').some(segment => segment === '..' || segment === '.')) {
    return 'must not contain . or .. path segments';
  }
  return undefined;
}

/**
 * Longest experiment name MLflow's clients may send (MLflow's own limit).
 *
 * @public
 */
export const MLFLOW_EXPERIMENT_NAME_MAX_LENGTH = 500;

/**
 * The rule for names of experiments, runs and models as MLflow gives them:
 * free text such as `churn: xgb (v2)` or `lr=0.01,bs=64`, 1 to `maxLength`
 * characters, not only spaces, without NUL or other control characters
 * (which PostgreSQL refuses and logs would misprint) and without `.` or `..`
 * path segments. Keys of metrics,
 * params and tags keep the stricter {@link mlopsNameProblem}. Such a name
 * reaches the catalog through `entityNameFor` in the catalog module, which
 * derives a valid entity name with a hash suffix against collisions.
 * Returns why `name` is not acceptable, or `undefined`.
 *
 * @public
 */
export function mlflowNameProblem(
  name: unknown,
  maxLength: number = MLOPS_NAME_MAX_LENGTH,
): string | undefined {
  if (typeof name !== 'string') {
    return 'must be a string';
  }
  if (name.trim().length === 0) {
    return 'must not be empty';
  }
  if ([...name].length > maxLength) {
    return `must be at most ${maxLength} characters`;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) {
    return 'must not contain control characters';
  }
  // Characters that make a name read as another: bidirectional overrides
  // and isolates, invisible spaces and joiners that are not part of a
  // script (ZWJ and ZWNJ are, so they stay), the byte-order mark; and lone
  // surrogates, which are no character at all.
  if (
    /[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]|\p{Cs}/u.test(
      name,
    )
  ) {
    return 'must not contain invisible or direction-changing characters';
  }
  // MLflow itself would take `../x`; refusing it keeps every name safe to
  // put in a path or URL, at the price of a name nobody chooses.
  if (name.split('/').some(segment => segment === '..' || segment === '.')) {
    return 'must not contain . or .. path segments';
  }
  return undefined;
}

/**
 * True when `name` follows the MLOps naming rule ({@link mlopsNameProblem}).
 *
 * @public
 */
export function isValidMlopsName(name: unknown): name is string {
  return mlopsNameProblem(name) === undefined;
}

/**
 * What a value is the value of, for the length rule in
 * {@link mlopsValueProblem}.
 *
 * @public
 */
export type MlopsValueKind = 'param' | 'tag';

/**
 * The value half of the naming rule: param and tag values may hold any
 * text (MLflow stores JSON, paths and prompts in them), but only up to
 * MLflow's length limits, counted in Unicode code points as MLflow counts
 * Python string length. Returns why `value` is not acceptable, or
 * `undefined` when it is.
 *
 * @public
 */
export function mlopsValueProblem(
  kind: MlopsValueKind,
  value: unknown,
): string | undefined {
  if (typeof value !== 'string') {
    return 'must be a string';
  }
  const limit =
    kind === 'param'
      ? MLOPS_PARAM_VALUE_MAX_LENGTH
      : MLOPS_TAG_VALUE_MAX_LENGTH;
  // Cheap check first: a string's code point count never exceeds its length.
  if (value.length > limit && [...value].length > limit) {
    return `must be at most ${limit} characters`;
  }
  return undefined;
}
