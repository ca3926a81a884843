"""The peer side of `parquet-compare`: pyarrow writing the DATASET.md table, timed in-process.

Usage: parquet_peer.py ROWS. Builds the table as an Arrow table (untimed), prints
`ready pyarrow=<version>`, then answers one line per command:

  write CODEC LEVEL -> "<seconds> <bytes>": pq.write_table of the whole table into an in-memory
                       buffer, one row group, dictionary on, the codec (zstd, snappy, none) and,
                       for zstd, the level passed explicitly.
  save PATH LEVEL   -> "<bytes>": the same with zstd at LEVEL, written to the file PATH (untimed;
                       the file `parquet-read-compare` reads).
  read PATH         -> "<seconds> <rows>": pq.read_table of every column of the file, whose bytes
                       were loaded into memory before the clock starts (pyarrow's default threads).
"""

import io
import os
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dataset  # noqa: E402

NAMES = ["transaction_id", "product_id", "product_name", "product_category", "store_id", "quantity",
         "unit_price", "total_price", "sale_timestamp", "payment_method", "client_type", "loyalty_id"]
TYPES = [pa.string()] * 5 + [pa.int32(), pa.float64(), pa.float64(), pa.timestamp("us", tz="UTC"),
                             pa.string(), pa.string(), pa.int64()]


def arrow_table(count):
    """The DATASET.md table of `count` rows as an Arrow table (its formulas checked first)."""
    dataset.verify()
    columns = list(zip(*dataset.rows(count)))
    fields = [pa.field(name, kind, nullable=(name == "loyalty_id")) for name, kind in zip(NAMES, TYPES)]
    return pa.table([pa.array(column, type=kind) for column, kind in zip(columns, TYPES)], schema=pa.schema(fields))


def main():
    count = int(sys.argv[1])
    table = arrow_table(count)
    print("ready pyarrow=%s" % pa.__version__, flush=True)
    loaded = {}
    for line in sys.stdin:
        words = line.split()
        if words == ["quit"]:
            return
        if len(words) == 3 and words[0] == "save":
            pq.write_table(table, words[1], compression="zstd", compression_level=int(words[2]),
                           row_group_size=count, use_dictionary=True)
            print(os.path.getsize(words[1]), flush=True)
            continue
        if len(words) == 2 and words[0] == "read":
            if words[1] not in loaded:
                with open(words[1], "rb") as handle:
                    loaded[words[1]] = handle.read()
            start = time.perf_counter()
            result = pq.read_table(pa.BufferReader(loaded[words[1]]))
            elapsed = time.perf_counter() - start
            print("%.6f %d" % (elapsed, result.num_rows), flush=True)
            continue
        if len(words) != 3 or words[0] != "write":
            raise SystemExit("unknown command: " + line.strip())
        codec, level = words[1], int(words[2])
        buffer = io.BytesIO()
        start = time.perf_counter()
        pq.write_table(table, buffer, compression=codec, compression_level=level if codec == "zstd" else None,
                       row_group_size=count, use_dictionary=True)
        elapsed = time.perf_counter() - start
        print("%.6f %d" % (elapsed, len(buffer.getvalue())), flush=True)


if __name__ == "__main__":
    main()
