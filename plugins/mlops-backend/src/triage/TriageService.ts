import { LoggerService } from '@backstage/backend-plugin-api';
import {
  DETECTOR_SYMPTOMS,
  DetectorSymptom,
  EntityHealthSummary,
  EntityTriage,
  EntityTriageMatch,
  FailureClass,
  TriageEntry,
  TriageProblem,
  classifyFailureReason,
  fillTriageCommand,
  getFailureClass,
  isFailureClass,
  matchTriageEntries,
} from '@backstage-mlops/plugin-mlops-common';
import { ResolvedEntity } from '../shared/EntityResolver';
import {
  TriageContext,
  buildTriageContext,
  TriageObjectFactsSource,
} from './context';

/**
 * Open incidents and the latest failure reasons of an entity, provided by
 * the incidents capability. `symptoms` are detector symptoms of the open
 * incidents; `failureReasons` are raw failure messages (or failure class
 * ids) of the latest failed runs and deployments.
 */
export interface TriageSignalSource {
  signals(
    entityRef: string,
  ): Promise<{ symptoms: string[]; failureReasons: string[] }>;
}

/** The part of the health service triage reads. */
export interface HealthSummarizer {
  summarize(resolved: ResolvedEntity): Promise<EntityHealthSummary>;
}

/** Default and largest number of matched entries one answer carries. */
export const TRIAGE_DEFAULT_LIMIT = 10;
export const TRIAGE_MAX_LIMIT = 50;

// Failure messages can be whole stack traces; the card needs the gist.
const MAX_MESSAGE_LENGTH = 300;

const KNOWN_SYMPTOMS: ReadonlySet<string> = new Set(DETECTOR_SYMPTOMS);

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_MESSAGE_LENGTH
    ? `${oneLine.slice(0, MAX_MESSAGE_LENGTH - 1)}…`
    : oneLine;
}

function symptomLabel(symptom: string): string {
  return symptom.replace(/_/g, ' ');
}

function evidenceFor(problem: TriageProblem, entry: TriageEntry): string[] {
  const evidence: string[] = [];
  if (problem.symptom && entry.answersSymptoms.includes(problem.symptom)) {
    if (problem.source === 'health') {
      evidence.push(
        `Health check reports ${symptomLabel(problem.symptom)}: ${
          problem.message
        }`,
      );
    } else {
      evidence.push(`Open incident for ${symptomLabel(problem.symptom)}`);
    }
  }
  for (const failureClass of problem.failureClasses) {
    if (entry.answersFailureClasses.includes(failureClass)) {
      evidence.push(
        `Latest failure "${problem.message}" is classified as ${getFailureClass(
          failureClass,
        ).title.toLocaleLowerCase('en-US')} (${failureClass})`,
      );
    }
  }
  return evidence;
}

/**
 * Picks the knowledge base entries that explain what is wrong with an entity
 * now, and fills their commands from the entity's context.
 */
export class TriageService {
  constructor(
    private readonly options: {
      objects: TriageObjectFactsSource;
      health: HealthSummarizer;
      signals?: TriageSignalSource;
      logger: LoggerService;
    },
  ) {}

  async triage(
    resolved: ResolvedEntity,
    query: { environment?: string; limit?: number } = {},
  ): Promise<EntityTriage> {
    const { objects, health, signals, logger } = this.options;
    const [summary, observed, facts] = await Promise.all([
      health.summarize(resolved),
      signals
        ? signals.signals(resolved.entityRef).catch(error => {
            // Health alone still gives useful guidance; do not fail the card.
            logger.warn(
              `Triage could not read incident signals of ${resolved.entityRef}: ${error}`,
            );
            return { symptoms: [], failureReasons: [] };
          })
        : Promise.resolve({ symptoms: [], failureReasons: [] }),
      objects.lineageOf(resolved.links),
    ]);

    const problems = collectProblems(summary, observed);
    const context = buildTriageContext(resolved.entity, resolved.links, facts, {
      environment: query.environment,
    });
    const matches = this.match(problems, context).slice(
      0,
      query.limit ?? TRIAGE_DEFAULT_LIMIT,
    );
    return {
      entityRef: resolved.entityRef,
      status: summary.status,
      problems,
      matches,
      context,
    };
  }

  private match(
    problems: TriageProblem[],
    context: TriageContext,
  ): EntityTriageMatch[] {
    const symptoms: DetectorSymptom[] = [];
    const failureClasses: FailureClass[] = [];
    for (const problem of problems) {
      if (problem.symptom && !symptoms.includes(problem.symptom)) {
        symptoms.push(problem.symptom);
      }
      for (const c of problem.failureClasses) {
        if (!failureClasses.includes(c)) {
          failureClasses.push(c);
        }
      }
    }
    if (symptoms.length === 0 && failureClasses.length === 0) {
      return [];
    }
    return matchTriageEntries({ symptoms, failureClasses }).map(
      ({ entry, score }) => ({
        entry,
        score,
        evidence: problems.flatMap(p => evidenceFor(p, entry)),
        steps: entry.triage.map(step => {
          const filled = fillTriageCommand(step.command, context);
          return {
            description: step.description,
            command: filled.text,
            shell: step.shell,
            missing: filled.missing,
          };
        }),
      }),
    );
  }
}

/**
 * Turns health reasons, open incidents and failure reasons into one list of
 * problems, dropping an incident symptom the health check already reports so
 * the same trouble is not listed twice.
 */
export function collectProblems(
  summary: EntityHealthSummary,
  observed: { symptoms: string[]; failureReasons: string[] },
): TriageProblem[] {
  const problems: TriageProblem[] = summary.reasons.map(reason => ({
    source: 'health',
    symptom: reason.symptom,
    failureClasses: [],
    message: shorten(reason.message),
    severity: reason.severity,
  }));
  const seen = new Set<string>(summary.reasons.map(r => r.symptom));
  for (const symptom of observed.symptoms) {
    if (!KNOWN_SYMPTOMS.has(symptom) || seen.has(symptom)) {
      continue;
    }
    seen.add(symptom);
    problems.push({
      source: 'incident',
      symptom: symptom as DetectorSymptom,
      failureClasses: [],
      message: `Open incident: ${symptomLabel(symptom)}`,
    });
  }
  const seenReasons = new Set<string>();
  for (const reason of observed.failureReasons) {
    const text = reason.trim();
    if (!text || seenReasons.has(text)) {
      continue;
    }
    seenReasons.add(text);
    // Sources that already classified a failure send the class id itself.
    const classes = isFailureClass(text) ? [text] : classifyFailureReason(text);
    problems.push({
      source: 'failure',
      failureClasses: classes,
      message: shorten(
        isFailureClass(text) ? getFailureClass(text).title : text,
      ),
    });
  }
  return problems;
}
