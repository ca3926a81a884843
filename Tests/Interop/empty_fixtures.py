"""Writes Parquet files that hold no rows, row groups of no rows, or pages whose values take 0
bytes, for ParquetLite's public reader (EmptyTablesTests), each with what pyarrow reads of it.

Usage: empty_fixtures.py DIRECTORY. For each DIRECTORY/<name>.parquet it writes
<name>.parquet.json: {"num_rows": N, "row_groups": [rows of each row group], "schema": [...],
"rows": [...]}, rows rendered as reader_fixtures.py renders them, and "schema" one entry per
top-level field of pyarrow's reading in the notation of describe_field() below.

- pa_empty_*: a 0-row table of scalar, logical and nested columns from pyarrow, each codec (brotli
  too), pages v1 and v2, dictionary on and off. pyarrow 26 writes one row group of 0 rows whose
  column chunks hold no data page: `data_page_offset` is 0, and with a dictionary the chunk is
  an empty dictionary page. Also a writer closed before any row (no row group) and a file
  without the ARROW:schema metadata.
- pa_empty_groups_*: row groups of 3 and 2 rows with row groups of 0 rows before, between and
  after them.
- duckdb_empty_*: `COPY (SELECT ... WHERE false)`, which DuckDB writes without any row group.
- spark_null_pages_*: built by hand, as parquet-java (Spark 3.5) writes a DATA_PAGE_V2 of nulls
  only: the levels, then a values section of 0 bytes although the page says it is compressed
  (a codec's own encoding of nothing is not empty). One file per codec: a column whose second
  page is such a page, a string column of such pages only, and a dictionary-encoded column whose
  last page is one. The brotli file has only columns of null pages (ParquetLite has no brotli).
"""

import datetime
import decimal
import json
import os
import struct
import sys

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from reader_fixtures import render


# Schema notation


def describe(kind):
    """A type in a notation both sides can produce: ParquetLite reads a MAP as a list of key/value
    structs, a list element's name is left out."""
    if getattr(kind, "extension_name", None) == "arrow.uuid":
        return "uuid"
    if pa.types.is_map(kind):
        return "list<struct<%s, %s> not null>" % (describe_field(kind.key_field), describe_field(kind.item_field))
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return "list<%s%s>" % (describe(kind.value_type), "" if kind.value_field.nullable else " not null")
    if pa.types.is_struct(kind):
        return "struct<%s>" % ", ".join(describe_field(field) for field in kind)
    if pa.types.is_timestamp(kind):
        return "timestamp[%s%s]" % (kind.unit, ", UTC" if kind.tz is not None else "")
    if pa.types.is_decimal(kind):
        return "decimal(%d, %d)" % (kind.precision, kind.scale)
    if pa.types.is_fixed_size_binary(kind):
        return "fixed_size_binary[%d]" % kind.byte_width
    if pa.types.is_date32(kind):
        return "date32"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return "string"
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        return "binary"
    names = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float", "double"]
    if str(kind) in names:
        return str(kind)
    raise TypeError("no notation for %s" % kind)


def describe_field(field):
    return "%s: %s%s" % (field.name, describe(field.type), "" if field.nullable else " not null")


def save_expected(path):
    """What pyarrow reads of `path`, beside it as `path`.json."""
    read = pq.read_table(path)
    metadata = pq.ParquetFile(path).metadata
    schema = [describe_field(field) for field in read.schema]
    # Nanoseconds are shown truncated to microseconds, as the representation says.
    for index, field in enumerate(read.schema):
        if pa.types.is_timestamp(field.type) and field.type.unit == "ns":
            read = read.set_column(index, field.name, read[field.name].cast(pa.timestamp("us", field.type.tz),
                                                                             safe=False))
    rows = [{field.name: render(row[field.name], field.type) for field in read.schema} for row in read.to_pylist()]
    document = {"num_rows": read.num_rows, "schema": schema, "rows": rows,
                "row_groups": [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]}
    with open(path + ".json", "w") as handle:
        json.dump(document, handle)


# pyarrow and DuckDB

