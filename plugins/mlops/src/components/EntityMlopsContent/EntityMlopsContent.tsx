import { useEntity } from '@backstage/plugin-catalog-react';
import Grid, { GridSize } from '@material-ui/core/Grid';
import { makeStyles } from '@material-ui/core/styles';
import { CSSProperties, ReactNode } from 'react';
import {
  isMlopsExperimentAvailable,
  isMlopsModelAvailable,
  isMlopsPipelineAvailable,
} from '../../conditions';
import { EntityMlopsDeploymentsCard } from '../EntityMlopsDeploymentsCard';
import { EntityMlopsDriftCard } from '../EntityMlopsDriftCard';
import { EntityMlopsExperimentRunsCard } from '../EntityMlopsExperimentRunsCard';
import { EntityMlopsHealthCard } from '../EntityMlopsHealthCard';
import { EntityMlopsIncidentsCard } from '../EntityMlopsIncidentsCard';
import { EntityMlopsMetricsCard } from '../EntityMlopsMetricsCard';
import { EntityMlopsModelVersionsCard } from '../EntityMlopsModelVersionsCard';
import { EntityMlopsPipelineRunsCard } from '../EntityMlopsPipelineRunsCard';
import { TriageCard } from '../EntityMlopsTriageCard';

/**
 * From 1920 px the tab is three rows of cards, each row at most this tall:
 * a card with more (the incidents' timelines, the deployment history, the
 * version history, the runs) scrolls inside its own body under its header,
 * so the whole tab stays within two screens of 1080 px.
 */
export const XL_ROW_HEIGHTS = {
  first: 760,
  second: 560,
  third: 540,
} as const;

/** From 1920 px, the most the health card takes of the first row's status column. */
const HEALTH_XL_HEIGHT = 440;

const useStyles = makeStyles(theme => ({
  // A card fills its grid cell, so cards side by side end on one line.
  cell: {
    display: 'flex',
    flexDirection: 'column',
    '& > *': { flex: 1, minWidth: 0 },
  },
  capped: {
    [theme.breakpoints.up('xl')]: {
      maxHeight: 'var(--mlops-row-height)',
    },
  },
  // From 1920 px a capped card keeps its header and scrolls its body.
  scrollsInside: {
    [theme.breakpoints.up('xl')]: {
      minHeight: 0,
      '& > *': {
        display: 'flex',
        flexDirection: 'column',
        minHeight: 0,
      },
      '& > * > .MuiCardContent-root': {
        flex: 1,
        minHeight: 0,
        overflow: 'auto',
      },
    },
  },
  // From 1920 px health and incidents stack in one column of the first
  // row: health at its own height (up to HEALTH_XL_HEIGHT), incidents in
  // what is left, scrolling inside when there are more than fit.
  statusColumn: {
    [theme.breakpoints.up('xl')]: {
      display: 'flex',
      flexDirection: 'column',
      maxHeight: 'var(--mlops-row-height)',
    },
  },
  statusStack: {
    [theme.breakpoints.up('xl')]: {
      flex: '1 1 auto',
      minHeight: 0,
      flexDirection: 'column',
      flexWrap: 'nowrap',
    },
  },
  statusHealth: {
    [theme.breakpoints.up('xl')]: {
      '&&': { flex: '0 0 auto', maxHeight: HEALTH_XL_HEIGHT },
    },
  },
  statusIncidents: {
    [theme.breakpoints.up('xl')]: {
      '&&': { flex: '1 1 auto' },
    },
  },
}));

/** The CSS variable the capped classes read a row's height from. */
function rowHeight(px: number): CSSProperties {
  return { '--mlops-row-height': `${px}px` } as CSSProperties;
}

type CellSizes = Partial<Record<'md' | 'lg' | 'xl', GridSize>>;

/** One card's cell: full width on small screens, `sizes` from there up. */
function Cell(props: {
  children: ReactNode;
  sizes?: CellSizes;
  /** From 1920 px, the most the card may take before its body scrolls. */
  xlHeight?: number;
  /** The card's height is set from outside (a flex column); it scrolls inside. */
  scrollsInside?: boolean;
  className?: string;
  testId: string;
}) {
  const classes = useStyles();
  const classNames = [classes.cell];
  if (props.xlHeight) classNames.push(classes.capped);
  if (props.xlHeight || props.scrollsInside) {
    classNames.push(classes.scrollsInside);
  }
  if (props.className) classNames.push(props.className);
  return (
    <Grid
      item
      xs={12}
      {...props.sizes}
      className={classNames.join(' ')}
      style={props.xlHeight ? rowHeight(props.xlHeight) : undefined}
      data-testid={props.testId}
    >
      {props.children}
    </Grid>
  );
}

