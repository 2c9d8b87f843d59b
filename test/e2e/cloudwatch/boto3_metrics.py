"""boto3 against mlzone's CloudWatch (botocore speaks RPC v2 CBOR to it): put, read back, an AWS error.

Prints what it saw as JSON for the vitest side to check.
"""
import datetime
import json
import os

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

cw = boto3.client("cloudwatch", endpoint_url=os.environ["MLZONE_URL"], region_name="us-east-1",
                  config=Config(retries={"max_attempts": 1}),
                  aws_access_key_id=os.environ["MLZONE_KEY"], aws_secret_access_key=os.environ["MLZONE_SECRET"],
                  aws_session_token=os.environ["MLZONE_TOKEN"])
ns = os.environ["MLZONE_NS"]
now = datetime.datetime.now(datetime.timezone.utc)
start = now.replace(second=0, microsecond=0) - datetime.timedelta(minutes=1)
out = {"ns": ns, "protocol": cw.meta.service_model.protocol}
dims = [{"Name": "Kind", "Value": "py"}]
cw.put_metric_data(Namespace=ns, MetricData=[{"MetricName": "Boto", "Dimensions": dims, "Values": [1, 2, 3],
                                              "Timestamp": start + datetime.timedelta(seconds=5)}])
stats = cw.get_metric_statistics(Namespace=ns, MetricName="Boto", Dimensions=dims, StartTime=start,
                                 EndTime=start + datetime.timedelta(minutes=1), Period=60,
                                 Statistics=["Sum", "SampleCount", "Maximum"])
dp = stats["Datapoints"][0]
out["stats"] = {k: dp[k] for k in ("Sum", "SampleCount", "Maximum")}
data = cw.get_metric_data(StartTime=start, EndTime=start + datetime.timedelta(minutes=1), MetricDataQueries=[
    {"Id": "m", "MetricStat": {"Metric": {"Namespace": ns, "MetricName": "Boto", "Dimensions": dims}, "Period": 60, "Stat": "Sum"}}])
out["data"] = data["MetricDataResults"][0]["Values"]
out["metrics"] = cw.list_metrics(Namespace=ns)["Metrics"]
try:
    cw.put_metric_data(Namespace="AWS/Mine", MetricData=[{"MetricName": "x", "Value": 1}])
except ClientError as e:
    out["error"] = {"Code": e.response["Error"]["Code"], "Message": e.response["Error"]["Message"]}
print(json.dumps(out))
