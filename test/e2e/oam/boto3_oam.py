"""OAM through boto3 against mlzone: the monitoring side (shared-services), a source account's link with its tags,
and the refusals (an account the sink policy does not name, a data scientist). Prints one JSON document."""
import json
import os

import boto3
from botocore.exceptions import ClientError

URL = os.environ["MLZONE_URL"]


def client(prefix):
    return boto3.client(
        "oam",
        endpoint_url=URL,
        region_name="us-east-1",
        aws_access_key_id=os.environ[prefix + "_KEY"],
        aws_secret_access_key=os.environ[prefix + "_SECRET"],
        aws_session_token=os.environ[prefix + "_TOKEN"],
    )


def refusal(call):
    try:
        call()
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"], "message": e.response["Error"]["Message"]}
    return None


monitoring = client("MONITORING")
source = client("SOURCE")
sink = monitoring.list_sinks()["Items"][0]
attached = monitoring.list_attached_links(SinkIdentifier=sink["Arn"])["Items"]
own = source.list_links()["Items"][0]
source.tag_resource(ResourceArn=own["Arn"], Tags={"cost-center": "ml"})
with_tags = source.get_link(Identifier=own["Arn"], IncludeTags=True)
without_tags = source.get_link(Identifier=own["Arn"])
link_request = dict(SinkIdentifier=sink["Arn"], ResourceTypes=["AWS::CloudWatch::Metric"], LabelTemplate="$AccountName")
print(json.dumps({
    "sink": {"Name": sink["Name"], "Arn": sink["Arn"]},
    "labels": sorted(i["Label"] for i in attached),
    "tags": with_tags.get("Tags"),
    "tags_without_include": without_tags.get("Tags"),
    "outsider": refusal(lambda: client("OUTSIDER").create_link(**link_request)),
    "scientist": refusal(lambda: client("SCIENTIST").create_link(**link_request)),
    "duplicate": refusal(lambda: source.create_link(**link_request)),
}))
