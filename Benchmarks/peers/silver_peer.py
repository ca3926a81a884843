"""The peer side of `silver-compare`: DuckDB doing the silver transform of a directory of bronze
objects (JSON lines envelopes whose `payload` is the POS event as a JSON string).

A co-process: it prints `ready duckdb=<version>`, then answers one line per command from stdin.

  transform <bronze directory> <output directory>
      -> "<seconds> <valid> <quarantined> <duplicates>": read_json of every *.jsonl → the silver
         rules in SQL (DESIGN.md, "Silver"; the first failing rule is the reason) → one row per
         natural key → COPY … (FORMAT parquet, COMPRESSION zstd, PARTITION_BY event_date), and the
         rejected records with their reasons to a quarantine Parquet file (zstd).

DuckDB uses every core; the connection is new for each command, so no round reuses another's.
"""

import os
import sys
import time

import duckdb

FIELDS = [
    "transaction_id", "product_id", "product_name", "category", "quantity", "unit_price", "total_price",
    "timestamp", "store_id", "payment_method", "client_type", "event_type",
]

# The rules, in order; each is (reason, condition on the typed fields).
REASON = """
CASE
    WHEN NOT is_object THEN 'malformed:json'
    WHEN transaction_id IS NULL OR transaction_id = '' THEN 'null:transaction_id'
    WHEN product_id IS NULL OR product_id = '' THEN 'null:product_id'
    WHEN product_name IS NULL OR product_name = '' THEN 'null:product_name'
    WHEN category IS NULL OR category = '' THEN 'null:category'
    WHEN raw_quantity IS NULL THEN 'null:quantity'
    WHEN raw_unit_price IS NULL THEN 'null:unit_price'
    WHEN raw_total_price IS NULL THEN 'null:total_price'
    WHEN raw_timestamp IS NULL OR raw_timestamp = '' THEN 'null:timestamp'
    WHEN store_id IS NULL OR store_id = '' THEN 'null:store_id'
    WHEN quantity_type NOT IN ('BIGINT', 'UBIGINT') OR quantity IS NULL
        OR quantity < (CASE WHEN event_type = 'stock_count' THEN 0 ELSE 1 END) THEN 'invalid:quantity'
    WHEN unit_price IS NULL OR unit_price < 0 THEN 'invalid:unit_price'
    WHEN total_price IS NULL OR total_price < 0 THEN 'invalid:total_price'
    WHEN abs(total_price - unit_price * quantity) > 0.01 THEN 'inconsistent:total_vs_unit_x_qty'
    WHEN event_time IS NULL THEN 'invalid:timestamp'
    WHEN event_type NOT IN ('sale', 'restock', 'stock_count') THEN 'unknown:event_type'
END
"""

AMOUNT = r"'^-?[0-9]+(\.[0-9]{1,2})?$'"


def transform(bronze, output):
    start = time.perf_counter()
    os.makedirs(output, exist_ok=True)
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    paths = ", ".join(f"'$.{name}'" for name in FIELDS)
    connection.execute(
        f"""
        CREATE TEMP TABLE cleaned AS
        WITH raw AS (
            SELECT filename, sequence_number, payload,
                   CASE WHEN json_valid(payload) THEN json_type(payload) = 'OBJECT' ELSE false END AS is_object
            FROM read_json('{bronze}/*.jsonl', format = 'newline_delimited', filename = true,
                           ignore_errors = true,
                           columns = {{shard_id: 'VARCHAR', sequence_number: 'VARCHAR', partition_key: 'VARCHAR',
                                       arrival_time: 'VARCHAR', payload: 'VARCHAR'}})
        ),
        fields AS (
            SELECT *,
                   CASE WHEN is_object THEN json_extract_string(payload, [{paths}]) END AS f,
                   CASE WHEN is_object THEN json_type(payload, '$.quantity') END AS quantity_type
            FROM raw
        ),
        typed AS (
            SELECT filename, sequence_number, payload, is_object, quantity_type,
                   trim(f[1]) AS transaction_id, trim(f[2]) AS product_id, trim(f[3]) AS product_name,
                   upper(trim(f[4])) AS category,
                   f[5] AS raw_quantity, f[6] AS raw_unit_price, f[7] AS raw_total_price,
                   trim(f[8]) AS raw_timestamp, upper(trim(f[9])) AS store_id,
                   nullif(upper(trim(f[10])), '') AS payment_method, nullif(upper(trim(f[11])), '') AS client_type,
                   coalesce(f[12], 'sale') AS event_type,
                   TRY_CAST(f[5] AS BIGINT) AS quantity,
                   CASE WHEN regexp_matches(f[6], {AMOUNT}) THEN TRY_CAST(f[6] AS DECIMAL(18, 2)) END AS unit_price,
                   CASE WHEN regexp_matches(f[7], {AMOUNT}) THEN TRY_CAST(f[7] AS DECIMAL(18, 2)) END AS total_price,
                   TRY_CAST(trim(f[8]) AS TIMESTAMPTZ) AS event_time
            FROM fields
        )
        SELECT *, {REASON} AS reason FROM typed
        """
    )
    connection.execute(
        f"""
        COPY (
            SELECT DISTINCT ON (transaction_id, product_id, event_type)
                   transaction_id, product_id, product_name, category, quantity,
                   unit_price::DECIMAL(12, 2) AS unit_price, total_price::DECIMAL(12, 2) AS total_price,
                   event_time, store_id,
                   CASE WHEN event_type = 'sale' THEN payment_method END AS payment_method,
                   CASE WHEN event_type = 'sale' THEN client_type END AS client_type,
                   event_type, filename AS bronze_key, sequence_number,
                   CAST(event_time AS DATE) AS event_date
            FROM cleaned WHERE reason IS NULL
        ) TO '{output}/sales' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (event_date), OVERWRITE_OR_IGNORE)
        """
    )
    connection.execute(
        f"""
        COPY (
            SELECT filename AS bronze_key, sequence_number, reason, payload
            FROM cleaned WHERE reason IS NOT NULL
        ) TO '{output}/quarantine.parquet' (FORMAT parquet, COMPRESSION zstd)
        """
    )
    elapsed = time.perf_counter() - start
    accepted, distinct, quarantined = connection.execute(
        """
        SELECT count(*) FILTER (WHERE reason IS NULL),
               count(DISTINCT (transaction_id, product_id, event_type)) FILTER (WHERE reason IS NULL),
               count(*) FILTER (WHERE reason IS NOT NULL)
        FROM cleaned
        """
    ).fetchone()
    connection.close()
    return f"{elapsed:.6f} {distinct} {quarantined} {accepted - distinct}"


def main():
    print(f"ready duckdb={duckdb.__version__}", flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            break
        if words[0] == "transform" and len(words) == 3:
            print(transform(words[1], words[2]), flush=True)
        else:
            print(f"error unknown command {line.strip()}", flush=True)


main()