POINT = pa.struct([("x", pa.int32()), ("label", pa.string())])
SCHEMA = pa.schema([
    pa.field("id", pa.int64(), nullable=False),
    pa.field("i32", pa.int32()),
    pa.field("u8", pa.uint8()),
    pa.field("flag", pa.bool_()),
    pa.field("ratio", pa.float64()),
    pa.field("single", pa.float32()),
    pa.field("text", pa.string()),
    pa.field("raw", pa.binary()),
    pa.field("fixed", pa.binary(5)),
    pa.field("day", pa.date32()),
    pa.field("ts_ms", pa.timestamp("ms")),
    pa.field("ts_us_utc", pa.timestamp("us", tz="UTC")),
    pa.field("ts_ns", pa.timestamp("ns")),
    pa.field("price", pa.decimal128(7, 2)),
    pa.field("amount", pa.decimal128(38, 4)),
    pa.field("ints", pa.list_(pa.int64())),
    pa.field("point", POINT),
    pa.field("points", pa.list_(POINT)),
    pa.field("tags", pa.map_(pa.string(), pa.int32())),
])


def rows_table(count, start):
    """`count` rows of SCHEMA from id `start`, nulls at every level (no rows for 0)."""
    rows = range(start, start + count)

    def maybe(i, value):
        return None if i % 3 == 1 else value
    return pa.table({
        "id": [i for i in rows],
        "i32": [maybe(i, i * -7) for i in rows],
        "u8": [maybe(i, 200 + i) for i in rows],
        "flag": [maybe(i, i % 2 == 0) for i in rows],
        "ratio": [maybe(i, i / 8) for i in rows],
        "single": [maybe(i, i * 0.25) for i in rows],
        "text": [maybe(i, "été %d" % i) for i in rows],
        "raw": [maybe(i, bytes([255, i])) for i in rows],
        "fixed": [maybe(i, bytes([i] * 5)) for i in rows],
        "day": [maybe(i, datetime.date(2026, 1, 1) + datetime.timedelta(days=i)) for i in rows],
        "ts_ms": [maybe(i, datetime.datetime(2026, 1, 1, 8, 30) + datetime.timedelta(milliseconds=i)) for i in rows],
        "ts_us_utc": [maybe(i, datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)) for i in rows],
        "ts_ns": [maybe(i, 1_767_225_600_000_000_000 + i * 1001) for i in rows],
        "price": [maybe(i, decimal.Decimal(i * 37 - 20) / 100) for i in rows],
        "amount": [maybe(i, decimal.Decimal(i * 10 ** 20 + 7) / 10 ** 4) for i in rows],
        "ints": [maybe(i, [i, None, -i][: i % 4]) for i in rows],
        "point": [maybe(i, {"x": i, "label": None if i % 2 else "p"}) for i in rows],
        "points": [maybe(i, [{"x": j, "label": "q"} for j in range(i % 3)]) for i in rows],
        "tags": [maybe(i, [("k%d" % j, None if j else i) for j in range(i % 3)]) for i in rows],
    }, schema=SCHEMA)


def write_pyarrow(directory):
    empty = rows_table(0, 0)
    for codec in ["none", "snappy", "gzip", "zstd", "lz4", "brotli"]:
        for version in ["1.0", "2.0"]:
            for dictionary in [True, False]:
                suffix = "%s_v%s_%s" % (codec, version[0], "dict" if dictionary else "plain")
                path = os.path.join(directory, "pa_empty_%s.parquet" % suffix)
                pq.write_table(empty, path, compression=codec, data_page_version=version, use_dictionary=dictionary)
                save_expected(path)
    path = os.path.join(directory, "pa_empty_no_row_groups.parquet")
    pq.ParquetWriter(path, SCHEMA).close()
    save_expected(path)
    path = os.path.join(directory, "pa_empty_no_arrow_schema.parquet")
    pq.write_table(empty, path, store_schema=False)
    save_expected(path)
    for codec in ["snappy", "zstd"]:
        for version in ["1.0", "2.0"]:
            for dictionary in [True, False]:
                suffix = "%s_v%s_%s" % (codec, version[0], "dict" if dictionary else "plain")
                path = os.path.join(directory, "pa_empty_groups_%s.parquet" % suffix)
                with pq.ParquetWriter(path, SCHEMA, compression=codec, data_page_version=version,
                                      use_dictionary=dictionary) as writer:
                    start = 0
                    for count in [0, 3, 0, 2, 0]:
                        writer.write_table(rows_table(count, start))
                        start += count
                save_expected(path)


