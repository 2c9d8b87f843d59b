"""A training job's log read the way the SageMaker Python SDK's `logs=True` reads it (sagemaker/logs.py):
DescribeLogStreams with logStreamNamePrefix=<job>/ ordered by name, then GetLogEvents from the head with
startTime and the forward token until a page comes back empty. Prints a JSON summary for the e2e test."""
import json
import os

import boto3

session = boto3.session.Session(
    aws_access_key_id=os.environ["MLZONE_KEY"],
    aws_secret_access_key=os.environ["MLZONE_SECRET"],
    aws_session_token=os.environ["MLZONE_TOKEN"],
    region_name="us-east-1",
)
url = os.environ["MLZONE_URL"]
job = os.environ["MLZONE_JOB"]
sm = session.client("sagemaker", endpoint_url=url)
logs = session.client("logs", endpoint_url=url)

description = sm.describe_training_job(TrainingJobName=job)
instances = description["ResourceConfig"]["InstanceCount"]
streams = logs.describe_log_streams(
    logGroupName="/aws/sagemaker/TrainingJobs",
    logStreamNamePrefix=job + "/",
    orderBy="LogStreamName",
    limit=min(instances, 50),
)
names = [s["logStreamName"] for s in streams["logStreams"]]


def log_stream(stream_name, start_time=0):
    next_token = None
    count = 1
    while count > 0:
        token_arg = {"nextToken": next_token} if next_token is not None else {}
        response = logs.get_log_events(
            logGroupName="/aws/sagemaker/TrainingJobs",
            logStreamName=stream_name,
            startTime=start_time,
            startFromHead=True,
            limit=1000,
            **token_arg
        )
        next_token = response["nextForwardToken"]
        count = len(response["events"])
        for event in response["events"]:
            yield event


messages = [e["message"] for name in names for e in log_stream(name)]
print(json.dumps({
    "status": description["TrainingJobStatus"],
    "streams": names,
    "count": len(messages),
    "first": messages[0],
    "last": messages[-1],
}))
