import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import { navModule } from './modules/nav';
import { signInModule } from './modules/signIn';

// Every other plugin (catalog graph, scaffolder, search, org, MLOps…) is
// discovered from the app's dependencies through `app.packages: all`.
export default createApp({
  features: [catalogPlugin, navModule, signInModule],
});
