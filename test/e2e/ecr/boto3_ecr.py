"""boto3 against mlzone's ECR: calls whose results the vitest side asserts (printed as JSON)."""
import json
import os

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = os.environ["MLZONE_URL"]
registry = os.environ["MLZONE_REGISTRY"]
repository = os.environ["MLZONE_REPOSITORY"]
cfg = Config(retries={"max_attempts": 1})


def ecr(prefix):
    return boto3.client("ecr", endpoint_url=endpoint, region_name="us-east-1", config=cfg,
                        aws_access_key_id=os.environ[prefix + "_KEY"],
                        aws_secret_access_key=os.environ[prefix + "_SECRET"],
                        aws_session_token=os.environ[prefix + "_TOKEN"])


def error_of(fn):
    try:
        fn()
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"],
                "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
    return None


owner = ecr("OWNER")
puller = ecr("PULLER")
out = {}
repos = owner.describe_repositories(repositoryNames=[repository])["repositories"]
out["repositories"] = [{"name": r["repositoryName"], "uri": r["repositoryUri"], "created": r["createdAt"].isoformat(),
                        "mutability": r["imageTagMutability"]} for r in repos]
got = puller.batch_get_image(registryId=registry, repositoryName=repository, imageIds=[{"imageTag": "cpu-1"}, {"imageTag": "absent"}])
out["images"] = [{"imageId": i["imageId"], "manifest": i["imageManifest"], "mediaType": i["imageManifestMediaType"]} for i in got["images"]]
out["failures"] = got["failures"]
out["cross_account_describe"] = error_of(lambda: puller.describe_repositories(registryId=registry, repositoryNames=[repository]))
out["missing_repository"] = error_of(lambda: owner.describe_repositories(repositoryNames=["no/such-repo"]))
print(json.dumps(out))