/**
 * The MLOps tab of an entity page: the whole dashboard in a responsive grid,
 * in the order an engineer on call reads it — health and open incidents,
 * then what to do (triage, in its compact form), then the numbers behind it
 * (prediction metrics and drift), then releases (deployments and versions),
 * then the training history (pipeline runs for pipelines, experiment runs
 * for experiments and models). Cards that do not apply to the entity's
 * annotations are left out rather than shown empty.
 *
 * Below 1920 px: health and incidents side by side (md), triage across,
 * metrics and drift side by side (lg), then deployments, versions and runs
 * across. From 1920 px: three rows of capped height (XL_ROW_HEIGHTS) —
 * health over incidents, triage, metrics; drift, deployments; versions,
 * runs — which keeps market-master's tab within two screens of 1080 px
 * with every table at half width or more.
 *
 * Legacy apps mount it as `<EntityLayout.Route path="/mlops" title="MLOps">`;
 * the new frontend system adds it as the `entity-content:mlops` extension.
 *
 * @public
 */
export function EntityMlopsContent() {
  const { entity } = useEntity();
  const isModel = isMlopsModelAvailable(entity);
  const isPipeline = isMlopsPipelineAvailable(entity);
  const hasRuns = isMlopsExperimentAvailable(entity);
  const classes = useStyles();
  const { first, second, third } = XL_ROW_HEIGHTS;
  // A pipeline or an experiment has no model cards: its runs take the
  // second row, across.
  const runsSizes: CellSizes = isModel ? { xl: 6 } : {};
  const runsHeight = isModel ? third : undefined;

  return (
    <Grid container spacing={3} alignItems="stretch">
      <Grid
        item
        xs={12}
        xl={3}
        className={classes.statusColumn}
        style={rowHeight(first)}
      >
        <Grid
          container
          spacing={3}
          alignItems="stretch"
          className={classes.statusStack}
        >
          <Cell
            sizes={{ md: 6, xl: 12 }}
            scrollsInside
            className={classes.statusHealth}
            testId="mlops-tab-health"
          >
            <EntityMlopsHealthCard />
          </Cell>
          <Cell
            sizes={{ md: 6, xl: 12 }}
            scrollsInside
            className={classes.statusIncidents}
            testId="mlops-tab-incidents"
          >
            <EntityMlopsIncidentsCard />
          </Cell>
        </Grid>
      </Grid>
      <Cell
        sizes={{ xl: isModel ? 6 : 9 }}
        xlHeight={first}
        testId="mlops-tab-triage"
      >
        <TriageCard variant="compact" />
      </Cell>
      {isModel && (
        <>
          <Cell
            sizes={{ lg: 6, xl: 3 }}
            xlHeight={first}
            testId="mlops-tab-metrics"
          >
            <EntityMlopsMetricsCard />
          </Cell>
          <Cell
            sizes={{ lg: 6, xl: 6 }}
            xlHeight={second}
            testId="mlops-tab-drift"
          >
            <EntityMlopsDriftCard />
          </Cell>
          <Cell
            sizes={{ xl: 6 }}
            xlHeight={second}
            testId="mlops-tab-deployments"
          >
            <EntityMlopsDeploymentsCard />
          </Cell>
          <Cell sizes={{ xl: 6 }} xlHeight={third} testId="mlops-tab-versions">
            <EntityMlopsModelVersionsCard />
          </Cell>
        </>
      )}
      {isPipeline && (
        <Cell
          sizes={runsSizes}
          xlHeight={runsHeight}
          testId="mlops-tab-pipeline-runs"
        >
          <EntityMlopsPipelineRunsCard />
        </Cell>
      )}
      {hasRuns && (
        <Cell
          sizes={runsSizes}
          xlHeight={runsHeight}
          testId="mlops-tab-experiment-runs"
        >
          <EntityMlopsExperimentRunsCard />
        </Cell>
      )}
    </Grid>
  );
}
