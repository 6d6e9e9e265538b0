export { EntityMlopsHealthCard } from './EntityMlopsHealthCard';
