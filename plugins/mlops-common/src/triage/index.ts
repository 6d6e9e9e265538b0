// The triage knowledge base: what to check, what usually causes it and how to
// fix it, for the problems the MLOps detectors and failure classifier report.

export {
  TRIAGE_CATEGORIES,
  TRIAGE_CATEGORY_TITLES,
  type TriageCategory,
  type TriageShell,
  type TriageCommand,
  type TriageEntry,
} from './types';
export {
  TRIAGE_PLACEHOLDERS,
  fillTriageCommand,
  isTriagePlaceholder,
  listCommandPlaceholders,
  shellQuote,
  type TriagePlaceholder,
  type FilledTriageCommand,
} from './placeholders';
export {
  FAILURE_CLASS_IDS,
  FAILURE_CLASSES,
  classifyFailureReason,
  getFailureClass,
  isFailureClass,
  type FailureClass,
  type FailureClassDefinition,
} from './failures';
export {
  TRIAGE_ENTRIES,
  getTriageEntry,
  getTriageEntriesByCategory,
} from './knowledgeBase';
export {
  searchTriageEntries,
  matchTriageEntries,
  type TriageSearchQuery,
  type TriageSearchResult,
  type TriageMatchInput,
  type TriageMatchResult,
} from './search';
export type {
  TriageProblem,
  FilledTriageStep,
  EntityTriageMatch,
  EntityTriage,
  TriageEntryList,
} from './api';
