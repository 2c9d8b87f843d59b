"""boto3 in the newcomer scenario, with the profiles `mlzone profiles --write` made (boto3 follows their
role_arn/source_profile chains and endpoint_url itself).

  scenario_boto3.py list-objects <profile> <bucket>   -> {"ok": true} or {"code": ..., "message": ...}
  scenario_boto3.py trail <profile> <bucket> <prefix> -> [{"key": ..., "records": [...]}, ...], each file gunzipped
"""
import gzip
import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

cfg = Config(retries={"max_attempts": 1})
command, profile = sys.argv[1], sys.argv[2]
s3 = boto3.Session(profile_name=profile).client("s3", config=cfg)

if command == "list-objects":
    try:
        s3.list_objects_v2(Bucket=sys.argv[3])
        print(json.dumps({"ok": True}))
    except ClientError as e:
        print(json.dumps({"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"]}))
elif command == "trail":
    bucket, prefix = sys.argv[3], sys.argv[4]
    files = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for o in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
            files.append({"key": o["Key"], "records": json.loads(gzip.decompress(body))["Records"]})
    print(json.dumps(files))
else:
    sys.exit(f"unknown command {command}")
