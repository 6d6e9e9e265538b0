export { MlopsSearchResultListItem } from './MlopsSearchResultListItem';
export type { MlopsSearchResultListItemProps } from './MlopsSearchResultListItem';
