import type { HealthStatus } from './health';
import type { MlopsObjectKind } from './annotations';
import type { TriageCategory } from './triage';

/**
 * The Backstage search document type of everything the MLOps collator
 * indexes: models, pipelines, experiments and triage guide entries.
 *
 * @public
 */
export const MLOPS_SEARCH_DOCUMENT_TYPE = 'mlops';

/**
 * One MLOps search document: the fields every Backstage search document
 * has (`title`, `text`, `location`) and what the result list item shows.
 *
 * @public
 */
export interface MlopsSearchDocument {
  title: string;
  text: string;
  /** The entity's MLOps tab, or the triage guide entry on the MLOps page. */
  location: string;
  /** What the document describes. */
  mlopsKind: MlopsObjectKind | 'triage-entry';
  /** The catalog entity, for models, pipelines and experiments. */
  entityRef?: string;
  /** Owner entity reference, when the entity names one. */
  owner?: string;
  /** Health when the document was indexed; absent for guide entries. */
  health?: HealthStatus;
  /** The top health reasons when the document was indexed. */
  problems?: string[];
  /** The Production version of the entity's model, when it has one. */
  productionVersion?: number;
  /** For guide entries: the entry's id and category. */
  triageEntryId?: string;
  category?: TriageCategory;
}
