export { EntityMlopsContent } from './EntityMlopsContent';