def write_duckdb(directory):
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    for codec in ["uncompressed", "snappy", "zstd", "gzip"]:
        path = os.path.join(directory, "duckdb_empty_%s.parquet" % codec)
        connection.execute(f"""
            COPY (SELECT
                i::INTEGER AS id, (i * 3)::BIGINT AS big, 'store_' || i::VARCHAR AS store, (i / 8.0)::DOUBLE AS ratio,
                (i * 0.25)::FLOAT AS single, (i % 3 = 0) AS flag, DATE '2025-12-25' AS day,
                TIMESTAMP '2026-01-01 00:00:00' AS ts, TIMESTAMPTZ '2026-01-01 00:00:00+00' AS tstz,
                (i * 1.05)::DECIMAL(9, 2) AS price, (i * 12345.678)::DECIMAL(18, 3) AS amount,
                (i * 98765.4321)::DECIMAL(30, 4) AS huge, [i, i + 1] AS list_col,
                {{'a': i, 'b': 'b' || i::VARCHAR}} AS struct_col, MAP(['k'], [i]) AS map_col,
                (i % 255)::UTINYINT AS tiny, i::UBIGINT AS ubig, 'x'::BLOB AS raw, gen_random_uuid() AS uuid
              FROM range(10) r(i) WHERE false)
            TO '{path}' (FORMAT PARQUET, COMPRESSION {codec})""")
        save_expected(path)


# Spark-style pages, built by hand (Thrift compact protocol)

BOOL, I32, I64, BINARY, LIST, STRUCT = 1, 5, 6, 8, 9, 12
CODECS = {"uncompressed": 0, "snappy": 1, "gzip": 2, "brotli": 4, "lz4": 5, "zstd": 6, "lz4_raw": 7}
INT32, INT64, BYTE_ARRAY = 1, 2, 6
PLAIN, RLE, RLE_DICTIONARY = 0, 3, 8


def varint(value):
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def zigzag(value):
    return (value << 1) ^ (value >> 63)


def thrift(*fields):
    """A Thrift compact struct of (id, type, value) fields in increasing id order; None values
    are left out; a STRUCT value is already encoded, a LIST value is (element type, items)."""
    out = bytearray()
    last = 0
    for field, kind, value in fields:
        if value is None:
            continue
        header = (2 - bool(value)) if kind == BOOL else kind  # BOOLEAN_TRUE 1, BOOLEAN_FALSE 2
        delta = field - last
        out += bytes([(delta << 4) | header]) if 0 < delta <= 15 else bytes([header]) + varint(zigzag(field))
        last = field
        if kind in (I32, I64):
            out += varint(zigzag(value))
        elif kind == BINARY:
            data = value.encode()
            out += varint(len(data)) + data
        elif kind == STRUCT:
            out += value
        elif kind == LIST:
            element, items = value
            assert len(items) < 15
            out.append((len(items) << 4) | element)
            for item in items:
                if element == I32:
                    out += varint(zigzag(item))
                elif element == BINARY:
                    out += varint(len(item.encode())) + item.encode()
                else:  # an encoded struct
                    out += item
    out.append(0)
    return bytes(out)


def runs(values):
    """An RLE/bit-packed hybrid of RLE runs only, for bit widths up to 8 (one byte per run value)."""
    out = bytearray()
    start = 0
    while start < len(values):
        end = start
        while end < len(values) and values[end] == values[start]:
            end += 1
        out += varint((end - start) << 1) + bytes([values[start]])
        start = end
    return bytes(out)


def compress(codec, data):
    if codec == "uncompressed":
        return data
    if codec == "lz4":  # Hadoop framing: big-endian sizes, then a raw block
        block = pa.compress(data, codec="lz4_raw", asbytes=True)
        return struct.pack(">II", len(data), len(block)) + block
    return pa.compress(data, codec=codec, asbytes=True)


