import { CopyTextButton, Link } from '@backstage/core-components';
import {
  FilledTriageStep,
  TriageEntry,
  fillTriageCommand,
  getTriageEntry,
} from '@backstage-mlops/plugin-mlops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ExpandLessIcon from '@material-ui/icons/ExpandLess';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import { ReactNode, useState } from 'react';

const useStyles = makeStyles(theme => ({
  section: {
    marginTop: theme.spacing(2),
  },
  list: {
    margin: theme.spacing(0.5, 0, 0, 0),
    paddingLeft: theme.spacing(3),
  },
  step: {
    marginBottom: theme.spacing(1.5),
  },
  command: {
    display: 'flex',
    alignItems: 'flex-start',
    gap: theme.spacing(1),
    marginTop: theme.spacing(0.5),
    padding: theme.spacing(1, 1.5),
    borderRadius: theme.shape.borderRadius,
    // The palette's own background keeps commands readable in dark themes.
    backgroundColor: theme.palette.background.default,
    border: `1px solid ${theme.palette.divider}`,
  },
  toggles: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5, 1),
    marginTop: theme.spacing(1.5),
  },
  toggle: {
    textTransform: 'none',
    whiteSpace: 'nowrap',
  },
  chips: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(0.5),
    marginTop: theme.spacing(0.5),
  },
  code: {
    flex: 1,
    margin: 0,
    fontFamily: 'monospace',
    fontSize: '0.85rem',
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-word',
    color: theme.palette.text.primary,
  },
}));

function BulletSection(props: {
  title: string;
  items: string[];
  ordered?: boolean;
}) {
  const classes = useStyles();
  if (props.items.length === 0) {
    return null;
  }
  const ListTag = props.ordered ? 'ol' : 'ul';
  return (
    <Box className={classes.section}>
      <Typography variant="subtitle2" component="h4">
        {props.title}
      </Typography>
      <ListTag className={classes.list} aria-label={props.title}>
        {props.items.map(item => (
          <li key={item}>
            <Typography variant="body2">{item}</Typography>
          </li>
        ))}
      </ListTag>
    </Box>
  );
}

/** One section a compact card keeps folded: its title, its count and its content. */
export type FoldedSection = {
  title: string;
  count: number;
  content: ReactNode;
};

/**
 * Sections folded behind one button each, in a wrapping row, so a compact
 * card spends one line on what a full one spends a screen on. Each button
 * says what it holds ("Causes to check (3)") and opens below the row; only
 * one is open at a time so the row's buttons stay together.
 */
export function FoldedSections(props: { sections: FoldedSection[] }) {
  const classes = useStyles();
  const [open, setOpen] = useState<string | undefined>();
  const sections = props.sections.filter(section => section.count > 0);
  if (sections.length === 0) {
    return null;
  }
  const opened = sections.find(section => section.title === open);
  return (
    <Box>
      <Box className={classes.toggles}>
        {sections.map(section => {
          const isOpen = section.title === open;
          return (
            <Button
              key={section.title}
              size="small"
              variant="outlined"
              className={classes.toggle}
              aria-expanded={isOpen}
              endIcon={isOpen ? <ExpandLessIcon /> : <ExpandMoreIcon />}
              onClick={() => setOpen(isOpen ? undefined : section.title)}
            >
              {section.title} ({section.count})
            </Button>
          );
        })}
      </Box>
      {opened && (
        <Box role="region" aria-label={opened.title}>
          {opened.content}
        </Box>
      )}
    </Box>
  );
}

/** How many related entries a compact card names before "N more". */
const COMPACT_RELATED = 3;

function RelatedChips(props: {
  related: { id: string; title: string; link?: string }[];
}) {
  const classes = useStyles();
  const [all, setAll] = useState(false);
  const shown = all ? props.related : props.related.slice(0, COMPACT_RELATED);
  const more = props.related.length - shown.length;
  return (
    <Box className={classes.section}>
      <Typography variant="subtitle2" component="h4">
        Related
      </Typography>
      <Box className={classes.chips} role="list" aria-label="Related entries">
        {shown.map(r => (
          <Box key={r.id} role="listitem">
            {r.link ? (
              <Link to={r.link}>
                <Chip size="small" clickable label={r.title} />
              </Link>
            ) : (
              <Chip size="small" label={r.title} />
            )}
          </Box>
        ))}
        {more > 0 && (
          <Button
            size="small"
            className={classes.toggle}
            onClick={() => setAll(true)}
          >
            {more} more related {more === 1 ? 'guide' : 'guides'}
          </Button>
        )}
      </Box>
    </Box>
  );
}

