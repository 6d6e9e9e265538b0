/*
 * What the owning teams were told about each incident: one row per
 * incident and notice (opened, each severity it turned to, resolved). The
 * primary key is the claim: a replica inserts the row before it sends, so
 * two replicas evaluating the same incident send each notice once.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_incident_notifications', table => {
    table.comment('Notifications sent to the owners of an incident');
    table
      .string('incident_id', 36)
      .notNullable()
      .references('id')
      .inTable('mlops_incidents')
      .onDelete('CASCADE');
    table
      .string('notice', 32)
      .notNullable()
      .comment("'opened', 'severity:<severity>' or 'resolved'");
    table.string('severity', 16).notNullable();
    table.text('recipients').nullable().comment('JSON array of entity refs');
    table.timestamp('notified_at', { useTz: true }).notNullable();
    table.primary(['incident_id', 'notice']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_incident_notifications');
};
