/*
 * Drift checks: the reference baseline of each model version and every drift
 * report computed against one.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_drift_baselines', table => {
    table.comment(
      'Reference datasets per model version that drift checks compare with',
    );
    table.bigIncrements('id').primary();
    table.string('model_name', 500).notNullable();
    table.integer('model_version').notNullable();
    table.integer('row_count').notNullable();
    table.integer('feature_count').notNullable();
    // gzip of the column-oriented JSON: keys are stored once, not per row.
    table.binary('data').notNullable();
    // Per-feature summary (type, counts, range or top categories) for reads
    // that should not inflate the whole dataset.
    table.text('summary').notNullable();
    table.string('created_by', 255).nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.unique(['model_name', 'model_version'], {
      indexName: 'mlops_drift_baselines_model_version_idx',
    });
  });

  await knex.schema.createTable('mlops_drift_reports', table => {
    table.comment('Every drift check result, one row per check');
    table.string('id', 36).primary();
    table.string('model_name', 500).notNullable();
    table.integer('model_version').notNullable();
    // 'schedule' for the periodic check, 'upload' for a posted current window.
    table.string('source', 32).notNullable();
    table.boolean('dataset_drift').notNullable();
    table.double('drift_share').notNullable();
    table.integer('drifted_count').notNullable();
    table.integer('feature_count').notNullable();
    table.double('drift_share_threshold').notNullable();
    table.text('drifted_features').notNullable();
    table.text('features').notNullable();
    table.text('skipped_features').notNullable().defaultTo('[]');
    table.text('quality').notNullable();
    table.integer('reference_rows').notNullable();
    table.integer('current_rows').notNullable();
    table.integer('window_minutes').nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.index(['model_name', 'created_at'], 'mlops_drift_reports_model_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_drift_reports');
  await knex.schema.dropTable('mlops_drift_baselines');
};
