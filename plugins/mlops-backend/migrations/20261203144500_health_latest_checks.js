/*
 * The newest detector check of each MLOps object, kept beside the check
 * history. Health views read it for thousands of objects at once (the
 * fleet); finding the newest row per object in the history costs a scan of
 * every object's day of checks, on SQLite and PostgreSQL alike.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_health_latest_checks', table => {
    table.comment('The newest row of mlops_health_checks per object');
    table.string('object_kind', 32).notNullable();
    table.string('object_name', 500).notNullable();
    table.timestamp('checked_at', { useTz: true }).notNullable();
    table.text('observed').notNullable();
    table.text('findings').notNullable();
    table.text('metrics').nullable();
    table.primary(['object_kind', 'object_name']);
    table.index(['checked_at'], 'mlops_health_latest_checks_checked_at_idx');
  });
  // Carry over what the history already knows: its newest row per object.
  await knex
    .into(
      knex.raw('?? (??, ??, ??, ??, ??, ??)', [
        'mlops_health_latest_checks',
        'object_kind',
        'object_name',
        'checked_at',
        'observed',
        'findings',
        'metrics',
      ]),
    )
    .insert(
      knex
        .from(
          knex('mlops_health_checks')
            .select(
              'object_kind',
              'object_name',
              'checked_at',
              'observed',
              'findings',
              'metrics',
              knex.raw(
                'row_number() over (partition by object_kind, object_name order by checked_at desc, id desc) as newest',
              ),
            )
            .as('ranked'),
        )
        .where('newest', 1)
        .select(
          'object_kind',
          'object_name',
          'checked_at',
          'observed',
          'findings',
          'metrics',
        ),
    );
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_health_latest_checks');
};
