/*
 * Health and incidents: the detectors' latest observations per MLOps object
 * (kept for a day, for the health card's charts), incidents with their
 * timelines, and the rule that a (kind, object, symptom) has at most one
 * open incident.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_health_checks', table => {
    table.comment('One detector evaluation of one MLOps object');
    table.bigIncrements('id').primary();
    table.string('object_kind', 32).notNullable();
    table.string('object_name', 500).notNullable();
    table.timestamp('checked_at', { useTz: true }).notNullable();
    table
      .text('observed')
      .notNullable()
      .comment('JSON array of the detectors that had data to judge by');
    table
      .text('findings')
      .notNullable()
      .comment('JSON array of the symptoms raised, with their evidence');
    table
      .text('metrics')
      .nullable()
      .comment('JSON windowed prediction stats, for models with monitoring');
    table.index(
      ['object_kind', 'object_name', 'checked_at'],
      'mlops_health_checks_object_idx',
    );
    table.index(['checked_at'], 'mlops_health_checks_checked_at_idx');
  });

  await knex.schema.createTable('mlops_incidents', table => {
    table.comment('Incidents opened by the health detectors');
    table.string('id', 36).primary();
    table.string('object_kind', 32).notNullable();
    table.string('object_name', 500).notNullable();
    table.string('symptom', 64).notNullable();
    table.string('severity', 16).notNullable();
    table.string('status', 16).notNullable();
    table.text('message').notNullable();
    table.text('evidence').nullable();
    table.timestamp('opened_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.timestamp('last_seen_at', { useTz: true }).notNullable();
    table.timestamp('clear_since', { useTz: true }).nullable();
    table.timestamp('acknowledged_at', { useTz: true }).nullable();
    table.string('acknowledged_by', 255).nullable();
    table.timestamp('resolved_at', { useTz: true }).nullable();
    table.string('resolved_by', 255).nullable();
    table.index(
      ['object_kind', 'object_name', 'opened_at'],
      'mlops_incidents_object_idx',
    );
  });
  // The database, not the detectors, guarantees one open incident per
  // (object, symptom): two replicas evaluating at once race on this index
  // and the loser updates the winner's incident. Partial unique indexes have
  // the same syntax on SQLite and PostgreSQL.
  await knex.raw(
    `CREATE UNIQUE INDEX mlops_incidents_one_open_idx
       ON mlops_incidents (object_kind, object_name, symptom)
       WHERE status <> 'resolved'`,
  );

  await knex.schema.createTable('mlops_incident_events', table => {
    table.comment('Timeline of an incident');
    table.bigIncrements('id').primary();
    table
      .string('incident_id', 36)
      .notNullable()
      .references('id')
      .inTable('mlops_incidents')
      .onDelete('CASCADE');
    table.string('type', 32).notNullable();
    table.timestamp('at', { useTz: true }).notNullable();
    table.string('actor', 255).nullable();
    table.text('message').notNullable();
    table.text('evidence').nullable();
    table.index(['incident_id', 'id'], 'mlops_incident_events_incident_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_incident_events');
  await knex.schema.dropTable('mlops_incidents');
  await knex.schema.dropTable('mlops_health_checks');
};
