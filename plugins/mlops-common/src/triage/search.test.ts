import type { DetectorSymptom } from '../health';
import type { FailureClass } from './failures';
import { TRIAGE_ENTRIES, getTriageEntriesByCategory } from './knowledgeBase';
import { matchTriageEntries, searchTriageEntries } from './search';
import type { TriageEntry } from './types';

function ids(results: Array<{ entry: TriageEntry }>): string[] {
  return results.map(r => r.entry.id);
}

function isSortedDescending(results: Array<{ score: number }>): boolean {
  return results.every((r, i) => i === 0 || results[i - 1].score >= r.score);
}

function entry(id: string, overrides: Partial<TriageEntry>): TriageEntry {
  return {
    id,
    title: 'Untitled',
    category: 'general',
    summary: 'Nothing to see.',
    symptoms: ['something'],
    triage: [{ description: 'look', command: 'true' }],
    likelyCauses: ['cause'],
    fix: ['fix'],
    verify: ['verify'],
    prevent: ['prevent'],
    related: [],
    answersSymptoms: [],
    answersFailureClasses: [],
    ...overrides,
  };
}

describe('searchTriageEntries', () => {
  it('returns every entry in knowledge base order for an empty query', () => {
    const results = searchTriageEntries({});
    expect(ids(results)).toEqual(TRIAGE_ENTRIES.map(e => e.id));
    expect(results.every(r => r.score === 0)).toBe(true);
    expect(ids(searchTriageEntries({ q: '   ' }))).toEqual(
      TRIAGE_ENTRIES.map(e => e.id),
    );
  });

  it('returns the whole category in stable order for an empty query', () => {
    expect(ids(searchTriageEntries({ category: 'kubernetes' }))).toEqual(
      getTriageEntriesByCategory('kubernetes').map(e => e.id),
    );
  });

  it.each([
    ['CrashLoopBackOff', 'pod-crash-loop-backoff'],
    ['crashloop', 'pod-crash-loop-backoff'],
    ['ImagePullBackOff', 'image-pull-backoff'],
    ['CUDA', 'cuda-not-available'],
    ['kafka lag', 'kafka-consumer-lag'],
    ['grafana', 'grafana-no-data'],
    ['503', 'serving-503-unavailable'],
    ['permission denied', 'rbac-permission-denied'],
    ['migration lock', 'mlflow-database-schema-or-lock'],
    ['false drift', 'false-drift-alerts'],
  ])('ranks %j first as %s', (q, expected) => {
    expect(searchTriageEntries({ q })[0].entry.id).toBe(expected);
  });

  it('finds training memory problems for "OOM"', () => {
    expect(ids(searchTriageEntries({ q: 'OOM' })).slice(0, 3)).toEqual(
      expect.arrayContaining([
        'training-out-of-memory',
        'batch-job-out-of-memory',
      ]),
    );
  });

  it('puts the MLflow entries first for "mlflow down"', () => {
    expect(
      ids(searchTriageEntries({ q: 'mlflow down' }))
        .slice(0, 2)
        .sort(),
    ).toEqual(['incident-mlflow-down', 'mlflow-server-unreachable']);
  });

  it('is case-insensitive and folds plurals', () => {
    expect(searchTriageEntries({ q: 'GRAFANA' })).toEqual(
      searchTriageEntries({ q: 'grafana' }),
    );
    expect(ids(searchTriageEntries({ q: 'alerts' }))).toContain(
      'alert-fatigue',
    );
    expect(ids(searchTriageEntries({ q: 'alert' }))).toContain('alert-fatigue');
  });

  it('searches commands too', () => {
    expect(ids(searchTriageEntries({ q: 'gitleaks' }))[0]).toBe(
      'secrets-committed-to-git',
    );
  });

  it('restricts results to the category', () => {
    const results = searchTriageEntries({ q: 'memory', category: 'training' });
    expect(results.length).toBeGreaterThan(0);
    expect(results.every(r => r.entry.category === 'training')).toBe(true);
  });

  it('returns nothing for words that appear nowhere', () => {
    expect(searchTriageEntries({ q: 'xyzzy plugh' })).toEqual([]);
  });

  it('sorts by score, best first', () => {
    const results = searchTriageEntries({ q: 'pipeline failed data' });
    expect(results.length).toBeGreaterThan(3);
    expect(isSortedDescending(results)).toBe(true);
  });

  it('weighs title matches above matches in other fields', () => {
    const entries = [
      entry('in-fix', { fix: ['restart the quux service'] }),
      entry('in-title', { title: 'Quux is down' }),
      entry('in-symptoms', { symptoms: ['quux answers slowly'] }),
    ];
    expect(ids(searchTriageEntries({ q: 'quux' }, entries))).toEqual([
      'in-title',
      'in-symptoms',
      'in-fix',
    ]);
  });

  it('prefers entries that match more of the query words', () => {
    const entries = [
      entry('one-word', { title: 'Frobnicator broken' }),
      entry('two-words', {
        summary: 'The frobnicator and the widget both fail.',
      }),
    ];
    expect(
      ids(searchTriageEntries({ q: 'frobnicator widget' }, entries)),
    ).toEqual(['two-words', 'one-word']);
  });
});

