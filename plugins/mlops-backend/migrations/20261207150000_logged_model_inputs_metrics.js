/*
 * What MLflow 3 links to a logged model besides its files:
 * - model inputs: the logged models a run used (`runs/log-inputs` with
 *   `models`; MLflow's client sends them for a metric logged with a
 *   model_id and for an evaluation), answered as the run's
 *   `inputs.model_inputs`. The model id is not a foreign key: MLflow's
 *   server links any id it is given, and keeps the link when the model is
 *   deleted. A run's outputs need no table: they are the logged models
 *   whose source run it is.
 * - model metrics: metrics a run logged with a `model_id` (MLflow's client
 *   logs the run's metrics again with the model's id when it logs a model),
 *   answered as the logged model's `data.metrics`. Values are kept as run
 *   metrics are: NaN as 0 and a flag, the infinities as the largest doubles.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_run_model_inputs', table => {
    table.comment('Which MLflow 3 logged models a run used as inputs');
    table
      .string('run_id', 32)
      .notNullable()
      .references('id')
      .inTable('mlops_runs')
      .onDelete('CASCADE');
    table.string('model_id', 34).notNullable();
    // Epoch milliseconds; the answer lists a run's models in the order logged.
    table.bigInteger('created_at').notNullable();
    table.primary(['run_id', 'model_id']);
  });

  await knex.schema.createTable('mlops_logged_model_metrics', table => {
    table.comment('Metrics runs logged for an MLflow 3 logged model');
    table
      .string('model_id', 34)
      .notNullable()
      .references('id')
      .inTable('mlops_logged_models')
      .onDelete('CASCADE');
    table
      .string('run_id', 32)
      .notNullable()
      .references('id')
      .inTable('mlops_runs')
      .onDelete('CASCADE');
    table.string('key', 250).notNullable();
    table.double('value').notNullable();
    table.boolean('is_nan').notNullable().defaultTo(false);
    table.bigInteger('timestamp').notNullable();
    table.bigInteger('step').notNullable();
    table.string('dataset_name', 500).nullable();
    table.string('dataset_digest', 36).nullable();
    table.primary(['model_id', 'key', 'timestamp', 'step', 'run_id']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_logged_model_metrics');
  await knex.schema.dropTable('mlops_run_model_inputs');
};
