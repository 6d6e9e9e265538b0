import { InfoCard, Link } from '@backstage/core-components';
import {
  EntityTriage,
  EntityTriageMatch,
  MLOPS_OBJECT_ANNOTATIONS,
  TRIAGE_CATEGORY_TITLES,
  TriageProblem,
  hasMlopsAnnotation,
} from '@backstage-mlops/plugin-mlops-common';
import Accordion from '@material-ui/core/Accordion';
import AccordionDetails from '@material-ui/core/AccordionDetails';
import AccordionSummary from '@material-ui/core/AccordionSummary';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import { useState } from 'react';
import { useEntityMlopsData } from '../../hooks/useEntityMlopsData';
import { EntityMlopsDataContent } from '../EntityMlopsDataContent';
import { useMlopsGuideLink } from '../MlopsPage/useMlopsGuideLink';
import { TriageEntryDetails } from './TriageEntryDetails';

/**
 * Full: every matching entry with its summary, the best one open with all
 * its sections. Compact (the MLOps tab, where the card shares the first
 * screen with health and incidents): the best entry shows its triage steps
 * and fix, the rest of it folds behind buttons with counts, and the other
 * matches are one line each, the first few listed and the rest one click
 * away.
 */
export type TriageCardVariant = 'full' | 'compact';

/** How many matches besides the best one a compact card lists before "show N more". */
const COMPACT_OTHER_MATCHES = 3;

const useStyles = makeStyles(theme => ({
  problems: {
    margin: theme.spacing(0.5, 0, 2, 0),
    paddingLeft: theme.spacing(3),
  },
  summary: {
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
  },
  heading: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    flexWrap: 'wrap',
  },
  evidence: {
    margin: theme.spacing(1, 0, 0, 0),
    paddingLeft: theme.spacing(3),
  },
  details: {
    display: 'block',
  },
  // One line per match in the compact card: no summary under the title
  // (it opens with the entry) and less padding than the full accordion.
  compactSummary: {
    minHeight: 40,
    '&$compactExpanded': { minHeight: 40 },
  },
  compactSummaryContent: {
    margin: theme.spacing(0.5, 0),
    '&$compactExpanded': { margin: theme.spacing(0.5, 0) },
  },
  compactExpanded: {},
  more: {
    marginTop: theme.spacing(1),
    textTransform: 'none',
  },
}));

const SOURCE_LABELS: Record<TriageProblem['source'], string> = {
  health: 'Health check',
  incident: 'Open incident',
  failure: 'Latest failure',
};

function ProblemList(props: { problems: TriageProblem[] }) {
  const classes = useStyles();
  return (
    <>
      <Typography variant="subtitle2" component="h3">
        Current problems
      </Typography>
      <ul className={classes.problems} aria-label="Current problems">
        {props.problems.map((problem, index) => (
          <li key={`${problem.source}:${index}`}>
            <Typography variant="body2">
              <strong>{SOURCE_LABELS[problem.source]}:</strong>{' '}
              {problem.message}
            </Typography>
          </li>
        ))}
      </ul>
    </>
  );
}

function MatchAccordion(props: {
  match: EntityTriageMatch;
  expanded: boolean;
  guideLink: (entryId?: string) => string | undefined;
  variant: TriageCardVariant;
}) {
  const { match, guideLink } = props;
  const compact = props.variant === 'compact';
  const classes = useStyles();
  const link = guideLink(match.entry.id);
  const summary = (
    <Typography variant="body2" color="textSecondary">
      {match.entry.summary}
    </Typography>
  );
  const evidence = (
    <>
      <Typography variant="subtitle2" component="h4">
        Why this matches
      </Typography>
      <ul className={classes.evidence} aria-label="Why this matches">
        {match.evidence.map(line => (
          <li key={line}>
            <Typography variant="body2">{line}</Typography>
          </li>
        ))}
      </ul>
    </>
  );
  // The best match's summary says what the steps are for, so it stays in
  // its header; the other compact matches are one line until opened.
  const summaryInHeader = !compact || props.expanded;
  return (
    <Accordion
      defaultExpanded={props.expanded}
      TransitionProps={{ unmountOnExit: true }}
    >
      <AccordionSummary
        expandIcon={<ExpandMoreIcon />}
        aria-controls={`triage-${match.entry.id}-content`}
        id={`triage-${match.entry.id}-header`}
        classes={
          compact
            ? {
                root: classes.compactSummary,
                content: classes.compactSummaryContent,
                expanded: classes.compactExpanded,
              }
            : undefined
        }
      >
        <Box className={classes.summary}>
          <Box className={classes.heading}>
            <Typography
              variant={compact ? 'subtitle2' : 'subtitle1'}
              component="h3"
            >
              {match.entry.title}
            </Typography>
            <Chip
              size="small"
              label={TRIAGE_CATEGORY_TITLES[match.entry.category]}
            />
          </Box>
          {summaryInHeader && summary}
        </Box>
      </AccordionSummary>
      <AccordionDetails className={classes.details}>
        {!summaryInHeader && summary}
        {!compact && evidence}
        <TriageEntryDetails
          entry={match.entry}
          steps={match.steps}
          entryLink={guideLink}
          compact={compact}
          folded={
            compact
              ? [
                  {
                    title: 'Why this matches',
                    count: match.evidence.length,
                    content: evidence,
                  },
                ]
              : undefined
          }
        />
        {link && (
          <Box mt={2}>
            <Link to={link}>Read this entry in the triage guide</Link>
          </Box>
        )}
      </AccordionDetails>
    </Accordion>
  );
}

