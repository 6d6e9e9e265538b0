import type { DetectorSymptom } from '../health';
import {
  classifyFailureReason,
  getFailureClass,
  type FailureClass,
} from './failures';
import { TRIAGE_ENTRIES } from './knowledgeBase';
import type { TriageCategory, TriageEntry } from './types';

/**
 * What to search the knowledge base for. Both parts are optional; with
 * neither, every entry is returned.
 *
 * @public
 */
export interface TriageSearchQuery {
  /** Free text, e.g. "crashloop mlflow" or "CUDA out of memory". */
  q?: string;
  category?: TriageCategory;
}

/**
 * One search hit. Higher scores are better; with an empty query every score
 * is 0.
 *
 * @public
 */
export interface TriageSearchResult {
  entry: TriageEntry;
  score: number;
}

/**
 * The problems currently observed on an entity, used to pick the entries
 * that explain them.
 *
 * @public
 */
export interface TriageMatchInput {
  symptoms: DetectorSymptom[];
  failureClasses: FailureClass[];
  /**
   * Raw failure messages or log lines. They are run through
   * {@link classifyFailureReason} and the classes found are added to
   * `failureClasses`.
   */
  text?: string[];
}

/**
 * One matched entry with the reasons it matched, for display next to it.
 *
 * @public
 */
export interface TriageMatchResult {
  entry: TriageEntry;
  score: number;
  /** E.g. "answers symptom latency_high", "failure reason classified as oom_killed". */
  evidence: string[];
}

// Words that carry no meaning for matching; without this list "the pod is
// down" would rank entries by how often they say "the".
const STOP_WORDS: ReadonlySet<string> = new Set([
  'a',
  'an',
  'and',
  'are',
  'as',
  'at',
  'be',
  'by',
  'for',
  'from',
  'has',
  'in',
  'is',
  'it',
  'its',
  'my',
  'no',
  'not',
  'of',
  'on',
  'or',
  'our',
  'so',
  'that',
  'the',
  'then',
  'this',
  'to',
  'was',
  'with',
]);

/** Field weights: a word in the title says more than a word in a command. */
const WEIGHTS = {
  title: 4,
  symptoms: 2,
  summary: 2,
  answers: 1.5,
  likelyCauses: 1.5,
  fix: 1,
  commands: 1,
} as const;

type Field = keyof typeof WEIGHTS;

interface IndexedEntry {
  entry: TriageEntry;
  position: number;
  title: string;
  fields: Record<Field, ReadonlySet<string>>;
}

// Collapses simple plurals so "alerts" finds "alert" and "pods" finds "pod".
function normalizeToken(token: string): string {
  if (token.length > 3 && token.endsWith('s') && !/(?:ss|us|is)$/.test(token)) {
    return token.slice(0, -1);
  }
  return token;
}

function tokenize(text: string): string[] {
  return text
    .toLocaleLowerCase('en-US')
    .split(/[^a-z0-9]+/)
    .filter(t => t.length > 0 && !STOP_WORDS.has(t))
    .map(normalizeToken);
}

function tokenSet(parts: readonly string[]): ReadonlySet<string> {
  const set = new Set<string>();
  for (const part of parts) {
    for (const token of tokenize(part)) {
      set.add(token);
    }
  }
  return set;
}

function indexEntry(entry: TriageEntry, position: number): IndexedEntry {
  return {
    entry,
    position,
    title: entry.title.toLocaleLowerCase('en-US'),
    fields: {
      title: tokenSet([entry.title, entry.id]),
      symptoms: tokenSet(entry.symptoms),
      summary: tokenSet([entry.summary]),
      answers: tokenSet([
        ...entry.answersSymptoms,
        ...entry.answersFailureClasses,
        ...entry.answersFailureClasses.map(c => getFailureClass(c).title),
      ]),
      likelyCauses: tokenSet(entry.likelyCauses),
      fix: tokenSet(entry.fix),
      commands: tokenSet(
        entry.triage.flatMap(step => [step.description, step.command]),
      ),
    },
  };
}

// Indexing the whole knowledge base on every keystroke would be wasteful, so
// the index is built once per entries array.
const indexCache = new WeakMap<readonly TriageEntry[], IndexedEntry[]>();

function getIndex(entries: readonly TriageEntry[]): IndexedEntry[] {
  let index = indexCache.get(entries);
  if (!index) {
    index = entries.map(indexEntry);
    indexCache.set(entries, index);
  }
  return index;
}

