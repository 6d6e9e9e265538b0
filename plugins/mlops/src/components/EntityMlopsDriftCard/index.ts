export { EntityMlopsDriftCard } from './EntityMlopsDriftCard';
export { isMlopsModel } from './isMlopsModel';
