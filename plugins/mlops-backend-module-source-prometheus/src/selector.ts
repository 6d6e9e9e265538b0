/**
 * One matcher of a Prometheus label selector: `name="value"`, with `=`, `!=`,
 * `=~` or `!~`.
 */
export interface LabelMatcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const MATCHER =
  /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\\n]|\\[\\"nt])*)"\s*(?:,|$)/;
const MAX_SELECTOR_LENGTH = 1_000;

/**
 * Parses the label selector an annotation gives (`job="fraud-serving",
 * namespace="payments-ml"`, braces optional). Anything else — a metric
 * name, a function, a closing brace, an unquoted value — is refused, so an
 * annotation can narrow the portal's queries but never write its own.
 * Throws with the reason.
 */
export function parseLabelSelector(text: string): LabelMatcher[] {
  let rest = text.trim();
  if (rest.length > MAX_SELECTOR_LENGTH) {
    throw new Error(`a selector is at most ${MAX_SELECTOR_LENGTH} characters`);
  }
  if (rest.startsWith('{') && rest.endsWith('}')) {
    rest = rest.slice(1, -1).trim();
  }
  const matchers: LabelMatcher[] = [];
  while (rest.length > 0) {
    const match = MATCHER.exec(rest);
    if (!match) {
      throw new Error(
        `not a label selector at "${rest.slice(
          0,
          40,
        )}": expected name="value" pairs separated by commas`,
      );
    }
    matchers.push({
      name: match[1],
      op: match[2] as LabelMatcher['op'],
      value: match[3].replace(
        /\\(.)/g,
        (_, c) => (({ n: '\n', t: '\t' } as Record<string, string>)[c] ?? c),
      ),
    });
    rest = rest.slice(match[0].length).trim();
  }
  if (matchers.length === 0) {
    throw new Error('an empty selector would match every series');
  }
  if (!matchers.some(m => (m.op === '=' && m.value !== '') || m.op === '=~')) {
    throw new Error('a selector needs at least one positive matcher');
  }
  return matchers;
}

/**
 * Writes matchers back as PromQL, quoting every value again: what reaches
 * Prometheus is built from the parsed parts, never the annotation's text.
 */
export function formatMatchers(matchers: LabelMatcher[]): string {
  return matchers
    .map(m => {
      if (!LABEL_NAME.test(m.name)) {
        throw new Error(`not a label name: ${m.name}`);
      }
      const value = m.value
        .replace(/\\/g, '\\\\')
        .replace(/"/g, '\\"')
        .replace(/\n/g, '\\n')
        .replace(/\t/g, '\\t');
      return `${m.name}${m.op}"${value}"`;
    })
    .join(',');
}