function scoreToken(indexed: IndexedEntry, token: string): number {
  let best = 0;
  for (const field of Object.keys(WEIGHTS) as Field[]) {
    const weight = WEIGHTS[field];
    if (weight <= best) {
      continue;
    }
    const tokens = indexed.fields[field];
    if (tokens.has(token)) {
      best = weight;
      continue;
    }
    // Prefix matches let "crashloop" find "crashloopbackoff"; they count for
    // half so exact words still win. Very short prefixes match too much.
    if (token.length >= 3) {
      for (const candidate of tokens) {
        if (candidate.startsWith(token)) {
          best = Math.max(best, weight / 2);
          break;
        }
      }
    }
  }
  return best;
}

function byScoreThenPosition(
  a: { score: number; position: number },
  b: { score: number; position: number },
): number {
  return b.score - a.score || a.position - b.position;
}

/**
 * Full-text search over the knowledge base.
 *
 * The query is split into words (case-insensitive, punctuation ignored,
 * simple plurals folded). Each word scores by the most important field it
 * appears in: title first, then symptoms and summary, then causes, fixes and
 * commands. Entries that match more of the query words rank higher. An empty
 * query returns every entry (of the category, if given) in knowledge base
 * order with score 0.
 *
 * @public
 */
export function searchTriageEntries(
  query: TriageSearchQuery,
  entries: readonly TriageEntry[] = TRIAGE_ENTRIES,
): TriageSearchResult[] {
  const index = getIndex(entries).filter(
    e => !query.category || e.entry.category === query.category,
  );
  const tokens = Array.from(new Set(tokenize(query.q ?? '')));
  if (tokens.length === 0) {
    return index.map(e => ({ entry: e.entry, score: 0 }));
  }
  const phrase = (query.q ?? '').trim().toLocaleLowerCase('en-US');

  const scored: Array<{ entry: TriageEntry; score: number; position: number }> =
    [];
  for (const indexed of index) {
    let total = 0;
    let matched = 0;
    for (const token of tokens) {
      const s = scoreToken(indexed, token);
      if (s > 0) {
        total += s;
        matched += 1;
      }
    }
    if (matched === 0) {
      continue;
    }
    let score = total * (matched / tokens.length);
    if (phrase.length > 2 && indexed.title.includes(phrase)) {
      score += WEIGHTS.title;
    }
    scored.push({
      entry: indexed.entry,
      score: Math.round(score * 1000) / 1000,
      position: indexed.position,
    });
  }
  return scored
    .sort(byScoreThenPosition)
    .map(({ entry, score }) => ({ entry, score }));
}

// A classified failure reason names the cause far more precisely than a
// detector symptom, so it weighs more.
const FAILURE_CLASS_WEIGHT = 3;
const SYMPTOM_WEIGHT = 2;
// Among entries that answer the same problems, prefer the focused one: the
// bonus is below one symptom's weight so it only ever breaks ties.
const FOCUS_WEIGHT = 0.5;

/**
 * Ranks the entries that explain the problems currently seen on an entity.
 *
 * An entry matches when it answers at least one of the given symptoms or
 * failure classes (including classes found in `text`). Entries answering
 * more of the problems rank higher; a failure-class match counts more than
 * a symptom match; among equals, entries focused on fewer problems and then
 * knowledge base order win. Each result carries human-readable evidence.
 *
 * @public
 */
export function matchTriageEntries(
  input: TriageMatchInput,
  entries: readonly TriageEntry[] = TRIAGE_ENTRIES,
): TriageMatchResult[] {
  const classes: FailureClass[] = [];
  const addClass = (c: FailureClass) => {
    if (!classes.includes(c)) {
      classes.push(c);
    }
  };
  input.failureClasses.forEach(addClass);
  for (const line of input.text ?? []) {
    classifyFailureReason(line).forEach(addClass);
  }
  const symptoms = Array.from(new Set(input.symptoms));

  const results: Array<TriageMatchResult & { position: number }> = [];
  entries.forEach((entry, position) => {
    const evidence: string[] = [];
    let classMatches = 0;
    let symptomMatches = 0;
    for (const c of classes) {
      if (entry.answersFailureClasses.includes(c)) {
        classMatches += 1;
        evidence.push(`failure reason classified as ${c}`);
      }
    }
    for (const s of symptoms) {
      if (entry.answersSymptoms.includes(s)) {
        symptomMatches += 1;
        evidence.push(`answers symptom ${s}`);
      }
    }
    const matches = classMatches + symptomMatches;
    if (matches === 0) {
      return;
    }
    const breadth =
      entry.answersFailureClasses.length + entry.answersSymptoms.length;
    const score =
      classMatches * FAILURE_CLASS_WEIGHT +
      symptomMatches * SYMPTOM_WEIGHT +
      FOCUS_WEIGHT * (matches / breadth);
    results.push({
      entry,
      score: Math.round(score * 1000) / 1000,
      evidence,
      position,
    });
  });
  return results
    .sort(byScoreThenPosition)
    .map(({ entry, score, evidence }) => ({ entry, score, evidence }));
}
