import Table, { TableProps } from '@material-ui/core/Table';
import Tooltip from '@material-ui/core/Tooltip';
import { makeStyles } from '@material-ui/core/styles';
import { ReactNode } from 'react';

const classNames = (...names: Array<string | undefined>) =>
  names.filter(Boolean).join(' ');

const useStyles = makeStyles({
  // A table wider than its card scrolls inside the card instead of being
  // cut off by it (Backstage's table cells hide their overflow).
  scroll: {
    overflowX: 'auto',
    maxWidth: '100%',
  },
  table: {
    // Backstage's theme lets table cells break inside words
    // (`word-break: break-word`), which turns "Unhealthy" into "Unh/ealt/hy"
    // in a narrow column; MLOps tables wrap at spaces only and truncate long
    // names instead. Its line height of 1 is also too tight for two lines.
    '& th, & td': {
      wordBreak: 'normal',
      overflowWrap: 'normal',
      lineHeight: 1.43,
    },
    '& th': {
      whiteSpace: 'nowrap',
    },
  },
  truncated: {
    display: 'inline-block',
    maxWidth: '100%',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    verticalAlign: 'bottom',
  },
  nowrap: {
    whiteSpace: 'nowrap',
  },
});

/**
 * MUI's Table as every MLOps card uses it: words never broken inside,
 * headers on one line, and a horizontal scroll inside the card when the
 * columns need more room than the card has.
 */
export function MlopsTable(props: TableProps) {
  const classes = useStyles();
  const { className, ...rest } = props;
  return (
    <div className={classes.scroll}>
      <Table
        size="small"
        {...rest}
        className={classNames(classes.table, className)}
      />
    </div>
  );
}

/**
 * Text cut to one line with an ellipsis at `maxWidth`, the whole text in a
 * tooltip and in the accessible name: for names, ids and values of any length.
 */
export function TruncatedText(props: {
  text: string;
  /** CSS width beyond which the text is cut; 22em unless told. */
  maxWidth?: string | number;
  className?: string;
}) {
  const classes = useStyles();
  return (
    <Tooltip title={props.text} enterDelay={400}>
      <span
        className={classNames(classes.truncated, props.className)}
        style={{ maxWidth: props.maxWidth ?? '22em' }}
      >
        {props.text}
      </span>
    </Tooltip>
  );
}

/** Keeps a short value (a time, a version, a count with its unit) on one line. */
export function NoWrap(props: { children: ReactNode }) {
  const classes = useStyles();
  return <span className={classes.nowrap}>{props.children}</span>;
}
