"""What the SageMaker Python SDK does with a pipeline, through boto3: upsert (create, or update when the create
says "already exists"), start with every parameter value as a string, wait on DescribePipelineExecution, list the
steps. The definition has a condition and a Fail step only, so it runs without containers. Prints JSON."""
import json
import os
import time

import boto3
from botocore.exceptions import ClientError

sm = boto3.client("sagemaker", endpoint_url=os.environ["MLZONE_URL"], region_name="us-east-1")
name = os.environ["PIPELINE"]
role = "arn:aws:iam::444444444444:role/SageMakerExecution"
definition = json.dumps({
    "Version": "2020-12-01",
    "Metadata": {},
    "Parameters": [{"Name": "Threshold", "Type": "Integer", "DefaultValue": 5}, {"Name": "Strict", "Type": "Boolean", "DefaultValue": False}],
    "PipelineExperimentConfig": None,
    "Steps": [{
        "Name": "Gate", "Type": "Condition",
        "Arguments": {
            "Conditions": [{"Type": "GreaterThan", "LeftValue": {"Get": "Parameters.Threshold"}, "RightValue": 3}],
            "IfSteps": [],
            "ElseSteps": [{"Name": "TooLow", "Type": "Fail", "Arguments": {"ErrorMessage": {"Std:Join": {"On": " ", "Values": ["threshold", {"Get": "Parameters.Threshold"}, "is too low"]}}}}],
        },
    }],
})


def upsert():
    try:
        sm.create_pipeline(PipelineName=name, PipelineDefinition=definition, RoleArn=role, ClientRequestToken="t" * 32)
        return "created"
    except ClientError as e:
        if e.response["Error"]["Code"] == "ValidationException" and "already exists" in e.response["Error"]["Message"]:
            sm.update_pipeline(PipelineName=name, PipelineDefinition=definition, RoleArn=role)
            return "updated"
        raise


def run(params):
    arn = sm.start_pipeline_execution(PipelineName=name, ClientRequestToken=str(time.time()).ljust(32, "0"), PipelineParameters=[{"Name": k, "Value": str(v)} for k, v in params.items()])["PipelineExecutionArn"]
    for _ in range(100):
        d = sm.describe_pipeline_execution(PipelineExecutionArn=arn)
        if d["PipelineExecutionStatus"] not in ("Executing", "Stopping"):
            break
        time.sleep(0.1)
    steps = sm.list_pipeline_execution_steps(PipelineExecutionArn=arn, SortOrder="Ascending")["PipelineExecutionSteps"]
    values = sm.list_pipeline_parameters_for_execution(PipelineExecutionArn=arn)["PipelineParameters"]
    return {
        "status": d["PipelineExecutionStatus"],
        "reason": d.get("FailureReason"),
        "steps": [[s["StepName"], s["StepStatus"], s.get("Metadata", {})] for s in steps],
        "parameters": {p["Name"]: p["Value"] for p in values},
    }


print(json.dumps({"first": upsert(), "second": upsert(), "high": run({"Threshold": 10, "Strict": True}), "low": run({"Threshold": 2})}))
