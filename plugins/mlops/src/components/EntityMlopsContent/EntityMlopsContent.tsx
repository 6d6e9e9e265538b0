import { useEntity } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
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

/** Grid widths of one cell: side by side from `pairedFrom` up, full width below. */
function Cell(props: {
  children: ReactNode;
  pairedFrom?: 'md' | 'lg' | 'xl';
  testId: string;
}) {
  const classes = useStyles();
  const half = props.pairedFrom ? { [props.pairedFrom]: 6 } : {};
  return (
    <Grid
      item
      xs={12}
      {...half}
      className={classes.cell}
      data-testid={props.testId}
    >
      {props.children}
    </Grid>
  );
}

/**
 * The MLOps tab of an entity page: the whole dashboard in a responsive grid,
 * in the order an engineer on call reads it — health and open incidents,
 * then what to do (triage), then the numbers behind it (prediction metrics
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
      <Cell pairedFrom="md" testId="mlops-tab-health">
        <EntityMlopsHealthCard />
      </Cell>
      <Cell pairedFrom="md" testId="mlops-tab-incidents">
        <EntityMlopsIncidentsCard />
      </Cell>
      <Cell testId="mlops-tab-triage">
        <EntityMlopsTriageCard />
      </Cell>
      {isModel && (
        <>
          <Cell pairedFrom="lg" testId="mlops-tab-metrics">
            <EntityMlopsMetricsCard />
          </Cell>
          <Cell pairedFrom="lg" testId="mlops-tab-drift">
            <EntityMlopsDriftCard />
          </Cell>
          {/* Both are tables with actions: side by side only where each
              half still has room for its columns. */}
          <Cell pairedFrom="xl" testId="mlops-tab-deployments">
            <EntityMlopsDeploymentsCard />
          </Cell>
          <Cell pairedFrom="xl" testId="mlops-tab-versions">
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
