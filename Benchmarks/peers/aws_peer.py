"""The peer side of `aws-compare`: boto3 / botocore doing what AWSLite does, timed in-process.

A co-process: it prints `ready boto3=<version> botocore=<version>`, then answers one line per
command read from stdin, so that the Swift driver can alternate the two sides in one run.

  put <endpoint-url> <calls>   -> "<requests per second>" of put_records with 500 records of 200 B
  sign <count>                 -> "<signatures per second>" of SigV4Auth.add_auth on a GetRecords request

The inputs are the ones Benchmarks/Sources/BenchmarkSupport/BenchmarkInputs.swift defines.
"""

import sys
import time

import boto3
import botocore
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

RECORDS_PER_CALL = 500
RECORD_BYTES = 200
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SHARD_ITERATOR = (
    "AAAAAAAAAAHSywljv0zEgPX4NyKdZ5wryMzP9yALs8NeKbUjp1IxtZs1Sp+KEd9I6AJ9ZG4lNR1EMi+9Md/nHvtLyxpfhEzYvkTZ4D9DQVz/"
    "mBYWRO6OTZRKnW9gd+efGN2aHFdkH1rJl4BL9Wyrk+ghYG22D2T1Da2EyNSH1+LAbK33gQweTJADBdyMwlo5r6PqcP2dzhg="
)


def records():
    return [
        {
            "Data": bytes((i * 31 + j) % 256 for j in range(RECORD_BYTES)),
            "PartitionKey": "STORE_%03d" % (i % 50),
        }
        for i in range(RECORDS_PER_CALL)
    ]


RECORDS = records()
CLIENTS = {}


def client(url):
    if url not in CLIENTS:
        CLIENTS[url] = boto3.session.Session().client(
            "kinesis",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )
    return CLIENTS[url]


def put(url, calls):
    kinesis = client(url)
    for _ in range(3):  # warm the connection pool and botocore's caches
        kinesis.put_records(StreamName="bench", Records=RECORDS)
    start = time.perf_counter()
    for _ in range(calls):
        answer = kinesis.put_records(StreamName="bench", Records=RECORDS)
        if answer["FailedRecordCount"] != 0 or len(answer["Records"]) != RECORDS_PER_CALL:
            raise SystemExit("the endpoint did not accept every record")
    return calls / (time.perf_counter() - start)


def sign(count):
    auth = SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "kinesis", "us-east-1")
    body = ('{"ShardIterator":"%s","Limit":10000}' % SHARD_ITERATOR).encode()
    request = AWSRequest(
        method="POST",
        url="https://kinesis.us-east-1.amazonaws.com/",
        data=body,
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.GetRecords"},
    )
    for _ in range(100):
        auth.add_auth(request)
    start = time.perf_counter()
    for _ in range(count):
        auth.add_auth(request)
    if not request.headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"):
        raise SystemExit("botocore did not sign")
    return count / (time.perf_counter() - start)


def main():
    print("ready boto3=%s botocore=%s" % (boto3.__version__, botocore.__version__), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "put":
            print("%.3f" % put(words[1], int(words[2])), flush=True)
        elif words[0] == "sign":
            print("%.3f" % sign(int(words[1])), flush=True)
        elif words[0] == "quit":
            return
        else:
            raise SystemExit("unknown command: " + line.strip())


if __name__ == "__main__":
    main()
