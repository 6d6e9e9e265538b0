export { EntityMlopsTeamCard } from './EntityMlopsTeamCard';
