/**
 * The placeholders triage commands may contain, written `{{name}}`, each with
 * what it stands for. The values come from the entity being triaged (its
 * annotations and catalog data).
 *
 * @public
 */
export const TRIAGE_PLACEHOLDERS = [
  {
    name: 'namespace',
    description: 'Kubernetes namespace the workload runs in.',
  },
  {
    name: 'labelSelector',
    description:
      'Kubernetes label selector that picks the pods of the workload, e.g. app=fraud-detection.',
  },
  {
    name: 'deployment',
    description: 'Name of the Kubernetes Deployment that serves the model.',
  },
  {
    name: 'servingUrl',
    description: 'Base URL the model is served from, without a trailing slash.',
  },
  {
    name: 'trackingUrl',
    description:
      'Base URL of the MLflow tracking server, without a trailing slash.',
  },
  {
    name: 'orchestrator',
    description:
      'The orchestrator that runs the pipeline, e.g. prefect or airflow.',
  },
  {
    name: 'pipeline',
    description:
      'Pipeline name as the orchestrator knows it (Prefect flow name or Airflow DAG id).',
  },
  {
    name: 'model',
    description: 'Registered model name in the model registry.',
  },
  {
    name: 'experiment',
    description: 'Experiment name in the tracking server.',
  },
  {
    name: 'environment',
    description:
      'Deployment environment, e.g. staging or production (also used as the registry alias).',
  },
] as const;

/**
 * A placeholder name that may appear in a triage command.
 *
 * @public
 */
export type TriagePlaceholder = (typeof TRIAGE_PLACEHOLDERS)[number]['name'];

/**
 * The result of filling a triage command's placeholders.
 *
 * @public
 */
export interface FilledTriageCommand {
  /** The command with known values substituted and the rest shown as `<name>`. */
  text: string;
  /** Placeholders that had no value, in order of first appearance. */
  missing: TriagePlaceholder[];
}

const PLACEHOLDER_NAMES: ReadonlySet<string> = new Set(
  TRIAGE_PLACEHOLDERS.map(p => p.name),
);

const PLACEHOLDER_PATTERN = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;

// Characters that are safe to pass to a POSIX shell without quoting. Kept
// narrow on purpose: anything else gets single-quoted.
const SHELL_SAFE = /^[A-Za-z0-9._:/=,@-]+$/;

/**
 * True when the string is a known placeholder name.
 *
 * @public
 */
export function isTriagePlaceholder(name: string): name is TriagePlaceholder {
  return PLACEHOLDER_NAMES.has(name);
}

/**
 * Lists the placeholder names a command uses, in order of first appearance,
 * including names that are not known placeholders (so callers and tests can
 * spot typos).
 *
 * @public
 */
export function listCommandPlaceholders(command: string): string[] {
  const names: string[] = [];
  for (const match of command.matchAll(PLACEHOLDER_PATTERN)) {
    if (!names.includes(match[1])) {
      names.push(match[1]);
    }
  }
  return names;
}

/**
 * Quotes a value for a POSIX shell, leaving plain values untouched so the
 * filled command stays readable.
 *
 * @public
 */
export function shellQuote(value: string): string {
  if (SHELL_SAFE.test(value)) {
    return value;
  }
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Substitutes the entity's values into a triage command.
 *
 * Known values are inserted shell-quoted when they contain anything outside
 * `[A-Za-z0-9._:/=,@-]`, so a hostile value cannot run as a command. A
 * placeholder without a value (or with an empty one) is shown as `<name>`
 * and reported in `missing`: the engineer fills it in, nothing is guessed.
 *
 * @public
 */
export function fillTriageCommand(
  command: string,
  context: Partial<Record<TriagePlaceholder, string>>,
): FilledTriageCommand {
  const missing: TriagePlaceholder[] = [];
  const text = command.replace(PLACEHOLDER_PATTERN, (_whole, name: string) => {
    if (!isTriagePlaceholder(name)) {
      return `<${name}>`;
    }
    const value = Object.prototype.hasOwnProperty.call(context, name)
      ? context[name]
      : undefined;
    if (typeof value !== 'string' || value.trim() === '') {
      if (!missing.includes(name)) {
        missing.push(name);
      }
      return `<${name}>`;
    }
    return shellQuote(value);
  });
  return { text, missing };
}
