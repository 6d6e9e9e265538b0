/*
 * What the catalog needs to mirror store objects: where a model is served
 * and tags on pipelines (models and experiments already have tags).
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mlops_registered_models', table => {
    table.string('serving_url', 2048).nullable();
  });
  await knex.schema.alterTable('mlops_pipelines', table => {
    table.text('tags').notNullable().defaultTo('{}');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mlops_pipelines', table => {
    table.dropColumn('tags');
  });
  await knex.schema.alterTable('mlops_registered_models', table => {
    table.dropColumn('serving_url');
  });
};
