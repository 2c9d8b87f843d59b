"""A Data Wrangler job through boto3, shaped as the SageMaker Python SDK's DataWranglerProcessor sends it (the flow
as input `flow` at /opt/ml/processing/flow, an Athena source as a DatasetDefinition, AppManaged False, the node output
as the ProcessingOutput, --output-config as the one container argument), waited for with botocore's own waiter.
Prints JSON: the job's status and failure, and the output objects with their text."""
import json
import os
import time

import boto3

url, bucket, prefix, node = os.environ["MLZONE_URL"], os.environ["BUCKET"], os.environ["PREFIX"], os.environ["OUTPUT_NODE"]
sm = boto3.client("sagemaker", endpoint_url=url, region_name="us-east-1")
s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1")
name = "dw-boto3-%d" % int(time.time() * 1000)
output = "%s.default" % node
sm.create_processing_job(
    ProcessingJobName=name,
    RoleArn="arn:aws:iam::444444444444:role/SageMakerExecution",
    ProcessingResources={"ClusterConfig": {"InstanceType": "ml.m5.4xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30}},
    StoppingCondition={"MaxRuntimeInSeconds": 86400},
    AppSpecification={
        "ImageUri": "663277389841.dkr.ecr.us-east-1.amazonaws.com/sagemaker-data-wrangler-container:1.x",
        "ContainerArguments": ["--output-config '%s'" % json.dumps({output: {"content_type": "CSV"}})],
    },
    ProcessingInputs=[
        {
            "InputName": "flow",
            "AppManaged": False,
            "S3Input": {
                "S3Uri": os.environ["FLOW_URI"],
                "LocalPath": "/opt/ml/processing/flow",
                "S3DataType": "S3Prefix",
                "S3InputMode": "File",
                "S3DataDistributionType": "FullyReplicated",
                "S3CompressionType": "None",
            },
        },
        {
            "InputName": "customers",
            "AppManaged": False,
            "DatasetDefinition": {
                "LocalPath": "/opt/ml/processing/customers",
                "DataDistributionType": "FullyReplicated",
                "InputMode": "File",
                "AthenaDatasetDefinition": {
                    "Catalog": "AwsDataCatalog",
                    "Database": "lake",
                    "QueryString": "SELECT * FROM customers",
                    "OutputS3Uri": "s3://%s/%s/boto3-athena/" % (bucket, prefix),
                    "OutputFormat": "PARQUET",
                },
            },
        },
    ],
    ProcessingOutputConfig={
        "Outputs": [
            {
                "OutputName": output,
                "AppManaged": False,
                "S3Output": {"S3Uri": "s3://%s/%s/boto3-output" % (bucket, prefix), "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "EndOfJob"},
            }
        ]
    },
)
sm.get_waiter("processing_job_completed_or_stopped").wait(ProcessingJobName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
d = sm.describe_processing_job(ProcessingJobName=name)
listed = s3.list_objects_v2(Bucket=bucket, Prefix="%s/boto3-output/" % prefix).get("Contents", [])
print(
    json.dumps(
        {
            "status": d["ProcessingJobStatus"],
            "failure": d.get("FailureReason"),
            "inputs": [i["InputName"] for i in d["ProcessingInputs"]],
            "outputs": {o["Key"]: s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read().decode("utf-8") for o in listed},
        }
    )
)
