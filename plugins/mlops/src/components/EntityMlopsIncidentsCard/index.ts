export { EntityMlopsIncidentsCard } from './EntityMlopsIncidentsCard';