describe('matchTriageEntries', () => {
  it('returns nothing when there are no problems', () => {
    expect(matchTriageEntries({ symptoms: [], failureClasses: [] })).toEqual(
      [],
    );
  });

  it('only returns entries answering the symptom, with evidence', () => {
    const results = matchTriageEntries({
      symptoms: ['latency_high'],
      failureClasses: [],
    });
    expect(results.length).toBeGreaterThan(0);
    expect(results[0].entry.id).toBe('serving-high-latency');
    for (const r of results) {
      expect(r.entry.answersSymptoms).toContain('latency_high');
      expect(r.evidence).toEqual(['answers symptom latency_high']);
    }
    expect(isSortedDescending(results)).toBe(true);
  });

  it('ranks entries answering more of the current problems first', () => {
    const results = matchTriageEntries({
      symptoms: ['error_rate_high'],
      failureClasses: ['oom_killed'],
    });
    expect(results[0].entry.id).toBe('incident-serving-pods-oom-killed');
    expect(results[0].evidence).toEqual([
      'failure reason classified as oom_killed',
      'answers symptom error_rate_high',
    ]);
    expect(ids(results).slice(0, 2)).toContain('pod-crash-loop-backoff');
  });

  it('ranks failure-class matches above symptom-only matches', () => {
    const results = matchTriageEntries({
      symptoms: ['latency_high'],
      failureClasses: ['disk_full'],
    });
    const lastDisk = results
      .map(r => r.entry.answersFailureClasses.includes('disk_full'))
      .lastIndexOf(true);
    const firstSymptomOnly = results.findIndex(
      r => !r.entry.answersFailureClasses.includes('disk_full'),
    );
    expect(lastDisk).toBeGreaterThanOrEqual(0);
    expect(firstSymptomOnly).toBeGreaterThan(lastDisk);
  });

  it('classifies raw failure text and cites it', () => {
    const results = matchTriageEntries({
      symptoms: ['pipeline_failed'],
      failureClasses: [],
      text: [
        'psycopg2.OperationalError: FATAL:  sorry, too many clients already',
      ],
    });
    expect(results[0].entry.id).toBe('mlflow-database-connections-exhausted');
    expect(results[0].evidence).toEqual([
      'failure reason classified as database_connection',
      'answers symptom pipeline_failed',
    ]);
  });

  it('prefers the focused entry when two answer the same problems', () => {
    const entries = [
      entry('broad', {
        answersSymptoms: ['deployment_stuck', 'latency_high', 'no_traffic'],
        answersFailureClasses: ['image_pull_backoff', 'timeout'],
      }),
      entry('focused', {
        answersSymptoms: ['deployment_stuck'],
        answersFailureClasses: ['image_pull_backoff'],
      }),
    ];
    const results = matchTriageEntries(
      {
        symptoms: ['deployment_stuck'],
        failureClasses: ['image_pull_backoff'],
      },
      entries,
    );
    expect(ids(results)).toEqual(['focused', 'broad']);
  });

  it('finds an answer for every symptom and every failure class on its own', () => {
    for (const e of TRIAGE_ENTRIES) {
      for (const s of e.answersSymptoms) {
        expect(
          matchTriageEntries({
            symptoms: [s as DetectorSymptom],
            failureClasses: [],
          }).length,
        ).toBeGreaterThan(0);
      }
      for (const c of e.answersFailureClasses) {
        expect(
          matchTriageEntries({
            symptoms: [],
            failureClasses: [c as FailureClass],
          })[0].evidence,
        ).toContain(`failure reason classified as ${c}`);
      }
    }
  });

  it('does not count duplicated inputs twice', () => {
    const once = matchTriageEntries({
      symptoms: ['no_traffic'],
      failureClasses: [],
    });
    const twice = matchTriageEntries({
      symptoms: ['no_traffic', 'no_traffic'],
      failureClasses: [],
    });
    expect(twice).toEqual(once);
  });
});
