/*
 * Artifacts: where an experiment asked its artifacts to go (MLflow's
 * `artifact_location`; null means the portal's proxied default
 * `mlflow-artifacts:/<experiment id>`), MLflow 3's logged models, and the
 * datasets runs were trained on (MLflow's `runs/log-inputs`).
 *
 * Run and experiment artifact URIs are not stored: they follow from the
 * experiment's location, so rows written before this migration answer the
 * proxied scheme too.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mlops_experiments', table => {
    table.string('artifact_location', 1000).nullable();
  });

  await knex.schema.createTable('mlops_logged_models', table => {
    table.comment(
      'Logged models of MLflow 3: the files and metadata of a model, apart from any run',
    );
    // MLflow's own form: "m-" and 32 hexadecimal digits.
    table.string('id', 34).primary();
    table
      .bigInteger('experiment_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('mlops_experiments')
      .onDelete('CASCADE');
    table.string('name', 500).notNullable();
    table.string('model_type', 500).nullable();
    table.string('source_run_id', 32).nullable();
    table.string('status', 32).notNullable();
    table.text('status_message').nullable();
    table.string('artifact_uri', 1000).notNullable();
    table.string('creator', 255).nullable();
    table.text('tags').notNullable().defaultTo('{}');
    table.text('params').notNullable().defaultTo('{}');
    table.boolean('deleted').notNullable().defaultTo(false);
    // Epoch milliseconds, as MLflow keeps them.
    table.bigInteger('created_at').notNullable();
    table.bigInteger('updated_at').notNullable();
    table.index(
      ['experiment_id', 'created_at'],
      'mlops_logged_models_experiment_idx',
    );
    table.index(['source_run_id'], 'mlops_logged_models_run_idx');
  });

  await knex.schema.createTable('mlops_datasets', table => {
    table.comment(
      'Datasets runs logged as inputs, one row per experiment, name and digest',
    );
    table.bigIncrements('id').primary();
    table
      .bigInteger('experiment_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('mlops_experiments')
      .onDelete('CASCADE');
    table.string('name', 500).notNullable();
    table.string('digest', 36).notNullable();
    table.string('source_type', 36).notNullable();
    table.text('source').notNullable();
    table.text('schema').nullable();
    table.text('profile').nullable();
    table.unique(['experiment_id', 'name', 'digest'], {
      indexName: 'mlops_datasets_identity_idx',
    });
  });

  await knex.schema.createTable('mlops_run_inputs', table => {
    table.comment(
      'Which datasets a run used, with the input tags (e.g. mlflow.data.context)',
    );
    table
      .string('run_id', 32)
      .notNullable()
      .references('id')
      .inTable('mlops_runs')
      .onDelete('CASCADE');
    table
      .bigInteger('dataset_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('mlops_datasets')
      .onDelete('CASCADE');
    table.text('tags').notNullable().defaultTo('{}');
    table.primary(['run_id', 'dataset_id']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_run_inputs');
  await knex.schema.dropTable('mlops_datasets');
  await knex.schema.dropTable('mlops_logged_models');
  await knex.schema.alterTable('mlops_experiments', table => {
    table.dropColumn('artifact_location');
  });
};
