"""boto3 against mlzone's SageMaker hosting, as the SageMaker Python SDK and notebooks drive it: upload a
linear-learner model.tar.gz, create model / endpoint config / endpoint, the botocore waiters, sagemaker-runtime
invocations (plain and streamed), the modeled errors, re-weighting, tags, listing and deletion.

Prints one JSON document for vitest (clients.e2e.test.ts) to assert on. Expected predictions are computed here,
from the weights, independently of mlzone's container.
"""
import gzip
import io
import json
import math
import os
import tarfile
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, WaiterError

url = os.environ["MLZONE_URL"]
name = os.environ["MLZONE_NAME"]
account = "444444444444"
bucket = f"sagemaker-us-east-1-{account}"
image = "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1"
role = f"arn:aws:iam::{account}:role/SageMakerExecution"
weights = [0.8, -1.5]
bias = 0.25
rows = [[1.0, 2.0], [3.0, 0.5], [0.0, 0.0]]

session = boto3.session.Session(region_name="us-east-1")
cfg = Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"})
s3 = session.client("s3", endpoint_url=url, config=cfg)
sm = session.client("sagemaker", endpoint_url=url, config=cfg)
rt = session.client("sagemaker-runtime", endpoint_url=url, config=cfg)

# Every DescribeEndpoint answer (status or error code), so the vitest side sees what each waiter polled.
polled = []


def record_describe(http_response, parsed, **_):
    polled.append(parsed.get("Error", {}).get("Code") if http_response.status_code >= 300 else parsed.get("EndpointStatus"))


sm.meta.events.register("after-call.sagemaker.DescribeEndpoint", record_describe)


