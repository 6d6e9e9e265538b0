import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';

// New frontend system: every other plugin in the app's dependencies is
// discovered through `app.packages: all` (app-config.yaml).
export default createApp({
  features: [catalogPlugin],
});
