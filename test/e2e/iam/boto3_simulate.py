"""boto3 against mlzone's policy simulator: simulate_custom_policy results, printed as JSON for vitest."""
import json
import os

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

iam = boto3.client("iam", endpoint_url=os.environ["MLZONE_URL"], region_name="us-east-1",
                   config=Config(retries={"max_attempts": 1}),
                   aws_access_key_id=os.environ["MLZONE_KEY"], aws_secret_access_key=os.environ["MLZONE_SECRET"],
                   aws_session_token=os.environ.get("MLZONE_TOKEN"))

policy = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::mlzone-curated-*/*",
     "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}},
    {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]})

out = {}
r = iam.simulate_custom_policy(
    PolicyInputList=[policy],
    ActionNames=["s3:GetObject", "s3:DeleteObject", "s3:PutObject"],
    ResourceArns=["arn:aws:s3:::mlzone-curated-333333333333/data.csv"],
    ContextEntries=[{"ContextKeyName": "aws:RequestedRegion", "ContextKeyValues": ["us-east-1"], "ContextKeyType": "string"}],
)
out["results"] = [{
    "action": e["EvalActionName"],
    "resource": e["EvalResourceName"],
    "decision": e["EvalDecision"],
    "matched": e.get("MatchedStatements", []),
    "missing": e.get("MissingContextValues", []),
    "specific": [s["EvalResourceDecision"] for s in e.get("ResourceSpecificResults", [])],
} for e in r["EvaluationResults"]]
out["truncated"] = r["IsTruncated"]
try:
    iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=["s3:GetObject"], ResourceArns=["not-an-arn"])
    out["bad_resource"] = None
except ClientError as e:
    out["bad_resource"] = {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"],
                           "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
print(json.dumps(out))
