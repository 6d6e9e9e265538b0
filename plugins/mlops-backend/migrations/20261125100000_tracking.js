/*
 * Experiment tracking: runs of the experiments in mlops_experiments, with
 * their params (write-once), tags (overwritable) and metrics. Metrics are
 * kept twice: every measurement in mlops_run_metrics, and the latest value
 * per run and key in mlops_run_latest_metrics so that cards and run search
 * never scan a history.
 *
 * Metric values follow MLflow's storage: NaN is stored as 0 with is_nan set
 * (SQLite turns a NaN REAL into NULL), and the infinities as the largest
 * finite doubles, so every database sorts and compares them the same way.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_runs', table => {
    table.comment('Training runs logged to an experiment');
    table.string('id', 32).primary();
    table
      .bigInteger('experiment_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('mlops_experiments')
      .onDelete('CASCADE');
    table.string('name', 250).nullable();
    table.string('status', 16).notNullable();
    // Epoch milliseconds, as MLflow keeps them: cheap to order and compare.
    table.bigInteger('start_time').notNullable();
    table.bigInteger('end_time').nullable();
    table.string('user_id', 255).nullable();
    table.string('source', 500).nullable();
    table.string('parent_run_id', 32).nullable();
    table.boolean('deleted').notNullable().defaultTo(false);
    table.index(['experiment_id', 'start_time', 'id'], 'mlops_runs_experiment_start_idx');
    table.index(['parent_run_id'], 'mlops_runs_parent_idx');
  });

  await knex.schema.createTable('mlops_run_params', table => {
    table.comment('Run parameters; written once, never changed');
    table
      .string('run_id', 32)
      .notNullable()
      .references('id')
      .inTable('mlops_runs')
      .onDelete('CASCADE');
    table.string('key', 250).notNullable();
    table.text('value').notNullable();
    table.primary(['run_id', 'key']);
  });

  await knex.schema.createTable('mlops_run_tags', table => {
    table.comment('Run tags; the last write wins');
    table
      .string('run_id', 32)
      .notNullable()
      .references('id')
      .inTable('mlops_runs')
      .onDelete('CASCADE');
    table.string('key', 250).notNullable();
    table.text('value').notNullable();
    table.primary(['run_id', 'key']);
  });

  await knex.schema.createTable('mlops_run_metrics', table => {
    table.comment('Every metric measurement of every run');
    table
      .string('run_id', 32)
      .notNullable()
      .references('id')
      .inTable('mlops_runs')
      .onDelete('CASCADE');
    table.string('key', 250).notNullable();
    table.double('value').notNullable();
    table.boolean('is_nan').notNullable().defaultTo(false);
    table.bigInteger('step').notNullable().defaultTo(0);
    table.bigInteger('timestamp').notNullable();
    table.index(['run_id', 'key', 'step', 'timestamp'], 'mlops_run_metrics_history_idx');
  });

  if (String(knex.client.config.client).includes('sqlite')) {
    // Clustered on (run_id, key) so that a run's latest metrics sit on the
    // same pages: loading a page of 100 runs x 100 metrics for search reads
    // a few hundred pages instead of 10,000 scattered rows. knex's schema
    // builder cannot say WITHOUT ROWID; the columns match the branch below.
    await knex.raw(`create table mlops_run_latest_metrics (
      run_id varchar(32) not null references mlops_runs (id) on delete cascade,
      key varchar(250) not null,
      value float not null,
      is_nan boolean not null default '0',
      step bigint not null default '0',
      timestamp bigint not null,
      primary key (run_id, key)
    ) without rowid`);
  } else {
    await knex.schema.createTable('mlops_run_latest_metrics', table => {
      table.comment('The latest value of each metric of each run');
      table
        .string('run_id', 32)
        .notNullable()
        .references('id')
        .inTable('mlops_runs')
        .onDelete('CASCADE');
      table.string('key', 250).notNullable();
      table.double('value').notNullable();
      table.boolean('is_nan').notNullable().defaultTo(false);
      table.bigInteger('step').notNullable().defaultTo(0);
      table.bigInteger('timestamp').notNullable();
      table.primary(['run_id', 'key']);
    });
  }
  // Run search filters on one metric key across many runs (key, not NaN,
  // value range) and orders by it in (value, run id) order, so both walk
  // this index and a page stops after its last run instead of sorting them all.
  await knex.schema.alterTable('mlops_run_latest_metrics', table => {
    table.index(
      ['key', 'is_nan', 'value', 'run_id'],
      'mlops_run_latest_metrics_search_idx',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_run_latest_metrics');
  await knex.schema.dropTable('mlops_run_metrics');
  await knex.schema.dropTable('mlops_run_tags');
  await knex.schema.dropTable('mlops_run_params');
  await knex.schema.dropTable('mlops_runs');
};
