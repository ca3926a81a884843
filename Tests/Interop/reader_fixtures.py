"""Writes Parquet files with pyarrow and with DuckDB for ParquetLite's public reader, each with the
rows it must read in the representation of Tests/Conformance/parquet-testing/README.md.

Usage: reader_fixtures.py DIRECTORY. For each DIRECTORY/<name>.parquet it writes
<name>.parquet.json: {"num_rows": N, "rows": [{column: value, ...}, ...]}, where decimals are
their exact text (a string), maps are lists of {"key", "value"} objects (ParquetLite reads a MAP
as a list of key/value structs) and timestamps with a time zone are shown in UTC.

pyarrow files: logical types (decimals of every physical layout, dates, timestamps in each unit
with and without UTC, unsigned integers), nested columns (lists, lists of structs, structs of
lists, maps, lists of lists, nulls at every level), with dictionary on and off, pages v1 and v2,
each codec (LZ4_RAW included), several row groups. DuckDB files: the same kinds of columns as DuckDB writes them.
"""

import base64
import datetime
import decimal
import json
import math
import os
import sys

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

ROWS = 1200
# DuckDB cuts row groups at multiples of its 2,048-row vectors.
DUCKDB_ROWS = 5000


def render(value, kind):
    """A Python value read by pyarrow or DuckDB, in the conformance representation."""
    if value is None:
        return None
    if kind is not None and pa.types.is_map(kind):
        return [{"key": render(k, kind.key_type), "value": render(v, kind.item_type)} for k, v in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return str(value)
    if isinstance(value, datetime.date):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return "b64:" + base64.b64encode(value).decode()
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        fields = {f.name: f.type for f in kind} if kind is not None and pa.types.is_struct(kind) else {}
        return {k: render(v, fields.get(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        inner = kind.value_type if kind is not None and pa.types.is_list(kind) else None
        return [render(v, inner) for v in value]
    raise TypeError("cannot render %r" % (value,))


def save(directory, name, table, **options):
    path = os.path.join(directory, name + ".parquet")
    pq.write_table(table, path, **options)
    read = pq.read_table(path)
    # Nanoseconds are shown truncated to microseconds, as the representation says.
    for index, field in enumerate(read.schema):
        if pa.types.is_timestamp(field.type) and field.type.unit == "ns":
            read = read.set_column(index, field.name, read[field.name].cast(pa.timestamp("us", field.type.tz),
                                                                             safe=False))
    rows = [{field.name: render(row[field.name], field.type) for field in read.schema} for row in read.to_pylist()]
    with open(path + ".json", "w") as handle:
        json.dump({"num_rows": read.num_rows, "rows": rows}, handle)


def logical_table():
    base = datetime.datetime(2026, 1, 1, 8, 30)
    return pa.table({
        "dec32": pa.array([None if i % 9 == 0 else decimal.Decimal(i * 37 - 20000) / 100 for i in range(ROWS)],
                          pa.decimal128(7, 2)),
        "dec64": pa.array([decimal.Decimal(i * 1234567 - 10 ** 12) / 1000 for i in range(ROWS)], pa.decimal128(18, 3)),
        "dec128": pa.array([decimal.Decimal(i * 10 ** 20 + 7) / 10 ** 4 * (-1 if i % 2 else 1) for i in range(ROWS)],
                           pa.decimal128(38, 4)),
        "day": pa.array([None if i % 10 == 3 else datetime.date(1969, 12, 1) + datetime.timedelta(days=i * 13)
                         for i in range(ROWS)], pa.date32()),
        "ts_ms": pa.array([base + datetime.timedelta(milliseconds=i * 1009) for i in range(ROWS)],
                          pa.timestamp("ms")),
        "ts_us_utc": pa.array([None if i % 7 == 0 else base + datetime.timedelta(microseconds=i * 999_983)
                               for i in range(ROWS)], pa.timestamp("us", tz="UTC")),
        "ts_ns": pa.array([(i * 1_000_000_007) + 1_767_225_600_000_000_000 for i in range(ROWS)],
                          pa.timestamp("ns")),
        "u8": pa.array([i % 256 for i in range(ROWS)], pa.uint8()),
        "u32": pa.array([(i * 2654435761) % (1 << 32) for i in range(ROWS)], pa.uint32()),
        "u64": pa.array([(i * 11400714819323198485) % (1 << 64) for i in range(ROWS)], pa.uint64()),
        "i8": pa.array([None if i % 4 == 0 else (i % 256) - 128 for i in range(ROWS)], pa.int8()),
        "flag": pa.array([None if i % 6 == 0 else i % 3 == 0 for i in range(ROWS)], pa.bool_()),
        "text": pa.array([None if i % 8 == 0 else "été %d ✓" % (i % 50) for i in range(ROWS)], pa.string()),
    })


def nested_table():
    def maybe(i, modulo, value):
        return None if i % modulo == 0 else value
    struct_type = pa.struct([("x", pa.int32()), ("label", pa.string())])
    return pa.table({
        "ints": pa.array([maybe(i, 7, [maybe(j + i, 5, j * i) for j in range(i % 4)]) for i in range(ROWS)],
                         pa.list_(pa.int64())),
        "words": pa.array([maybe(i, 9, ["w%d" % (i * j % 13) for j in range(i % 3)]) for i in range(ROWS)],
                          pa.list_(pa.string())),
        "point": pa.array([maybe(i, 6, {"x": maybe(i, 4, i), "label": "p%d" % i}) for i in range(ROWS)],
                          struct_type),
        "points": pa.array([maybe(i, 5, [maybe(j, 3, {"x": j, "label": maybe(j + i, 2, "q")})
                                         for j in range(i % 5)]) for i in range(ROWS)], pa.list_(struct_type)),
        "grid": pa.array([maybe(i, 11, [maybe(j, 4, [k * j for k in range((i + j) % 3)]) for j in range(i % 4)])
                          for i in range(ROWS)], pa.list_(pa.list_(pa.int32()))),
        "tags": pa.array([maybe(i, 8, [("k%d" % j, maybe(j, 2, i * j)) for j in range(i % 3)]) for i in range(ROWS)],
                         pa.map_(pa.string(), pa.int32())),
        "record": pa.array([maybe(i, 10, {"id": i, "scores": maybe(i, 3, [float(i) / 4, float(-i)])})
                            for i in range(ROWS)],
                           pa.struct([("id", pa.int64()), ("scores", pa.list_(pa.float64()))])),
        "required_id": pa.array(range(ROWS), pa.int32()),
    })


def write_pyarrow(directory):
    logical = logical_table()
    nested = nested_table()
    for codec in ["none", "snappy", "gzip", "zstd", "lz4"]:
        for version in ["1.0", "2.0"]:
            for dictionary in [True, False]:
                suffix = "%s_v%s_%s" % (codec, version[0], "dict" if dictionary else "plain")
                options = dict(compression=codec, data_page_version=version, use_dictionary=dictionary,
                               row_group_size=500, data_page_size=2048)
                save(directory, "pa_logical_" + suffix, logical, **options)
                save(directory, "pa_nested_" + suffix, nested, **options)
    # Legacy list naming (element called "item") and INT96 timestamps, as older writers made them.
    save(directory, "pa_nested_legacy_names", nested, use_compliant_nested_type=False, row_group_size=700)
    save(directory, "pa_int96", pa.table({"ts": logical["ts_ms"], "id": logical["u8"]}),
         use_deprecated_int96_timestamps=True, row_group_size=500)


def write_duckdb(directory):
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute("SET threads = 1")
    connection.execute(f"""
        CREATE TABLE t AS SELECT
            i::INTEGER AS id,
            CASE WHEN i % 7 = 0 THEN NULL ELSE i * 1000003 END::BIGINT AS big,
            CASE WHEN i % 5 = 0 THEN NULL ELSE 'store_' || (i % 37)::VARCHAR END AS store,
            (i / 8.0)::DOUBLE AS ratio,
            (i * 0.25)::FLOAT AS single,
            (i % 3 = 0) AS flag,
            (DATE '2025-12-25' + (i % 400)::INTEGER) AS day,
            (TIMESTAMP '2026-01-01 00:00:00' + INTERVAL (i * 1733) MILLISECOND) AS ts,
            (TIMESTAMPTZ '2026-01-01 00:00:00+00' + INTERVAL (i * 61) SECOND) AS tstz,
            (i * 1.05)::DECIMAL(9, 2) AS price,
            (i * 12345.678)::DECIMAL(18, 3) AS amount,
            (i * 98765.4321)::DECIMAL(30, 4) AS huge,
            CASE WHEN i % 6 = 0 THEN NULL ELSE [i, i + 1, NULL, i + 3][1:(i % 4) + 1] END AS list_col,
            {{'a': i, 'b': CASE WHEN i % 4 = 0 THEN NULL ELSE 'b' || i::VARCHAR END}} AS struct_col,
            (i % 255)::UTINYINT AS tiny,
            (i::UBIGINT * 3000000000000000) AS ubig
        FROM range({DUCKDB_ROWS}) r(i)
    """)
    for codec in ["uncompressed", "snappy", "zstd", "gzip"]:
        path = os.path.join(directory, "duckdb_%s.parquet" % codec)
        connection.execute(f"COPY t TO '{path}' (FORMAT PARQUET, COMPRESSION {codec}, ROW_GROUP_SIZE 2048)")
        columns = [d[0] for d in connection.execute("SELECT * FROM t LIMIT 0").description]
        # TIMESTAMPTZ fetched as its UTC wall time (the session is in UTC), which is what the
        # representation shows.
        rows = connection.execute(
            f"SELECT * REPLACE (tstz::TIMESTAMP AS tstz) FROM read_parquet('{path}')").fetchall()
        types = {f.name: f.type for f in pq.read_schema(path)}
        document = {"num_rows": len(rows),
                    "rows": [{c: render(v, types.get(c)) for c, v in zip(columns, row)} for row in rows]}
        with open(path + ".json", "w") as handle:
            json.dump(document, handle)


def main():
    directory = sys.argv[1]
    write_pyarrow(directory)
    write_duckdb(directory)


if __name__ == "__main__":
    main()
