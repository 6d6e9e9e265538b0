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
  first: 740,
  second: 620,
  third: 500,
} as const;

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
}));

type CellSizes = Partial<Record<'md' | 'lg' | 'xl', GridSize>>;

/** One card's cell: full width on small screens, `sizes` from there up. */
function Cell(props: {
  children: ReactNode;
  sizes?: CellSizes;
  /** From 1920 px, the most the card may take before its body scrolls. */
  xlHeight?: number;
  testId: string;
}) {
  const classes = useStyles();
  return (
    <Grid
      item
      xs={12}
      {...props.sizes}
      className={
        props.xlHeight ? `${classes.cell} ${classes.capped}` : classes.cell
      }
      style={
        props.xlHeight
          ? ({
              '--mlops-row-height': `${props.xlHeight}px`,
            } as CSSProperties)
          : undefined
      }
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
 * health, incidents, triage; metrics, drift (wider: its verdict column),
 * deployments; versions, runs —
 * which keeps market-master's tab within two screens of 1080 px.
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
  const { first, second, third } = XL_ROW_HEIGHTS;
  // A pipeline or an experiment has no model cards: its runs take the
  // second row, across.
  const runsSizes: CellSizes = isModel ? { xl: 6 } : {};
  const runsHeight = isModel ? third : undefined;

  return (
    <Grid container spacing={3} alignItems="stretch">
      <Cell sizes={{ md: 6, xl: 3 }} xlHeight={first} testId="mlops-tab-health">
        <EntityMlopsHealthCard />
      </Cell>
      <Cell
        sizes={{ md: 6, xl: 3 }}
        xlHeight={first}
        testId="mlops-tab-incidents"
      >
        <EntityMlopsIncidentsCard />
      </Cell>
      <Cell sizes={{ xl: 6 }} xlHeight={first} testId="mlops-tab-triage">
        <TriageCard variant="compact" />
      </Cell>
      {isModel && (
        <>
          <Cell
            sizes={{ lg: 6, xl: 3 }}
            xlHeight={second}
            testId="mlops-tab-metrics"
          >
            <EntityMlopsMetricsCard />
          </Cell>
          <Cell
            sizes={{ lg: 6, xl: 5 }}
            xlHeight={second}
            testId="mlops-tab-drift"
          >
            <EntityMlopsDriftCard />
          </Cell>
          <Cell
            sizes={{ xl: 4 }}
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
