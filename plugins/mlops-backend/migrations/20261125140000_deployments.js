/*
 * Deployments of registered model versions to environments.
 *
 * "One active deployment per model and environment" is enforced by the
 * database, not by a read-then-write check that two racing requests could
 * both pass: `active` is true while a deployment is pending or in progress
 * and NULL otherwise, and NULLs never collide in a unique index, on SQLite or
 * on PostgreSQL.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_deployments', table => {
    table.comment('Deployments of model versions to environments');
    table.bigIncrements('id').primary();
    table.string('model_name', 500).notNullable();
    table.integer('version').notNullable();
    table.string('environment', 100).notNullable();
    table.string('target', 100).notNullable();
    table.string('status', 32).notNullable();
    table.boolean('active').nullable();
    table.text('message').nullable();
    table.string('requested_by', 255).nullable();
    table.bigInteger('rollback_of').nullable();
    table.text('reason').nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.timestamp('started_at', { useTz: true }).nullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    // Kept when a successful deployment is later rolled back, so rollback
    // can still tell a version that once ran from one that never did.
    table.timestamp('succeeded_at', { useTz: true }).nullable();
    table.unique(['model_name', 'environment', 'active'], {
      indexName: 'mlops_deployments_one_active_idx',
    });
    table.index(
      ['model_name', 'environment', 'id'],
      'mlops_deployments_history_idx',
    );
    table.index(
      ['model_name', 'version', 'status'],
      'mlops_deployments_version_idx',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_deployments');
};
