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
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import { useEntityMlopsData } from '../../hooks/useEntityMlopsData';
import { EntityMlopsDataContent } from '../EntityMlopsDataContent';
import { useMlopsGuideLink } from '../MlopsPage/useMlopsGuideLink';
import { TriageEntryDetails } from './TriageEntryDetails';

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
}) {
  const { match, guideLink } = props;
  const classes = useStyles();
  const link = guideLink(match.entry.id);
  return (
    <Accordion
      defaultExpanded={props.expanded}
      TransitionProps={{ unmountOnExit: true }}
    >
      <AccordionSummary
        expandIcon={<ExpandMoreIcon />}
        aria-controls={`triage-${match.entry.id}-content`}
        id={`triage-${match.entry.id}-header`}
      >
        <Box className={classes.summary}>
          <Box className={classes.heading}>
            <Typography variant="subtitle1" component="h3">
              {match.entry.title}
            </Typography>
            <Chip
              size="small"
              label={TRIAGE_CATEGORY_TITLES[match.entry.category]}
            />
          </Box>
          <Typography variant="body2" color="textSecondary">
            {match.entry.summary}
          </Typography>
        </Box>
      </AccordionSummary>
      <AccordionDetails className={classes.details}>
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
        <TriageEntryDetails
          entry={match.entry}
          steps={match.steps}
          entryLink={guideLink}
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

function TriageContent(props: {
  triage: EntityTriage;
  guideLink: (entryId?: string) => string | undefined;
}) {
  const { triage, guideLink } = props;
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
        triage.matches.map((match, index) => (
          <MatchAccordion
            key={match.entry.id}
            match={match}
            expanded={index === 0}
            guideLink={guideLink}
          />
        ))
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
        {() => <TriageContent triage={value!} guideLink={guideLink} />}
      </EntityMlopsDataContent>
    </InfoCard>
  );
}
