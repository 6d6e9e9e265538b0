import { useEntity } from '@backstage/plugin-catalog-react';
import Grid, { GridSize } from '@material-ui/core/Grid';
import { makeStyles } from '@material-ui/core/styles';
import { ReactNode } from 'react';
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
import { EntityMlopsTriageCard } from '../EntityMlopsTriageCard';

const useStyles = makeStyles({
  // A card fills its grid cell, so cards side by side end on one line.
  cell: {
    display: 'flex',
    flexDirection: 'column',
    '& > *': { flex: 1, minWidth: 0 },
  },
});

type CellSizes = Partial<Record<'md' | 'lg' | 'xl', GridSize>>;

/** One card's cell: full width on small screens, `sizes` from there up. */
function Cell(props: {
  children: ReactNode;
  sizes?: CellSizes;
  testId: string;
}) {
  const classes = useStyles();
  return (
    <Grid
      item
      xs={12}
      {...props.sizes}
      className={classes.cell}
      data-testid={props.testId}
    >
      {props.children}
    </Grid>
  );
}

// Side by side from `lg` (1280 px) or `xl` (1920 px) up.
const HALF_FROM_LG: CellSizes = { lg: 6 };
const HALF_FROM_XL: CellSizes = { xl: 6 };

/**
 * The MLOps tab of an entity page: the whole dashboard in a responsive grid,
 * in the order an engineer on call reads it — health and open incidents,
 * then what to do (triage; beside them from 1920 px), then the numbers behind it (prediction metrics
 * and drift side by side), then releases (deployments and versions), then
 * the training history (pipeline runs for pipelines, experiment runs for
 * experiments and models). Cards that do not apply to the entity's
 * annotations are left out rather than shown empty.
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

  return (
    <Grid container spacing={3} alignItems="stretch">
      {/* From 1920 px, health and incidents stack in a left column with the
          triage guidance beside them, which keeps the tab near two screens;
          below that, health and incidents share a row above the guidance. */}
      <Grid item xs={12} xl={5}>
        <Grid container spacing={3} alignItems="stretch">
          <Cell sizes={{ md: 6, xl: 12 }} testId="mlops-tab-health">
            <EntityMlopsHealthCard />
          </Cell>
          <Cell sizes={{ md: 6, xl: 12 }} testId="mlops-tab-incidents">
            <EntityMlopsIncidentsCard />
          </Cell>
        </Grid>
      </Grid>
      <Cell sizes={{ xl: 7 }} testId="mlops-tab-triage">
        <EntityMlopsTriageCard />
      </Cell>
      {isModel && (
        <>
          <Cell sizes={HALF_FROM_LG} testId="mlops-tab-metrics">
            <EntityMlopsMetricsCard />
          </Cell>
          <Cell sizes={HALF_FROM_LG} testId="mlops-tab-drift">
            <EntityMlopsDriftCard />
          </Cell>
          {/* Both are tables with actions: side by side only where each
              half still has room for its columns. */}
          <Cell sizes={HALF_FROM_XL} testId="mlops-tab-deployments">
            <EntityMlopsDeploymentsCard />
          </Cell>
          <Cell sizes={HALF_FROM_XL} testId="mlops-tab-versions">
            <EntityMlopsModelVersionsCard />
          </Cell>
        </>
      )}
      {isPipeline && (
        <Cell testId="mlops-tab-pipeline-runs">
          <EntityMlopsPipelineRunsCard />
        </Cell>
      )}
      {hasRuns && (
        <Cell testId="mlops-tab-experiment-runs">
          <EntityMlopsExperimentRunsCard />
        </Cell>
      )}
    </Grid>
  );
}
