import { Link, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  TRIAGE_CATEGORIES,
  TRIAGE_CATEGORY_TITLES,
  TriageCategory,
  TriageSearchResult,
} from '@backstage-mlops/plugin-mlops-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import InputAdornment from '@material-ui/core/InputAdornment';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Paper from '@material-ui/core/Paper';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import SearchIcon from '@material-ui/icons/Search';
import { useState } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import useDebounce from 'react-use/esm/useDebounce';
import { mlopsApiRef } from '../../api';
import { TriageEntryDetails } from '../EntityMlopsTriageCard';

const useStyles = makeStyles(theme => ({
  search: {
    marginBottom: theme.spacing(2),
  },
  chips: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    marginBottom: theme.spacing(2),
  },
  group: {
    marginBottom: theme.spacing(2),
  },
  entry: {
    padding: theme.spacing(2, 3),
  },
  heading: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    flexWrap: 'wrap',
    marginBottom: theme.spacing(1),
  },
}));

/** How long typing pauses before the guide searches. */
const SEARCH_DEBOUNCE_MS = 250;

function entryHref(id: string): string {
  return `?tab=guide&entry=${encodeURIComponent(id)}`;
}

function ResultList(props: { results: TriageSearchResult[]; label: string }) {
  return (
    <List dense aria-label={props.label}>
      {props.results.map(({ entry }) => (
        <ListItem
          key={entry.id}
          button
          component={RouterLink}
          to={entryHref(entry.id)}
        >
          <ListItemText
            primary={entry.title}
            secondary={
              <>
                {TRIAGE_CATEGORY_TITLES[entry.category]} · {entry.summary}
              </>
            }
          />
        </ListItem>
      ))}
    </List>
  );
}

function GuideSearch() {
  const classes = useStyles();
  const mlopsApi = useApi(mlopsApiRef);
  const [text, setText] = useState('');
  const [query, setQuery] = useState('');
  const [category, setCategory] = useState<TriageCategory | undefined>();
  useDebounce(() => setQuery(text.trim()), SEARCH_DEBOUNCE_MS, [text]);

  const answer = useAsync(async () => {
    const list = await mlopsApi.searchTriageEntries({
      q: query || undefined,
      category,
    });
    return { list, query, category };
  }, [mlopsApi, query, category]);
  const { error } = answer;
  // useAsync renders once with the previous answer before it notices new
  // inputs; an answer to another query must not show as this query's results.
  const current =
    answer.value?.query === query && answer.value?.category === category;
  const value = current ? answer.value?.list : undefined;
  const loading = answer.loading || !current;

  let results: JSX.Element;
  if (error) {
    results = <ResponseErrorPanel error={error} />;
  } else if (loading || !value) {
    results = <Progress />;
  } else if (value.items.length === 0) {
    results = (
      <Typography variant="body2">
        No entry matches “{query}”
        {category ? ` in ${TRIAGE_CATEGORY_TITLES[category]}` : ''}. Try another
        word, such as an error message or a Kubernetes reason.
      </Typography>
    );
  } else if (!query && !category) {
    // Browsing: the whole guide, one section per category.
    results = (
      <>
        {TRIAGE_CATEGORIES.map(c => {
          const inCategory = value.items.filter(i => i.entry.category === c);
          return inCategory.length === 0 ? null : (
            <Box key={c} className={classes.group}>
              <Typography variant="h6" component="h3">
                {TRIAGE_CATEGORY_TITLES[c]}
              </Typography>
              <ResultList
                results={inCategory}
                label={TRIAGE_CATEGORY_TITLES[c]}
              />
            </Box>
          );
        })}
      </>
    );
  } else {
    results = (
      <>
        <Typography variant="body2" color="textSecondary">
          {value.total === 1 ? '1 entry' : `${value.total} entries`}
          {query ? ', best match first' : ''}
        </Typography>
        <ResultList results={value.items} label="Search results" />
      </>
    );
  }

  return (
    <Box>
      <TextField
        id="mlops-guide-search"
        className={classes.search}
        fullWidth
        variant="outlined"
        label="Search the triage guide"
        placeholder="e.g. CrashLoopBackOff, CUDA out of memory, drift alert"
        value={text}
        onChange={e => setText(e.target.value)}
        inputProps={{ maxLength: 200 }}
        InputProps={{
          startAdornment: (
            <InputAdornment position="start">
              <SearchIcon />
            </InputAdornment>
          ),
        }}
      />
      <Box className={classes.chips} role="group" aria-label="Category">
        <Chip
          label="All categories"
          clickable
          color={category ? 'default' : 'primary'}
          aria-pressed={!category}
          onClick={() => setCategory(undefined)}
        />
        {TRIAGE_CATEGORIES.map(c => (
          <Chip
            key={c}
            label={TRIAGE_CATEGORY_TITLES[c]}
            clickable
            color={category === c ? 'primary' : 'default'}
            aria-pressed={category === c}
            onClick={() => setCategory(category === c ? undefined : c)}
          />
        ))}
      </Box>
      {results}
    </Box>
  );
}

function GuideEntry(props: { id: string }) {
  const classes = useStyles();
  const mlopsApi = useApi(mlopsApiRef);
  const { value, loading, error } = useAsync(
    () => mlopsApi.getTriageEntry(props.id),
    [mlopsApi, props.id],
  );

  return (
    <Box>
      <Box mb={2}>
        <Link to="?tab=guide">← Back to the triage guide</Link>
      </Box>
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && (
        <Paper className={classes.entry} component="article">
          <Box className={classes.heading}>
            <Typography variant="h5" component="h2">
              {value.title}
            </Typography>
            <Chip size="small" label={TRIAGE_CATEGORY_TITLES[value.category]} />
          </Box>
          <Typography variant="body1">{value.summary}</Typography>
          <Typography variant="caption" color="textSecondary">
            Values in angle brackets, such as &lt;namespace&gt;, are filled in
            from the entity on its triage card.
          </Typography>
          <TriageEntryDetails entry={value} entryLink={id => entryHref(id)} />
        </Paper>
      )}
    </Box>
  );
}

/**
 * The triage guide: the whole knowledge base, searchable, browsable by
 * category, and each entry readable in full (`?entry=<id>`).
 */
export function TriageGuide(props: { entryId?: string }) {
  return props.entryId ? <GuideEntry id={props.entryId} /> : <GuideSearch />;
}
