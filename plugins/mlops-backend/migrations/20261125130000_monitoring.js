/*
 * Prediction monitoring: per-minute and per-hour rollups written on ingest,
 * a compact table of recently seen client event ids (idempotent ingest), and
 * bounded per-hour reservoirs of feature values for drift checks.
 *
 * Raw prediction events are not stored: every windowed read is answered from
 * the rollups, and the only thing a raw row would add is the ability to
 * re-aggregate, which at tens of thousands of events a second would dominate
 * both the write path and the disk. The dedupe needs only (model, event id),
 * kept for a limited time (see MonitoringStore).
 */

// Number of latency histogram buckets; must match LATENCY_BUCKET_COUNT in
// src/monitoring/histogram.ts.
const LATENCY_BUCKETS = 74;

/**
 * Creates a table; on SQLite as a WITHOUT ROWID table, so the rows are
 * stored in primary key order. Every read here is a range of that key (one
 * model, one resolution, a time range), which then touches a few adjacent
 * pages instead of one table page per row, and every insert updates one
 * b-tree instead of two.
 *
 * @param {import('knex').Knex} knex
 * @param {string} name
 * @param {(table: import('knex').Knex.CreateTableBuilder) => void} define
 */
async function createTable(knex, name, define) {
  const client = String(knex.client.config.client);
  if (!client.includes('sqlite')) {
    await knex.schema.createTable(name, define);
    return;
  }
  const [create, ...rest] = knex.schema.createTable(name, define).toSQL();
  await knex.raw(`${create.sql} without rowid`, create.bindings);
  for (const statement of rest) {
    await knex.raw(statement.sql, statement.bindings);
  }
}

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await createTable(knex, 'mlops_prediction_rollups', table => {
    table.comment(
      'Prediction counts, errors, latency histogram and label agreement per model, environment and minute (resolution 1), quarter hour (15) or hour (60)',
    );
    table.string('model', 250).notNullable();
    table.string('environment', 63).notNullable();
    table.smallint('resolution').notNullable();
    table.bigInteger('bucket_start').notNullable().comment('Epoch minute');
    table.bigInteger('count').notNullable();
    table.bigInteger('errors').notNullable();
    table.double('latency_sum').notNullable();
    table.bigInteger('labelled').notNullable();
    table.bigInteger('correct').notNullable();
    table.bigInteger('confidence_count').notNullable();
    table.double('confidence_sum').notNullable();
    for (let i = 0; i < LATENCY_BUCKETS; i++) {
      table.integer(`h${i}`).notNullable().defaultTo(0);
    }
    table.primary(
      ['model', 'resolution', 'bucket_start', 'environment'],
      'mlops_prediction_rollups_pk',
    );
    // Prune deletes by age across models; reads always name the model and
    // use the primary key (model, resolution, time range, environment).
    table.index(
      ['resolution', 'bucket_start'],
      'mlops_prediction_rollups_age_idx',
    );
  });

  await createTable(knex, 'mlops_prediction_event_ids', table => {
    table.comment(
      'Client event ids seen recently, so a retried batch is not counted twice',
    );
    table.string('model', 250).notNullable();
    table.string('event_id', 200).notNullable();
    table.bigInteger('received_minute').notNullable();
    table.primary(['model', 'event_id'], 'mlops_prediction_event_ids_pk');
    table.index(['received_minute'], 'mlops_prediction_event_ids_age_idx');
  });

  await createTable(knex, 'mlops_prediction_sample_windows', table => {
    table.comment(
      'How many events with features each hourly reservoir has seen',
    );
    table.string('model', 250).notNullable();
    table.bigInteger('window_start').notNullable().comment('Epoch minute');
    table.bigInteger('seen').notNullable();
    table.primary(
      ['model', 'window_start'],
      'mlops_prediction_sample_windows_pk',
    );
  });

  await createTable(knex, 'mlops_prediction_samples', table => {
    table.comment('Reservoir-sampled feature values per model and hour');
    table.string('model', 250).notNullable();
    table.bigInteger('window_start').notNullable().comment('Epoch minute');
    table.integer('slot').notNullable();
    table.string('environment', 63).notNullable();
    table.text('features').notNullable();
    table.primary(
      ['model', 'window_start', 'slot'],
      'mlops_prediction_samples_pk',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_prediction_samples');
  await knex.schema.dropTable('mlops_prediction_sample_windows');
  await knex.schema.dropTable('mlops_prediction_event_ids');
  await knex.schema.dropTable('mlops_prediction_rollups');
};
