export {
  EntityMlopsSummaryCard,
  MLOPS_ENTITY_CONTENT_PATH,
} from './EntityMlopsSummaryCard';
