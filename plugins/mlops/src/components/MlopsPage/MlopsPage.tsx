import { Content, Header, Page } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import { useSearchParams } from 'react-router-dom';
import { FleetTable } from './FleetTable';
import { MlopsSourcesPanel } from '../MlopsSourcesPanel';
import { TriageGuide } from './TriageGuide';

type MlopsTab = 'fleet' | 'guide' | 'sources';

const TABS: readonly MlopsTab[] = ['fleet', 'guide', 'sources'];

/**
 * The body of the MLOps page: the fleet view, the triage guide and the
 * sources the portal reads from, as tabs.
 * The selected tab and guide entry live in the URL (`?tab=guide&entry=<id>`)
 * so they can be linked to, as the triage card does.
 *
 * @public
 */
export function MlopsPageContent() {
  const [params, setParams] = useSearchParams();
  const asked = params.get('tab') as MlopsTab | null;
  const tab: MlopsTab = asked && TABS.includes(asked) ? asked : 'fleet';
  const entryId = params.get('entry') ?? undefined;

  return (
    <Content>
      <Box mb={2}>
        <Tabs
          value={tab}
          onChange={(_event, next: MlopsTab) =>
            setParams(next === 'fleet' ? {} : { tab: next })
          }
          indicatorColor="primary"
          aria-label="MLOps views"
        >
          <Tab value="fleet" label="Fleet" />
          <Tab value="guide" label="Triage guide" />
          <Tab value="sources" label="Sources" />
        </Tabs>
      </Box>
      {tab === 'fleet' && <FleetTable />}
      {tab === 'guide' && <TriageGuide entryId={entryId} />}
      {tab === 'sources' && <MlopsSourcesPanel />}
    </Content>
  );
}

/**
 * The MLOps page for apps on the legacy frontend system, with its own header.
 *
 * @public
 */
export function MlopsPage() {
  return (
    <Page themeId="tool">
      <Header
        title="MLOps"
        subtitle="Every model's health, versions, drift and incidents, and the triage guide"
      />
      <MlopsPageContent />
    </Page>
  );
}
