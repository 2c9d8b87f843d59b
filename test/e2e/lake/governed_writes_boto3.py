"""boto3 against mlzone's data-lake account, as a role IAM lets write to Glue but Lake Formation does not."""
import json
import os

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

glue = boto3.client("glue", endpoint_url=os.environ["MLZONE_URL"], region_name="us-east-1", config=Config(retries={"max_attempts": 1}))


def refusal(call):
    try:
        call()
        return "allowed"
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"]}


out = {
    "create_database": refusal(lambda: glue.create_database(DatabaseInput={"Name": "w_boto3"})),
    "create_table": refusal(lambda: glue.create_table(DatabaseName="w_admin", TableInput={"Name": "t_boto3", "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "bigint"}]}})),
}
print(json.dumps(out))