def model_tar_gz(files):
    """A model.tar.gz as SageMaker training writes it: a gzip-compressed tar of the files at the root."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for path, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mtime = int(time.time())
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue())


def predict(x):
    z = sum(w * v for w, v in zip(weights, x)) + bias
    score = 1 / (1 + math.exp(-z))
    return {"score": score, "predicted_label": 1 if score >= 0.5 else 0}


def error_of(fn):
    try:
        fn()
    except ClientError as e:
        return {
            "class": type(e).__name__,
            "code": e.response["Error"]["Code"],
            "message": e.response["Error"]["Message"],
            "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
            "modeled": {k: v for k, v in e.response.items() if k not in ("Error", "ResponseMetadata")},
        }
    return None


def wait(waiter_name):
    """Runs a botocore waiter with a 1 s delay; returns the statuses it polled and how long it took."""
    start = len(polled)
    began = time.monotonic()
    sm.get_waiter(waiter_name).wait(EndpointName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    return {"polled": polled[start:], "seconds": round(time.monotonic() - began, 1)}


def waiter_failure(endpoint_name):
    """endpoint_in_service on an endpoint that never gets there: the WaiterError's reason and last answer."""
    try:
        sm.get_waiter("endpoint_in_service").wait(EndpointName=endpoint_name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        return None
    except WaiterError as e:
        last = e.last_response
        return {
            "reason": e.kwargs.get("reason"),
            "status": last.get("EndpointStatus"),
            "failure_reason": last.get("FailureReason"),
            "error": last.get("Error", {}).get("Code"),
        }


def csv_predictions(text):
    out = []
    for line in text.strip().split("\n"):
        label, score = line.split(",")
        out.append({"score": float(score), "predicted_label": int(label)})
    return out


def invoke(content_type, body, accept):
    r = rt.invoke_endpoint(EndpointName=name, ContentType=content_type, Accept=accept, Body=body)
    text = r["Body"].read().decode()
    return {
        "content_type": r["ContentType"],
        "variant": r["InvokedProductionVariant"],
        "predictions": json.loads(text)["predictions"] if accept == "application/json" else csv_predictions(text),
    }


out = {"expected": [predict(x) for x in rows]}

key = f"models/{name}/model.tar.gz"
model_file = {"predictor_type": "binary_classifier", "feature_dim": len(weights), "weights": weights, "bias": bias}
s3.put_object(Bucket=bucket, Key=key, Body=model_tar_gz({"mlzone-linear-learner.json": json.dumps(model_file)}))

out["model_arn"] = sm.create_model(
    ModelName=name, ExecutionRoleArn=role, PrimaryContainer={"Image": image, "ModelDataUrl": f"s3://{bucket}/{key}"}
)["ModelArn"]
out["config_arn"] = sm.create_endpoint_config(
    EndpointConfigName=name,
    ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": name, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}],
)["EndpointConfigArn"]
created = sm.create_endpoint(EndpointName=name, EndpointConfigName=name)
out["endpoint_arn"] = created["EndpointArn"]
out["create_request_id"] = created["ResponseMetadata"].get("RequestId")
out["in_service_waiter"] = wait("endpoint_in_service")

d = sm.describe_endpoint(EndpointName=name)
out["described"] = {
    "name": d["EndpointName"],
    "arn": d["EndpointArn"],
    "config": d["EndpointConfigName"],
    "status": d["EndpointStatus"],
    "created": type(d["CreationTime"]).__name__,
    "modified": type(d["LastModifiedTime"]).__name__,
    "variants": [
        {
            "name": v["VariantName"],
            "current_weight": v.get("CurrentWeight"),
            "desired_weight": v.get("DesiredWeight"),
            "current_count": v.get("CurrentInstanceCount"),
            "desired_count": v.get("DesiredInstanceCount"),
            "images": [{"specified": i.get("SpecifiedImage"), "resolved": i.get("ResolvedImage"), "resolved_at": type(i.get("ResolutionTime")).__name__} for i in v.get("DeployedImages", [])],
        }
        for v in d["ProductionVariants"]
    ],
}

csv_body = "".join(",".join(str(v) for v in x) + "\n" for x in rows).encode()
json_body = json.dumps({"instances": [{"features": x} for x in rows]}).encode()
out["invocations"] = {
    "csv_to_json": invoke("text/csv", csv_body, "application/json"),
    "json_to_json": invoke("application/json", json_body, "application/json"),
    "csv_to_csv": invoke("text/csv", csv_body, "text/csv"),
    "json_to_csv": invoke("application/json", json_body, "text/csv"),
}

streamed = rt.invoke_endpoint_with_response_stream(EndpointName=name, ContentType="text/csv", Accept="text/csv", Body=csv_body)
parts = []
events = []
for event in streamed["Body"]:
    events.append(sorted(event.keys()))
    if "PayloadPart" in event:
        parts.append(event["PayloadPart"]["Bytes"])
out["stream"] = {
    "content_type": streamed["ContentType"],
    "variant": streamed["InvokedProductionVariant"],
    "events": events,
    "predictions": csv_predictions(b"".join(parts).decode()),
}

try:
    rt.invoke_endpoint(EndpointName=name, ContentType="text/csv", Body=b"1,2,3\n")
    out["model_error"] = None
except rt.exceptions.ModelError as e:
    out["model_error"] = {
        "caught_as": "ModelError",
        "code": e.response["Error"]["Code"],
        "message": e.response["Error"]["Message"],
        "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
        "original_status": e.response.get("OriginalStatusCode"),
        "original_message": e.response.get("OriginalMessage"),
        "log_stream_arn": e.response.get("LogStreamArn"),
    }
except ClientError as e:  # reported, so a wrong class shows up as a diff rather than a traceback
    out["model_error"] = {"caught_as": type(e).__name__, "code": e.response["Error"]["Code"]}
out["stream_model_error"] = error_of(lambda: rt.invoke_endpoint_with_response_stream(EndpointName=name, ContentType="text/csv", Body=b"1\n"))
out["unknown_endpoint"] = error_of(lambda: rt.invoke_endpoint(EndpointName=f"{name}-absent", ContentType="text/csv", Body=b"1,2\n"))
out["unknown_endpoint_is_validation_error"] = None
try:
    rt.invoke_endpoint(EndpointName=f"{name}-absent", ContentType="text/csv", Body=b"1,2\n")
except rt.exceptions.ValidationError:
    out["unknown_endpoint_is_validation_error"] = True
except ClientError:
    out["unknown_endpoint_is_validation_error"] = False

out["lists"] = {
    "endpoints": [(e["EndpointName"], e["EndpointStatus"]) for e in sm.list_endpoints(NameContains=name)["Endpoints"]],
    "endpoints_upper": [e["EndpointName"] for e in sm.list_endpoints(NameContains=name.upper())["Endpoints"]],
    "models": [(m["ModelName"], m["ModelArn"]) for m in sm.list_models(NameContains=name)["Models"]],
    "configs": [(c["EndpointConfigName"], c["EndpointConfigArn"]) for c in sm.list_endpoint_configs(NameContains=name)["EndpointConfigs"]],
    "none": sm.list_endpoints(NameContains=f"{name}-absent")["Endpoints"],
}

arn = out["endpoint_arn"]
out["tags"] = {
    "added": sm.add_tags(ResourceArn=arn, Tags=[{"Key": "team", "Value": "ds1"}, {"Key": "stage", "Value": "dev"}])["Tags"],
    "listed": sm.list_tags(ResourceArn=arn)["Tags"],
}
sm.delete_tags(ResourceArn=arn, TagKeys=["stage"])
out["tags"]["after_delete"] = sm.list_tags(ResourceArn=arn)["Tags"]

sm.update_endpoint_weights_and_capacities(
    EndpointName=name, DesiredWeightsAndCapacities=[{"VariantName": "AllTraffic", "DesiredWeight": 2.0, "DesiredInstanceCount": 2}]
)
out["status_after_reweigh_call"] = sm.describe_endpoint(EndpointName=name)["EndpointStatus"]
out["reweigh_waiter"] = wait("endpoint_in_service")
v = sm.describe_endpoint(EndpointName=name)["ProductionVariants"][0]
out["reweighed"] = {"current_weight": v.get("CurrentWeight"), "current_count": v.get("CurrentInstanceCount"), "desired_count": v.get("DesiredInstanceCount")}
out["after_reweigh"] = invoke("text/csv", csv_body, "application/json")

# A model whose data is missing: the endpoint fails, and the waiter stops on its Failed acceptor.
broken = f"{name}-broken"
sm.create_model(ModelName=broken, ExecutionRoleArn=role, PrimaryContainer={"Image": image, "ModelDataUrl": f"s3://{bucket}/models/{broken}/model.tar.gz"})
sm.create_endpoint_config(
    EndpointConfigName=broken,
    ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": broken, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}],
)
sm.create_endpoint(EndpointName=broken, EndpointConfigName=broken)
out["failed_waiter"] = waiter_failure(broken)
out["absent_waiter"] = waiter_failure(f"{name}-absent")
sm.delete_endpoint(EndpointName=broken)

sm.delete_endpoint(EndpointName=name)
out["deleted_waiter"] = wait("endpoint_deleted")
out["describe_deleted"] = error_of(lambda: sm.describe_endpoint(EndpointName=name))
out["invoke_deleted"] = error_of(lambda: rt.invoke_endpoint(EndpointName=name, ContentType="text/csv", Body=b"1,2\n"))
out["listed_after_delete"] = [e["EndpointName"] for e in sm.list_endpoints(NameContains=name)["Endpoints"]]
sm.delete_endpoint_config(EndpointConfigName=name)
sm.delete_model(ModelName=name)
out["model_after_delete"] = error_of(lambda: sm.describe_model(ModelName=name))
print(json.dumps(out))
