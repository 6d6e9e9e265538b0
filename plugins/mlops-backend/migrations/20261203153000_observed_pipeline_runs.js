/*
 * Runs mirrored from a pull source (Airflow, Prefect) are marked: their
 * liveness is the source's to tell, so the sweep neither crashes them for a
 * missing heartbeat nor marks them late — a sync that finds a run unchanged
 * writes nothing, and a source that stops answering is reported as the
 * source being unreachable, not as the run having crashed.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mlops_pipeline_runs', table => {
    table.boolean('observed').notNullable().defaultTo(false);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mlops_pipeline_runs', table => {
    table.dropColumn('observed');
  });
};
