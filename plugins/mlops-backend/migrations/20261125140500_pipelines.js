/*
 * Pipeline runs as orchestrators (Prefect, Airflow) report them: a state per
 * run and per stage, heartbeats, failure reasons. Pipeline definitions stay
 * on mlops_pipelines, which gains an SLA and the time its data went stale.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mlops_pipelines', table => {
    // Without a COMPLETED run within this many minutes the data is stale.
    table.integer('sla_minutes').nullable();
    // Set by the sweep when the SLA was missed, cleared by the next success.
    table.timestamp('stale_since', { useTz: true }).nullable();
  });

  await knex.schema.createTable('mlops_pipeline_runs', table => {
    table.comment('Runs of pipelines, with a Prefect-like state');
    table.bigIncrements('id').primary();
    table.string('pipeline_name', 500).notNullable();
    table.string('state', 16).notNullable();
    // schedule, manual, api or requested (a retrain trigger)
    table.string('trigger', 16).notNullable();
    table.text('reason').nullable();
    // The orchestrator's own run id; a retried create returns the same run.
    table.string('external_id', 255).nullable();
    table.timestamp('scheduled_at', { useTz: true }).nullable();
    table.timestamp('started_at', { useTz: true }).nullable();
    table.timestamp('ended_at', { useTz: true }).nullable();
    table.timestamp('heartbeat_at', { useTz: true }).nullable();
    table.text('failure_reason').nullable();
    table.string('failure_class', 64).nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.unique(['pipeline_name', 'external_id'], {
      indexName: 'mlops_pipeline_runs_external_idx',
    });
    table.index(['pipeline_name', 'id'], 'mlops_pipeline_runs_pipeline_idx');
    table.index(['state', 'heartbeat_at'], 'mlops_pipeline_runs_state_idx');
  });

  await knex.schema.createTable('mlops_pipeline_run_stages', table => {
    table.comment('Stages of pipeline runs, each with its own state');
    table.bigIncrements('id').primary();
    table
      .bigInteger('run_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('mlops_pipeline_runs')
      .onDelete('CASCADE');
    table.string('name', 250).notNullable();
    table.integer('position').notNullable();
    table.string('state', 16).notNullable();
    table.timestamp('started_at', { useTz: true }).nullable();
    table.timestamp('ended_at', { useTz: true }).nullable();
    table.text('failure_reason').nullable();
    table.string('failure_class', 64).nullable();
    table.unique(['run_id', 'name'], {
      indexName: 'mlops_pipeline_run_stages_name_idx',
    });
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_pipeline_run_stages');
  await knex.schema.dropTable('mlops_pipeline_runs');
  await knex.schema.alterTable('mlops_pipelines', table => {
    table.dropColumn('stale_since');
    table.dropColumn('sla_minutes');
  });
};
