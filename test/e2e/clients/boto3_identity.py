"""boto3 against mlzone: STS and IAM calls whose results the vitest side asserts (printed as JSON)."""
import json
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = os.environ["MLZONE_URL"]
key, secret = os.environ["MLZONE_KEY"], os.environ["MLZONE_SECRET"]
cfg = Config(retries={"max_attempts": 1})


def client(svc, **creds):
    return boto3.client(svc, endpoint_url=endpoint, region_name="us-east-1", config=cfg,
                        aws_access_key_id=creds.get("key", key), aws_secret_access_key=creds.get("secret", secret),
                        aws_session_token=creds.get("token"))


def error_of(fn):
    try:
        fn()
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"],
                "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
    return None


out = {}
sts = client("sts")
out["caller"] = sts.get_caller_identity()
role = sts.assume_role(RoleArn=os.environ["MLZONE_ROLE"], RoleSessionName="boto3", DurationSeconds=900)
c = role["Credentials"]
out["assumed_arn"] = role["AssumedRoleUser"]["Arn"]
out["session_caller"] = client("sts", key=c["AccessKeyId"], secret=c["SecretAccessKey"], token=c["SessionToken"]).get_caller_identity()
out["wrong_secret"] = error_of(lambda: client("sts", secret="x" * 40).get_caller_identity())
out["unknown_key"] = error_of(lambda: client("sts", key="AKIAAAAAAAAAAAAAAAAA").get_caller_identity())
out["bad_duration"] = error_of(lambda: sts.assume_role(RoleArn=os.environ["MLZONE_ROLE"], RoleSessionName="x1", DurationSeconds=99999))

admin = client("iam", key=c["AccessKeyId"], secret=c["SecretAccessKey"], token=c["SessionToken"]) if os.environ.get("MLZONE_IAM_AS_ROLE") else client("iam")
name = os.environ["MLZONE_ROLE_NAME"]
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
created = admin.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust), Tags=[{"Key": "team", "Value": "ds1"}])
out["created_role_arn"] = created["Role"]["Arn"]
got = admin.get_role(RoleName=name)["Role"]
out["role_trust"] = got["AssumeRolePolicyDocument"]  # boto3 decodes the URL-encoded document into a dict
out["role_tags"] = got.get("Tags")
out["dup_role"] = error_of(lambda: admin.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust)))
out["missing_role"] = error_of(lambda: admin.get_role(RoleName=name + "-nope"))
out["bad_policy"] = error_of(lambda: admin.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument='{"Statement": 5}'))
out["long_name"] = error_of(lambda: admin.create_role(RoleName="r" * 65, AssumeRolePolicyDocument=json.dumps(trust)))
paginator = admin.get_paginator("list_roles")
out["paged_role_names"] = [r["RoleName"] for page in paginator.paginate(PaginationConfig={"PageSize": 3}) for r in page["Roles"]]
admin.delete_role(RoleName=name)
json.dump(out, sys.stdout, default=str)
