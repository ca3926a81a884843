"""Puts one record in the original Python producer's exact format to a Kinesis stream with boto3
(json.dumps of its line item, no event_type, naive isoformat timestamp with an offset appended as
the original's UTC variant did), so that the ingest test checks it is ingested and parsed.

Usage: boto3_original_record.py ENDPOINT STREAM. Prints the JSON it put.
"""

import json
import sys

import boto3

endpoint, stream = sys.argv[1], sys.argv[2]
client = boto3.client("kinesis", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
line_item = {
    "transaction_id": "3f1c2a9e-8b7d-4e6f-a5c4-1b2d3e4f5a6b",
    "product_id": "P042",
    "product_name": "Whole Milk 1L",
    "category": "Dairy",
    "quantity": 2,
    "unit_price": 1.29,
    "total_price": 2.58,
    "timestamp": "2026-01-05T09:15:27.123456+00:00",
    "store_id": "STORE_003",
    "payment_method": "Credit Card",
    "client_type": "Regular",
}
data = json.dumps(line_item)
client.put_record(StreamName=stream, Data=data.encode("utf-8"), PartitionKey=line_item["store_id"])
print(data)
