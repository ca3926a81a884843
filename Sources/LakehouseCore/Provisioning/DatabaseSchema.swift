import PGLite

/// The pipeline's PostgreSQL schema, as migrations applied in order, once each (recorded in
/// `schema_migrations`). A migration is never edited once released: a change is a new one.
public enum DatabaseSchema {
    public static let migrations: [PGMigration] = [
        PGMigration(
            name: "0001_ingest_checkpoints",
            sql: """
                CREATE TABLE ingest_checkpoints (
                    stream text NOT NULL,
                    shard_id text NOT NULL,
                    -- The last sequence number whose record is in bronze; reading resumes after it.
                    sequence_number text NOT NULL,
                    -- The bronze object that holds it, and how many records that object holds.
                    bronze_key text NOT NULL,
                    records bigint NOT NULL,
                    -- Set when the shard was read to its end (a parent after a reshard).
                    shard_ended boolean NOT NULL DEFAULT false,
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (stream, shard_id)
                );
                """)
    ]
}
