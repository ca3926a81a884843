"""The polars and DuckDB side of `parquet-compare` and `parquet-read-compare`, timed in-process.

Usage: frame_peer.py ROWS THREADS. Sets polars' and DuckDB's thread pools to THREADS (polars
reads POLARS_MAX_THREADS when it is imported), builds the DATASET.md table as a polars
DataFrame and as a DuckDB table in DuckDB's own storage (untimed), prints
`ready polars=<version> duckdb=<version> threads=<n>`, then answers one line per command:

  write polars LEVEL  -> "<seconds> <bytes>": DataFrame.write_parquet into an in-memory buffer,
                         zstd at LEVEL, one row group, statistics on.
  write duckdb LEVEL  -> "<seconds> <bytes>": COPY … TO a file under /dev/shm (the temporary
                         directory where there is none), FORMAT parquet, zstd at LEVEL, one row group.
  read PATH           -> "<seconds> <rows>": pl.read_parquet of every column of the file, whose
                         bytes were loaded into memory before the clock starts, in polars'
                         default mode (parallel="auto") and with parallel="none"; the faster
                         of the two is answered, so the peer is never held to its slower mode.
"""

import io
import os
import sys
import tempfile
import time

THREADS = int(sys.argv[2])
os.environ["POLARS_MAX_THREADS"] = str(THREADS)

import duckdb  # noqa: E402
import polars as pl  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from parquet_peer import arrow_table  # noqa: E402


def main():
    count = int(sys.argv[1])
    table = arrow_table(count)
    frame = pl.from_arrow(table).rechunk()
    connection = duckdb.connect()
    connection.execute("SET threads = %d" % THREADS)
    connection.register("arrow_table", table)
    connection.execute("CREATE TABLE sales AS SELECT * FROM arrow_table")
    connection.unregister("arrow_table")
    directory = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
    target = os.path.join(directory, "frame-peer-%d.parquet" % os.getpid())
    print("ready polars=%s duckdb=%s threads=%d" % (pl.__version__, duckdb.__version__, pl.thread_pool_size()),
          flush=True)
    loaded = {}
    try:
        for line in sys.stdin:
            words = line.split()
            if words == ["quit"]:
                return
            if words[:2] == ["write", "polars"] and len(words) == 3:
                buffer = io.BytesIO()
                start = time.perf_counter()
                frame.write_parquet(buffer, compression="zstd", compression_level=int(words[2]),
                                    row_group_size=count, statistics=True)
                elapsed = time.perf_counter() - start
                print("%.6f %d" % (elapsed, len(buffer.getvalue())), flush=True)
            elif words[:2] == ["write", "duckdb"] and len(words) == 3:
                start = time.perf_counter()
                connection.execute(
                    "COPY sales TO '%s' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL %d, ROW_GROUP_SIZE %d)"
                    % (target, int(words[2]), count))
                elapsed = time.perf_counter() - start
                print("%.6f %d" % (elapsed, os.path.getsize(target)), flush=True)
            elif words[0] == "read" and len(words) == 2:
                if words[1] not in loaded:
                    with open(words[1], "rb") as handle:
                        loaded[words[1]] = handle.read()
                best = None
                for mode in ("auto", "none"):
                    start = time.perf_counter()
                    result = pl.read_parquet(io.BytesIO(loaded[words[1]]), parallel=mode)
                    elapsed = time.perf_counter() - start
                    best = elapsed if best is None else min(best, elapsed)
                print("%.6f %d" % (best, result.height), flush=True)
            else:
                raise SystemExit("unknown command: " + line.strip())
    finally:
        if os.path.exists(target):
            os.remove(target)


if __name__ == "__main__":
    main()
