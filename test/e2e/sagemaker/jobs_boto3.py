"""A built-in linear-learner training job through boto3, waited for with botocore's own waiter; prints JSON."""
import json
import os
import time

import boto3
from botocore.exceptions import ClientError

sm = boto3.client("sagemaker", endpoint_url=os.environ["MLZONE_URL"], region_name="us-east-1")
bucket, prefix = os.environ["BUCKET"], os.environ["PREFIX"]
name = "boto3-%d" % int(time.time() * 1000)
sm.create_training_job(
    TrainingJobName=name,
    RoleArn="arn:aws:iam::444444444444:role/SageMakerExecution",
    AlgorithmSpecification={"TrainingImage": "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1", "TrainingInputMode": "File"},
    HyperParameters={"predictor_type": "regressor", "feature_dim": "2", "epochs": "5"},
    InputDataConfig=[
        {"ChannelName": c, "ContentType": "text/csv", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://%s/%s/%s" % (bucket, prefix, c)}}}
        for c in ("train", "validation")
    ],
    OutputDataConfig={"S3OutputPath": "s3://%s/%s/models" % (bucket, prefix)},
    ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
    StoppingCondition={"MaxRuntimeInSeconds": 300},
)
sm.get_waiter("training_job_completed_or_stopped").wait(TrainingJobName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
d = sm.describe_training_job(TrainingJobName=name)
try:
    sm.describe_training_job(TrainingJobName=name + "-missing")
    missing = "none"
except ClientError as e:
    missing = e.response["Error"]["Code"]
print(json.dumps({
    "status": d["TrainingJobStatus"],
    "secondary": [t["Status"] for t in d["SecondaryStatusTransitions"]],
    "metrics": [m["MetricName"] for m in d.get("FinalMetricDataList", [])],
    "artifact": d["ModelArtifacts"]["S3ModelArtifacts"],
    "missing": missing,
}))
