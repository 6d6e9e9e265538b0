import {
  MissingAnnotationEmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { ReactNode } from 'react';

/**
 * The missing annotation, progress and error states an entity card shows
 * instead of its data. `children` is a function so that it reads the data
 * only once there is data to read.
 *
 * A card that keeps its data on screen while it reloads after an action
 * passes `loading && !value` as `loading`.
 */
export function EntityMlopsDataContent(props: {
  annotated: boolean;
  annotation: string | string[];
  loading: boolean;
  error?: Error;
  children: () => ReactNode;
}) {
  const { annotated, annotation, loading, error, children } = props;
  if (!annotated) {
    return <MissingAnnotationEmptyState annotation={annotation} />;
  }
  if (loading) {
    return <Progress />;
  }
  if (error) {
    return <ResponseErrorPanel error={error} />;
  }
  return <>{children()}</>;
}
