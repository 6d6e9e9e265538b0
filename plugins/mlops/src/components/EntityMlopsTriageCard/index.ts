export { EntityMlopsTriageCard, TriageCard } from './EntityMlopsTriageCard';
export type { TriageCardVariant } from './EntityMlopsTriageCard';
export { TriageEntryDetails } from './TriageEntryDetails';
