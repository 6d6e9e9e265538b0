/*
 * The model registry: versions of the registered models, their aliases and
 * the append-only history of stage and alias changes.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mlops_registered_models', table => {
    // The version counter lives on the model row: incrementing it inside the
    // transaction that inserts the version locks the row on PostgreSQL, so
    // concurrent creates get distinct numbers and numbers are never reused
    // after retention deletes the newest ones.
    table.integer('latest_version').notNullable().defaultTo(0);
  });

  await knex.schema.createTable('mlops_model_versions', table => {
    table.comment('Versions of registered models');
    table.bigIncrements('id').primary();
    table
      .bigInteger('model_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('mlops_registered_models')
      .onDelete('CASCADE');
    table.integer('version').notNullable();
    table.string('stage', 16).notNullable().defaultTo('None');
    table.string('status', 32).notNullable().defaultTo('READY');
    table.string('run_id', 255).nullable();
    table.text('artifact_uri').nullable();
    table.text('metrics').notNullable().defaultTo('{}');
    table.text('params').notNullable().defaultTo('{}');
    table.text('description').nullable();
    table.text('tags').notNullable().defaultTo('{}');
    table.string('created_by', 255).nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.timestamp('stage_changed_at', { useTz: true }).notNullable();
    table.unique(['model_id', 'version']);
    table.index(['model_id', 'stage'], 'mlops_model_versions_stage_idx');
  });

  await knex.schema.createTable('mlops_model_aliases', table => {
    table.comment('Named pointers (champion, challenger…) to model versions');
    table
      .bigInteger('model_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('mlops_registered_models')
      .onDelete('CASCADE');
    table.string('alias', 255).notNullable();
    table.integer('version').notNullable();
    table.primary(['model_id', 'alias']);
  });

  await knex.schema.createTable('mlops_model_history', table => {
    table.comment('Append-only audit trail of stage and alias changes');
    table.bigIncrements('id').primary();
    table
      .bigInteger('model_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('mlops_registered_models')
      .onDelete('CASCADE');
    // A plain number, not a foreign key: the entry outlives the version.
    table.integer('version').notNullable();
    table.string('action', 32).notNullable();
    table.string('alias', 255).nullable();
    table.string('from_value', 32).nullable();
    table.string('to_value', 32).nullable();
    table.string('actor', 255).notNullable();
    table.text('reason').nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.index(['model_id', 'id'], 'mlops_model_history_model_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_model_history');
  await knex.schema.dropTable('mlops_model_aliases');
  await knex.schema.dropTable('mlops_model_versions');
  await knex.schema.alterTable('mlops_registered_models', table => {
    table.dropColumn('latest_version');
  });
};