/**
 * One triage step: what it tells you and the command, with a copy button.
 */
export function TriageStep(props: { step: FilledTriageStep; index: number }) {
  const { step, index } = props;
  const classes = useStyles();
  return (
    <li className={classes.step}>
      <Typography variant="body2">{step.description}</Typography>
      <Box className={classes.command}>
        <pre className={classes.code} data-testid="triage-command">
          {step.command}
        </pre>
        <CopyTextButton
          text={step.command}
          aria-label={`Copy command of step ${index + 1}`}
          tooltipText="Command copied to clipboard"
        />
      </Box>
      {step.missing.length > 0 && (
        <Typography variant="caption" color="textSecondary">
          Fill in before running:{' '}
          {step.missing.map(name => `<${name}>`).join(', ')}
        </Typography>
      )}
    </li>
  );
}

/**
 * The full guidance of a knowledge base entry: triage steps (filled for an
 * entity when `steps` is given, otherwise with every placeholder visible),
 * causes, fix, verification and prevention.
 */
export function TriageEntryDetails(props: {
  entry: TriageEntry;
  steps?: FilledTriageStep[];
  /** Builds the link to another entry of the guide, for "related" entries. */
  entryLink?: (id: string) => string | undefined;
  /**
   * Compact (the MLOps tab): the triage steps and the fix stay open; what
   * you see, investigation, causes, verification and prevention fold behind
   * buttons with their counts (after `folded`, sections the caller adds);
   * related entries are chips, the first three named.
   */
  compact?: boolean;
  folded?: FoldedSection[];
}) {
  const { entry, entryLink, compact } = props;
  const classes = useStyles();
  const steps =
    props.steps ??
    entry.triage.map(step => {
      const filled = fillTriageCommand(step.command, {});
      return {
        description: step.description,
        command: filled.text,
        shell: step.shell,
        missing: filled.missing,
      };
    });
  const related = entry.related.map(id => ({
    id,
    title: getTriageEntry(id)?.title ?? id,
    link: entryLink?.(id),
  }));

  const stepList = (
    <Box className={classes.section}>
      <Typography variant="subtitle2" component="h4">
        Triage steps
      </Typography>
      <ol className={classes.list} aria-label="Triage steps">
        {steps.map((step, index) => (
          <TriageStep
            key={`${index}:${step.command}`}
            step={step}
            index={index}
          />
        ))}
      </ol>
    </Box>
  );

  if (compact) {
    const folded = (title: string, items: string[] = [], ordered = false) => ({
      title,
      count: items.length,
      content: <BulletSection title={title} items={items} ordered={ordered} />,
    });
    return (
      <Box>
        {stepList}
        <BulletSection title="Fix" items={entry.fix} />
        <FoldedSections
          sections={[
            ...(props.folded ?? []),
            folded('What you see', entry.symptoms),
            folded('Investigation', entry.investigation, true),
            folded('Causes to check', entry.likelyCauses),
            folded('How to verify', entry.verify),
            folded('How to prevent', entry.prevent),
          ]}
        />
        {related.length > 0 && <RelatedChips related={related} />}
      </Box>
    );
  }

  return (
    <Box>
      <BulletSection title="What you see" items={entry.symptoms} />
      {entry.investigation && (
        <BulletSection
          title="Investigation"
          items={entry.investigation}
          ordered
        />
      )}
      {stepList}
      <BulletSection title="Causes to check" items={entry.likelyCauses} />
      <BulletSection title="Fix" items={entry.fix} />
      <BulletSection title="How to verify" items={entry.verify} />
      <BulletSection title="How to prevent" items={entry.prevent} />
      {related.length > 0 && (
        <Box className={classes.section}>
          <Typography variant="subtitle2" component="h4">
            Related
          </Typography>
          <ul className={classes.list} aria-label="Related entries">
            {related.map(r => (
              <li key={r.id}>
                <Typography variant="body2">
                  {r.link ? <Link to={r.link}>{r.title}</Link> : r.title}
                </Typography>
              </li>
            ))}
          </ul>
        </Box>
      )}
    </Box>
  );
}
