"""The peer side of `ingest-compare`: boto3 doing what the producer and the ingest job do, timed
in-process.

A co-process: it prints `ready boto3=<version>`, then answers one line per command read from
stdin, so that the Swift driver can alternate the two sides in one run.

  put <endpoint> <stream> <file>
      -> "<events per second>": put_records of the file's records (one per line:
         base64 payload, a tab, the partition key) in calls of 500, in order, one caller.
  drain <endpoint> <stream> <bucket>
      -> "<records> <records per second>": a minimal consumer, one thread per shard: get_records
         from TRIM_HORIZON (at most 5 calls a second per shard, as Kinesis allows), each batch of
         10,000 records written to S3 as the job's JSON lines (payload and Kinesis metadata),
         until every shard is drained. It keeps no checkpoints: the job it is compared with does.

Credentials are moto's (any will do).
"""

import base64
import json
import sys
import threading
import time

import boto3

RECORDS_PER_CALL = 500
FLUSH_RECORDS = 10_000
CLIENTS = {}


def client(service, url):
    key = (service, url)
    if key not in CLIENTS:
        CLIENTS[key] = boto3.session.Session().client(
            service,
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
    return CLIENTS[key]


def put(url, stream, path):
    with open(path, encoding="ascii") as lines:
        records = []
        for line in lines:
            payload, key = line.rstrip("\n").split("\t")
            records.append({"Data": base64.b64decode(payload), "PartitionKey": key})
    kinesis = client("kinesis", url)
    start = time.perf_counter()
    for index in range(0, len(records), RECORDS_PER_CALL):
        answer = kinesis.put_records(StreamName=stream, Records=records[index : index + RECORDS_PER_CALL])
        if answer["FailedRecordCount"] != 0:
            raise SystemExit("moto rejected records")
    return len(records) / (time.perf_counter() - start)


def envelope(shard, record):
    """The job's bronze line: the payload as text when it is UTF-8, else base64."""
    line = {
        "shard_id": shard,
        "sequence_number": record["SequenceNumber"],
        "partition_key": record["PartitionKey"],
        "arrival_time": record["ApproximateArrivalTimestamp"].isoformat(),
    }
    try:
        line["payload"] = record["Data"].decode("utf-8")
    except UnicodeDecodeError:
        line["payload_base64"] = base64.b64encode(record["Data"]).decode("ascii")
    return line


def drain_shard(kinesis, s3, stream, bucket, shard, counts):
    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    buffer = []

    def flush():
        if not buffer:
            return
        body = "".join(json.dumps(envelope(shard, r)) + "\n" for r in buffer)
        key = "peer/%s-%s-%s.jsonl" % (shard, buffer[0]["SequenceNumber"], buffer[-1]["SequenceNumber"])
        s3.put_object(Bucket=bucket, Key=key, Body=body.encode())
        counts[shard] = counts.get(shard, 0) + len(buffer)
        buffer.clear()

    while iterator:
        started = time.perf_counter()
        answer = kinesis.get_records(ShardIterator=iterator, Limit=10_000)
        buffer.extend(answer["Records"])
        if len(buffer) >= FLUSH_RECORDS:
            flush()
        iterator = answer.get("NextShardIterator")
        if not answer["Records"] and answer.get("MillisBehindLatest", 0) == 0:
            break
        pause = 0.2 - (time.perf_counter() - started)
        if pause > 0:
            time.sleep(pause)
    flush()


def drain(url, stream, bucket):
    kinesis = client("kinesis", url)
    s3 = client("s3", url)
    shards = [s["ShardId"] for s in kinesis.list_shards(StreamName=stream)["Shards"]]
    counts = {}
    start = time.perf_counter()
    threads = [
        threading.Thread(target=drain_shard, args=(kinesis, s3, stream, bucket, shard, counts)) for shard in shards
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    total = sum(counts.values())
    return total, total / elapsed


def main():
    print("ready boto3=%s" % boto3.__version__, flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "put":
            print("%.3f" % put(words[1], words[2], words[3]), flush=True)
        elif words[0] == "drain":
            records, rate = drain(words[1], words[2], words[3])
            print("%d %.3f" % (records, rate), flush=True)
        elif words[0] == "quit":
            return
        else:
            raise SystemExit("unknown command: " + line.strip())


if __name__ == "__main__":
    main()