function MatchList(props: {
  matches: EntityTriageMatch[];
  guideLink: (entryId?: string) => string | undefined;
  variant: TriageCardVariant;
}) {
  const { matches, guideLink, variant } = props;
  const classes = useStyles();
  const [all, setAll] = useState(false);
  const shown =
    variant === 'compact' && !all
      ? matches.slice(0, 1 + COMPACT_OTHER_MATCHES)
      : matches;
  const more = matches.length - shown.length;
  return (
    <>
      {shown.map((match, index) => (
        <MatchAccordion
          key={match.entry.id}
          match={match}
          expanded={index === 0}
          guideLink={guideLink}
          variant={variant}
        />
      ))}
      {more > 0 && (
        <Button
          size="small"
          color="primary"
          className={classes.more}
          onClick={() => setAll(true)}
        >
          Show {more} more matching {more === 1 ? 'guide' : 'guides'}
        </Button>
      )}
    </>
  );
}

function TriageContent(props: {
  triage: EntityTriage;
  guideLink: (entryId?: string) => string | undefined;
  variant: TriageCardVariant;
}) {
  const { triage, guideLink, variant } = props;
  const guide = guideLink();
  const guideSentence = guide ? (
    <>
      {' '}
      Browse the <Link to={guide}>triage guide</Link> for everything else.
    </>
  ) : null;

  if (triage.problems.length === 0) {
    return (
      <Typography variant="body1">
        {triage.status === 'unknown'
          ? 'Nothing is reported wrong with this entity, but there is no monitoring data yet to judge its health by.'
          : 'Nothing is wrong: no health check, open incident or recent failure reports a problem for this entity.'}
        {guideSentence}
      </Typography>
    );
  }
  return (
    <>
      <ProblemList problems={triage.problems} />
      {triage.matches.length === 0 ? (
        <Typography variant="body2">
          No entry of the knowledge base matches these problems yet.
          {guideSentence}
        </Typography>
      ) : (
        <MatchList
          matches={triage.matches}
          guideLink={guideLink}
          variant={variant}
        />
      )}
    </>
  );
}

/**
 * Step-by-step guidance for what is wrong with an entity right now: the
 * knowledge base entries matching its health reasons, open incidents and
 * latest failures, with commands filled from its annotations.
 *
 * @public
 */
export function EntityMlopsTriageCard() {
  return <TriageCard variant="full" />;
}

/** The triage card in either variant; the MLOps tab uses the compact one. */
export function TriageCard(props: { variant: TriageCardVariant }) {
  const guideLink = useMlopsGuideLink();
  const { annotated, value, loading, error } = useEntityMlopsData(
    hasMlopsAnnotation,
    (api, entityRef) => api.getEntityTriage(entityRef),
  );

  return (
    <InfoCard title="Triage guidance">
      <EntityMlopsDataContent
        annotated={annotated}
        annotation={Object.values(MLOPS_OBJECT_ANNOTATIONS)}
        loading={loading}
        error={error}
      >
        {() => (
          <TriageContent
            triage={value!}
            guideLink={guideLink}
            variant={props.variant}
          />
        )}
      </EntityMlopsDataContent>
    </InfoCard>
  );
}
