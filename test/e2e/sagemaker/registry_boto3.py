"""boto3 against mlzone's model registry: the calls the SageMaker Python SDK makes, printed as JSON for vitest."""
import json
import os

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = os.environ["MLZONE_URL"]
group = os.environ["MLZONE_GROUP"]
sm = boto3.client("sagemaker", endpoint_url=endpoint, region_name="us-east-1", config=Config(retries={"max_attempts": 1}))

out = {}
out["group_arn"] = sm.create_model_package_group(ModelPackageGroupName=group, ModelPackageGroupDescription="boto3")["ModelPackageGroupArn"]
created = sm.create_model_package(
    ModelPackageGroupName=group,
    ModelPackageDescription="from boto3",
    InferenceSpecification={
        "Containers": [{"Image": "222222222222.dkr.ecr.us-east-1.amazonaws.com/mlzone/inference:1.0", "ModelDataUrl": "s3://bucket/model.tar.gz"}],
        "SupportedContentTypes": ["text/csv"],
        "SupportedResponseMIMETypes": ["text/csv"],
    },
    CustomerMetadataProperties={"run": "1"},
)
arn = created["ModelPackageArn"]
out["package_arn"] = arn
d = sm.describe_model_package(ModelPackageName=arn)
out["described"] = {
    "name": d["ModelPackageName"],
    "group": d["ModelPackageGroupName"],
    "version": d["ModelPackageVersion"],
    "status": d["ModelPackageStatus"],
    "approval": d["ModelApprovalStatus"],
    "created": d["CreationTime"].isoformat(),
    "containers": len(d["InferenceSpecification"]["Containers"]),
    "metadata": d["CustomerMetadataProperties"],
}
out["updated_arn"] = sm.update_model_package(
    ModelPackageArn=arn, ModelApprovalStatus="Approved", ApprovalDescription="ok", CustomerMetadataProperties={"auc": "0.9"}
)["ModelPackageArn"]
u = sm.describe_model_package(ModelPackageName=arn)
out["after_update"] = {"approval": u["ModelApprovalStatus"], "description": u["ApprovalDescription"], "metadata": u["CustomerMetadataProperties"]}
listed = sm.list_model_packages(ModelPackageGroupName=group, ModelApprovalStatus="Approved", SortBy="CreationTime", SortOrder="Descending")
out["listed"] = [{"arn": p["ModelPackageArn"], "version": p["ModelPackageVersion"], "approval": p["ModelApprovalStatus"]} for p in listed["ModelPackageSummaryList"]]
try:
    sm.describe_model_package(ModelPackageName=arn[: arn.rindex("/")] + "/9")
    out["missing"] = None
except ClientError as e:
    out["missing"] = {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
print(json.dumps(out))
