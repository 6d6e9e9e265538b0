import { CopyTextButton, Link } from '@backstage/core-components';
import {
  FilledTriageStep,
  TriageEntry,
  fillTriageCommand,
  getTriageEntry,
} from '@backstage-mlops/plugin-mlops-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';

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
}) {
  const { entry, entryLink } = props;
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
