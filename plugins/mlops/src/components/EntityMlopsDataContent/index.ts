export { EntityMlopsDataContent } from './EntityMlopsDataContent';
