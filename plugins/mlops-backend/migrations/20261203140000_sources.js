/*
 * Sources: systems a team already runs (an MLflow server, Airflow, Prefect)
 * that the backend mirrors into the store. Per configured instance its sync
 * status and cursors; per mirrored object the instance it came from (so a
 * pushed object is never overwritten by a pull and a card can say "from
 * central") and a fingerprint of what was last written, so an unchanged
 * re-sync writes nothing.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_source_status', table => {
    table.comment('Sync status of each configured source instance');
    table.string('source_type', 64).notNullable();
    table.string('source_name', 255).notNullable();
    table.timestamp('last_sync_at', { useTz: true }).nullable();
    table.timestamp('last_success_at', { useTz: true }).nullable();
    table.integer('last_duration_ms').nullable();
    // Objects written by the last successful sync, by kind (JSON).
    table.text('last_counts').notNullable().defaultTo('{}');
    // Masked: never a secret of the instance.
    table.text('last_error').nullable();
    table.timestamp('last_error_at', { useTz: true }).nullable();
    table.integer('consecutive_failures').notNullable().defaultTo(0);
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.primary(['source_type', 'source_name']);
  });

  await knex.schema.createTable('mlops_source_cursors', table => {
    table.comment('Where the incremental sync of a source instance stands');
    table.string('source_type', 64).notNullable();
    table.string('source_name', 255).notNullable();
    table.string('key', 255).notNullable();
    table.text('value').notNullable();
    table.primary(['source_type', 'source_name', 'key']);
  });

  await knex.schema.createTable('mlops_source_objects', table => {
    table.comment('Store objects mirrored from a source instance');
    // model, version, experiment, run or pipeline_run
    table.string('kind', 32).notNullable();
    // The object's key in the store: a model name, "model/version", a run id.
    table.string('object_key', 600).notNullable();
    table.string('source_type', 64).notNullable();
    table.string('source_name', 255).notNullable();
    table.string('fingerprint', 64).notNullable();
    table.timestamp('synced_at', { useTz: true }).notNullable();
    table.primary(['kind', 'object_key']);
    table.index(
      ['source_type', 'source_name', 'kind'],
      'mlops_source_objects_instance_idx',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_source_objects');
  await knex.schema.dropTable('mlops_source_cursors');
  await knex.schema.dropTable('mlops_source_status');
};
