"""The peer side of `pg-compare`: psycopg 3 doing the staged upsert PGLite does, timed in-process.

Usage: pg_peer.py DATABASE_URL ROWS. Builds the DATASET.md rows (untimed), prints
`ready psycopg=<version> impl=<c|binary|python>`, then answers one line per command:

  upsert   -> "<seconds> <rows affected>": in one transaction, CREATE TEMP TABLE … ON COMMIT DROP,
              binary COPY of the rows into it with Copy.write_row, INSERT … ON CONFLICT DO UPDATE, COMMIT
"""

import os
import sys
import time

import psycopg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dataset  # noqa: E402

STAGING = "CREATE TEMP TABLE bench_staging (LIKE bench_upsert INCLUDING DEFAULTS) ON COMMIT DROP"
# Both sides use their fastest path: binary COPY (psycopg: Copy.set_types + write_row).
COPY = "COPY bench_staging FROM STDIN (FORMAT binary)"
TYPES = ["text", "text", "text", "text", "text", "int4", "float8", "float8", "timestamptz", "text", "text", "int8"]


def main():
    url, count = sys.argv[1], int(sys.argv[2])
    dataset.verify()
    rows = dataset.rows(count)
    upsert_sql = os.environ["PG_COMPARE_UPSERT_SQL"]
    connection = psycopg.connect(url, autocommit=False)
    print("ready psycopg=%s impl=%s" % (psycopg.__version__, psycopg.pq.__impl__), flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "quit":
            return
        if command != "upsert":
            raise SystemExit("unknown command: " + command)
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(STAGING)
            with cursor.copy(COPY) as copy:
                copy.set_types(TYPES)
                for row in rows:
                    copy.write_row(row)
            cursor.execute(upsert_sql)
            affected = cursor.rowcount
        connection.commit()
        print("%.6f %d" % (time.perf_counter() - start, affected), flush=True)


if __name__ == "__main__":
    main()
