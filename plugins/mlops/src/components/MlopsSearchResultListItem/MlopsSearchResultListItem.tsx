import { Link } from '@backstage/core-components';
import {
  MlopsSearchDocument,
  TRIAGE_CATEGORY_TITLES,
} from '@backstage-mlops/plugin-mlops-common';
import type { SearchDocument } from '@backstage/plugin-search-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import ListItem, { ListItemProps } from '@material-ui/core/ListItem';
import ListItemIcon from '@material-ui/core/ListItemIcon';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { ReactNode } from 'react';
import { HealthStatusLabel } from '../HealthStatus';

const useStyles = makeStyles(theme => ({
  item: {
    alignItems: 'flex-start',
  },
  facts: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
    marginTop: theme.spacing(0.5),
  },
  text: {
    display: '-webkit-box',
    WebkitLineClamp: 2,
    WebkitBoxOrient: 'vertical',
    overflow: 'hidden',
  },
}));

const KIND_LABELS: Record<MlopsSearchDocument['mlopsKind'], string> = {
  model: 'ML model',
  pipeline: 'ML pipeline',
  experiment: 'ML experiment',
  'triage-entry': 'Triage guide',
};

/**
 * Props of {@link MlopsSearchResultListItem}: what the search page hands a
 * result list item.
 *
 * @public
 */
export type MlopsSearchResultListItemProps = {
  result?: SearchDocument;
  rank?: number;
  icon?: ReactNode;
  /** Highlighted title and text from the search engine, when it has them. */
  highlight?: { fields: Record<string, string> };
} & Omit<ListItemProps, 'button'>;

/**
 * A search result of the `mlops` type: a model, pipeline or experiment with
 * its health, top reason and Production version (linking to the entity's
 * MLOps tab), or a triage guide entry with its category (linking to the
 * entry on the MLOps page).
 *
 * @public
 */
export function MlopsSearchResultListItem(
  props: MlopsSearchResultListItemProps,
) {
  const classes = useStyles();
  const {
    result,
    rank: _rank,
    icon,
    highlight: _highlight,
    ...listItemProps
  } = props;
  if (!result) {
    return null;
  }
  const doc = result as unknown as MlopsSearchDocument;
  const isEntry = doc.mlopsKind === 'triage-entry';
  const problem = doc.problems?.[0];
  return (
    <ListItem divider className={classes.item} {...listItemProps}>
      {icon && <ListItemIcon>{icon as any}</ListItemIcon>}
      <ListItemText
        primary={<Link to={doc.location}>{doc.title}</Link>}
        secondary={
          <>
            <Typography
              component="span"
              variant="body2"
              color="textSecondary"
              className={classes.text}
            >
              {isEntry
                ? doc.text.split('\n')[0]
                : problem ?? doc.text.split('\n')[0]}
            </Typography>
            <Box component="span" className={classes.facts}>
              <Chip
                size="small"
                label={KIND_LABELS[doc.mlopsKind] ?? 'MLOps'}
              />
              {isEntry && doc.category && (
                <Chip
                  size="small"
                  variant="outlined"
                  label={TRIAGE_CATEGORY_TITLES[doc.category] ?? doc.category}
                />
              )}
              {!isEntry && doc.health && (
                <HealthStatusLabel status={doc.health} />
              )}
              {doc.productionVersion !== undefined &&
                doc.productionVersion !== null && (
                  <Typography component="span" variant="caption">
                    Production v{doc.productionVersion}
                  </Typography>
                )}
            </Box>
          </>
        }
        secondaryTypographyProps={{ component: 'div' }}
      />
    </ListItem>
  );
}
