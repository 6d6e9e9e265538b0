import { DETECTOR_SYMPTOMS } from '../health';
import { FAILURE_CLASS_IDS, isFailureClass } from './failures';
import {
  TRIAGE_ENTRIES,
  getTriageEntriesByCategory,
  getTriageEntry,
} from './knowledgeBase';
import { isTriagePlaceholder, listCommandPlaceholders } from './placeholders';
import {
  TRIAGE_CATEGORIES,
  TRIAGE_CATEGORY_TITLES,
  type TriageEntry,
} from './types';

const REQUIRED_LISTS = [
  'symptoms',
  'triage',
  'likelyCauses',
  'fix',
  'verify',
  'prevent',
] as const;

/**
 * Returns the quoting context at each `{{placeholder}}` of a shell command.
 * A filled value is shell-quoted, which is only correct outside quotes.
 */
function quotedPlaceholders(command: string): string[] {
  const found: string[] = [];
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < command.length; i++) {
    const ch = command[i];
    if (quote !== "'" && ch === '\\') {
      i++;
      continue;
    }
    if (quote) {
      if (ch === quote) {
        quote = undefined;
      }
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    }
    if (quote) {
      const m = /^\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/.exec(command.slice(i));
      if (m) {
        found.push(m[1]);
      }
    }
  }
  return found;
}

describe('TRIAGE_ENTRIES', () => {
  it('has a sensible size', () => {
    expect(TRIAGE_ENTRIES.length).toBeGreaterThanOrEqual(45);
    expect(TRIAGE_ENTRIES.length).toBeLessThanOrEqual(70);
  });

  it('uses unique kebab-case ids', () => {
    const ids = TRIAGE_ENTRIES.map(e => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    }
  });

  it('fills every required field', () => {
    const problems: string[] = [];
    for (const e of TRIAGE_ENTRIES) {
      for (const field of ['title', 'summary'] as const) {
        if (!e[field] || !e[field].trim()) {
          problems.push(`${e.id}: empty ${field}`);
        }
      }
      if (!TRIAGE_CATEGORIES.includes(e.category)) {
        problems.push(`${e.id}: unknown category ${e.category}`);
      }
      for (const field of REQUIRED_LISTS) {
        if (!Array.isArray(e[field]) || e[field].length === 0) {
          problems.push(`${e.id}: empty ${field}`);
        }
      }
      for (const field of [
        'symptoms',
        'likelyCauses',
        'fix',
        'verify',
        'prevent',
      ] as const) {
        for (const item of e[field]) {
          if (typeof item !== 'string' || !item.trim()) {
            problems.push(`${e.id}: blank item in ${field}`);
          }
        }
      }
      for (const field of [
        'related',
        'answersSymptoms',
        'answersFailureClasses',
      ] as const) {
        if (!Array.isArray(e[field])) {
          problems.push(`${e.id}: ${field} is not a list`);
        }
      }
      for (const step of e.triage) {
        if (!step.description.trim() || !step.command.trim()) {
          problems.push(`${e.id}: triage step without description or command`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('keeps summaries to one or two sentences', () => {
    const long = TRIAGE_ENTRIES.filter(e => {
      const sentences = e.summary
        .replace(/\b(?:e\.g|i\.e|etc)\./g, 'x')
        .split(/[.!?](?:\s|$)/)
        .filter(s => s.trim());
      return sentences.length > 2;
    });
    expect(long.map(e => e.id)).toEqual([]);
  });

  it('has at least six incident scenarios, each with an investigation', () => {
    const incidents = getTriageEntriesByCategory('incident-scenario');
    expect(incidents.length).toBeGreaterThanOrEqual(6);
    for (const e of incidents) {
      expect(e.investigation?.length ?? 0).toBeGreaterThan(0);
      for (const step of e.investigation ?? []) {
        expect(step.trim()).not.toBe('');
      }
    }
  });

  it('keeps investigations to incident scenarios', () => {
    const others = TRIAGE_ENTRIES.filter(
      e => e.category !== 'incident-scenario' && e.investigation !== undefined,
    );
    expect(others.map(e => e.id)).toEqual([]);
  });

  it('has entries in every category and a title for each category', () => {
    for (const category of TRIAGE_CATEGORIES) {
      expect(TRIAGE_CATEGORY_TITLES[category]).toBeTruthy();
      expect(getTriageEntriesByCategory(category).length).toBeGreaterThan(0);
    }
  });

  it('only relates to entries that exist, never to itself', () => {
    const problems: string[] = [];
    for (const e of TRIAGE_ENTRIES) {
      for (const id of e.related) {
        if (!getTriageEntry(id)) {
          problems.push(`${e.id} -> ${id} (missing)`);
        }
        if (id === e.id) {
          problems.push(`${e.id} relates to itself`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('answers every detector symptom', () => {
    const unanswered = DETECTOR_SYMPTOMS.filter(
      s => !TRIAGE_ENTRIES.some(e => e.answersSymptoms.includes(s)),
    );
    expect(unanswered).toEqual([]);
  });

  it('answers every failure class', () => {
    const unanswered = FAILURE_CLASS_IDS.filter(
      c => !TRIAGE_ENTRIES.some(e => e.answersFailureClasses.includes(c)),
    );
    expect(unanswered).toEqual([]);
  });

  it('only answers known symptoms and failure classes', () => {
    for (const e of TRIAGE_ENTRIES) {
      for (const s of e.answersSymptoms) {
        expect(DETECTOR_SYMPTOMS).toContain(s);
      }
      for (const c of e.answersFailureClasses) {
        expect(isFailureClass(c)).toBe(true);
      }
    }
  });

  it('uses only known placeholders in commands', () => {
    const unknown: string[] = [];
    for (const e of TRIAGE_ENTRIES) {
      for (const step of e.triage) {
        for (const name of listCommandPlaceholders(step.command)) {
          if (!isTriagePlaceholder(name)) {
            unknown.push(`${e.id}: {{${name}}}`);
          }
        }
      }
    }
    expect(unknown).toEqual([]);
  });

  it('never puts a placeholder inside quotes in a shell command', () => {
    const quoted: string[] = [];
    for (const e of TRIAGE_ENTRIES) {
      for (const step of e.triage) {
        if (step.shell && step.shell !== 'bash') {
          continue;
        }
        for (const name of quotedPlaceholders(step.command)) {
          quoted.push(`${e.id}: {{${name}}} in ${step.command}`);
        }
      }
    }
    expect(quoted).toEqual([]);
  });

  it('looks entries up by id', () => {
    const first: TriageEntry = TRIAGE_ENTRIES[0];
    expect(getTriageEntry(first.id)).toBe(first);
    expect(getTriageEntry('no-such-entry')).toBeUndefined();
  });
});