def data_page_v2(codec, levels, values=b"", encoding=PLAIN):
    """A DATA_PAGE_V2 of a flat OPTIONAL column; a page of nulls only has a values section of 0
    bytes, with `is_compressed` true, as parquet-java writes it."""
    definitions = runs(levels)
    stored = compress(codec, values) if values else b""
    sub_header = thrift((1, I32, len(levels)), (2, I32, levels.count(0)), (3, I32, len(levels)), (4, I32, encoding),
                        (5, I32, len(definitions)), (6, I32, 0), (7, BOOL, True))
    header = thrift((1, I32, 3), (2, I32, len(definitions) + len(values)), (3, I32, len(definitions) + len(stored)),
                    (8, STRUCT, sub_header))
    return header + definitions + stored


def dictionary_page(codec, values):
    stored = compress(codec, values)
    return thrift((1, I32, 2), (2, I32, len(values)), (3, I32, len(stored)),
                  (7, STRUCT, thrift((1, I32, len(values) // 4), (2, I32, PLAIN)))) + stored


def handbuilt_file(path, codec, columns, rows):
    """columns: (name, physical type, converted type, dictionary page or None, data pages, encodings)."""
    body = bytearray(b"PAR1")
    chunks = []
    elements = [thrift((4, BINARY, "schema"), (5, I32, len(columns)))]
    for name, physical, converted, dictionary, pages, encodings in columns:
        start = len(body)
        body += dictionary or b""
        data_start = len(body)
        for page in pages:
            body += page
        size = len(body) - start
        metadata = thrift((1, I32, physical), (2, LIST, (I32, encodings)), (3, LIST, (BINARY, [name])),
                          (4, I32, CODECS[codec]), (5, I64, rows), (6, I64, size), (7, I64, size),
                          (9, I64, data_start), (11, I64, start if dictionary else None))
        chunks.append(thrift((2, I64, start), (3, STRUCT, metadata)))
        elements.append(thrift((1, I32, physical), (3, I32, 1), (4, BINARY, name), (6, I32, converted)))
    group = thrift((1, LIST, (STRUCT, chunks)), (2, I64, len(body) - 4), (3, I64, rows))
    footer = thrift((1, I32, 1), (2, LIST, (STRUCT, elements)), (3, I64, rows), (4, LIST, (STRUCT, [group])),
                    (6, BINARY, "empty_fixtures.py, pages as parquet-java writes them"))
    with open(path, "wb") as handle:
        handle.write(body + footer + struct.pack("<I", len(footer)) + b"PAR1")


def write_spark_style(directory):
    int64s = b"".join(struct.pack("<q", value) for value in [10, -3, 7])
    for codec in CODECS:
        nulls = [0] * 7
        columns = [
            ("s", BYTE_ARRAY, 0, None, [data_page_v2(codec, nulls)], [PLAIN, RLE]),
            ("nulls", INT64, None, None, [data_page_v2(codec, nulls[:4]), data_page_v2(codec, nulls[4:])],
             [PLAIN, RLE]),
        ]
        if codec != "brotli":
            columns += [
                ("n", INT64, None, None,
                 [data_page_v2(codec, [1, 0, 1, 1], int64s), data_page_v2(codec, [0, 0, 0])], [PLAIN, RLE]),
                # A dictionary of 100 and 200; indices 1, 0, 1 at bit width 1 (a width byte, then runs).
                ("d", INT32, None, dictionary_page(codec, struct.pack("<ii", 100, 200)),
                 [data_page_v2(codec, [1, 1, 0, 1], bytes([1]) + runs([1, 0, 1]), RLE_DICTIONARY),
                  data_page_v2(codec, [0, 0, 0], encoding=RLE_DICTIONARY)], [PLAIN, RLE, RLE_DICTIONARY]),
            ]
        path = os.path.join(directory, "spark_null_pages_%s.parquet" % codec)
        handbuilt_file(path, codec, columns, 7)
        save_expected(path)


def main():
    directory = sys.argv[1]
    write_pyarrow(directory)
    write_duckdb(directory)
    write_spark_style(directory)


if __name__ == "__main__":
    main()
