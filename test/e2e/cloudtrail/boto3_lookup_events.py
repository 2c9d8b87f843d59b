"""boto3 against mlzone's CloudTrail: LookupEvents through botocore (fully qualified target prefix).

Assumes MLZONE_ROLE with the user's keys, makes a call to look up, then prints what lookup_events finds
as JSON for the vitest side to check.
"""
import json
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = os.environ["MLZONE_URL"]
cfg = Config(retries={"max_attempts": 1})


def client(svc, key, secret, token=None):
    return boto3.client(svc, endpoint_url=endpoint, region_name="us-east-1", config=cfg,
                        aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token)


out = {}
sts = client("sts", os.environ["MLZONE_KEY"], os.environ["MLZONE_SECRET"])
c = sts.assume_role(RoleArn=os.environ["MLZONE_ROLE"], RoleSessionName="boto3-audit")["Credentials"]
session = (c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
out["session_key"] = c["AccessKeyId"]
client("sts", *session).get_caller_identity()

trail = client("cloudtrail", *session)
found = trail.lookup_events(LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "boto3-audit"}], MaxResults=10)
out["events"] = [
    {"EventName": e["EventName"], "Username": e.get("Username"), "AccessKeyId": e.get("AccessKeyId"),
     "EventTime": e["EventTime"].isoformat(), "CloudTrailEvent": json.loads(e["CloudTrailEvent"])}
    for e in found["Events"]
]
pages = trail.get_paginator("lookup_events").paginate(
    LookupAttributes=[{"AttributeKey": "EventSource", "AttributeValue": "sts.amazonaws.com"}], PaginationConfig={"PageSize": 1})
out["paged"] = sum(len(p["Events"]) for p in pages)
try:
    trail.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "A"},
                                          {"AttributeKey": "Username", "AttributeValue": "b"}])
    out["two_attributes"] = None
except ClientError as e:
    out["two_attributes"] = {"code": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
json.dump(out, sys.stdout, default=str)
