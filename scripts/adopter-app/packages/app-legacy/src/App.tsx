import { createApp } from '@backstage/app-defaults';
import { AppRouter, FlatRoutes } from '@backstage/core-app-api';
import { SignInPage } from '@backstage/core-components';
import {
  CatalogEntityPage,
  CatalogIndexPage,
} from '@backstage/plugin-catalog';
import { Navigate, Route } from 'react-router-dom';
import { entityPage } from './components/catalog/EntityPage';
import { Root } from './components/Root';
// adopter-check: app-imports

const app = createApp({
  components: {
    SignInPage: props => <SignInPage {...props} providers={['guest']} />,
  },
});

const routes = (
  <FlatRoutes>
    <Route path="/" element={<Navigate to="catalog" />} />
    <Route path="/catalog" element={<CatalogIndexPage />} />
    <Route
      path="/catalog/:namespace/:kind/:name"
      element={<CatalogEntityPage />}
    >
      {entityPage}
    </Route>
    {/* adopter-check: app-routes */}
  </FlatRoutes>
);

export default app.createRoot(
  <AppRouter>
    <Root>{routes}</Root>
  </AppRouter>,
);
