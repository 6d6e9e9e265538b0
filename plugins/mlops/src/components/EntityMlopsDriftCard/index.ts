export { EntityMlopsDriftCard } from './EntityMlopsDriftCard';
