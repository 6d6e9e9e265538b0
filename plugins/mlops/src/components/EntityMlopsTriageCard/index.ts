export { EntityMlopsTriageCard } from './EntityMlopsTriageCard';
export { TriageEntryDetails } from './TriageEntryDetails';
