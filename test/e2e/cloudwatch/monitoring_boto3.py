"""The monitoring account's view with boto3 (CloudWatch over RPC v2 CBOR, Logs over JSON 1.1): production's endpoint
metrics through the link (GetMetricData with AccountId), the alarm's state, which accounts own the metrics it sees,
and a Logs Insights query over production's endpoint log group. Prints a JSON summary for the vitest side."""
import datetime
import json
import os

import boto3
from botocore.config import Config

session = boto3.session.Session(
    aws_access_key_id=os.environ["MLZONE_KEY"],
    aws_secret_access_key=os.environ["MLZONE_SECRET"],
    aws_session_token=os.environ["MLZONE_TOKEN"],
    region_name="us-east-1",
)
url = os.environ["MLZONE_URL"]
endpoint = os.environ["MLZONE_ENDPOINT"]
prod = os.environ["MLZONE_PROD"]
now = datetime.datetime.fromtimestamp(int(os.environ["MLZONE_NOW"]) / 1000, datetime.timezone.utc)
cw = session.client("cloudwatch", endpoint_url=url, config=Config(retries={"max_attempts": 1}))
logs = session.client("logs", endpoint_url=url, config=Config(retries={"max_attempts": 1}))

dimensions = [{"Name": "EndpointName", "Value": endpoint}, {"Name": "VariantName", "Value": "AllTraffic"}]


def stat(query_id, name):
    return {
        "Id": query_id,
        "AccountId": prod,
        "MetricStat": {"Metric": {"Namespace": "AWS/SageMaker", "MetricName": name, "Dimensions": dimensions}, "Period": 60, "Stat": "Sum"},
    }


data = cw.get_metric_data(
    StartTime=now - datetime.timedelta(minutes=30),
    EndTime=now + datetime.timedelta(minutes=5),
    MetricDataQueries=[stat("calls", "Invocations"), stat("errors", "Invocation5XXErrors")],
)
values = {r["Id"]: sum(r["Values"]) for r in data["MetricDataResults"]}
alarm = cw.describe_alarms(AlarmNames=[os.environ["MLZONE_ALARM"]])["MetricAlarms"][0]
listed = cw.list_metrics(IncludeLinkedAccounts=True)
started = logs.start_query(
    logGroupIdentifiers=["arn:aws:logs:us-east-1:%s:log-group:/aws/sagemaker/Endpoints/%s" % (prod, endpoint)],
    startTime=int(now.timestamp()) - 3600,
    endTime=int(now.timestamp()) + 60,
    queryString="fields @message | filter @message like /ValueError/",
)
results = logs.get_query_results(queryId=started["queryId"])
print(json.dumps({
    "invocations": values["calls"],
    "errors": values["errors"],
    "alarm": alarm["StateValue"],
    "owners": sorted(set(listed["OwningAccounts"])),
    "insights": len(results["results"]),
}))
