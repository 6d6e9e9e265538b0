/*
 * The first schema of the MLOps store: the objects that catalog entities link
 * to through their backstage-mlops.dev annotations. Later capabilities add
 * their own tables in their own migrations.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_experiments', table => {
    table.comment('Experiments that training runs log to');
    table.bigIncrements('id').primary();
    table.string('name', 500).notNullable().unique();
    table.string('owner', 255).nullable();
    table.text('description').nullable();
    table.text('tags').notNullable().defaultTo('{}');
    table.string('lifecycle_stage', 32).notNullable().defaultTo('active');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('mlops_pipelines', table => {
    table.comment('Pipeline definitions run by an orchestrator');
    table.bigIncrements('id').primary();
    table.string('name', 500).notNullable().unique();
    table.string('owner', 255).nullable();
    table.text('description').nullable();
    table.string('orchestrator', 32).nullable();
    table.string('schedule', 255).nullable();
    table.text('stages').notNullable().defaultTo('[]');
    table.string('experiment_name', 500).nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('mlops_registered_models', table => {
    table.comment('Models registered in the model registry');
    table.bigIncrements('id').primary();
    table.string('name', 500).notNullable().unique();
    table.string('owner', 255).nullable();
    table.text('description').nullable();
    table.text('tags').notNullable().defaultTo('{}');
    table.string('pipeline_name', 500).nullable();
    table.string('experiment_name', 500).nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_registered_models');
  await knex.schema.dropTable('mlops_pipelines');
  await knex.schema.dropTable('mlops_experiments');
};
