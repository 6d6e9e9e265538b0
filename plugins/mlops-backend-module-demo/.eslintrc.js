module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  rules: {
    // On purpose: the demo seeders build on the plugin's stores and its test
    // utilities (src/...). The package is private to this repository and
    // only the demo backend installs it (README).
    '@backstage/no-forbidden-package-imports': 'off',
    '@backstage/no-mixed-plugin-imports': 'off',
  },
});
