"""boto3 against mlzone's named LF-Tag expressions, as the data-lake account's analyst granted DESCRIBE and ALTER on one."""
import json
import os

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = os.environ["MLZONE_URL"]
lf = boto3.client("lakeformation", endpoint_url=endpoint, region_name="us-east-1", config=Config(retries={"max_attempts": 1}))


def error(call):
    try:
        call()
        return None
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"]}


out = {}
got = lf.get_lf_tag_expression(Name="sales_data")
out["get"] = {k: got[k] for k in ("Name", "CatalogId", "Expression")}
out["listed"] = [e["Name"] for e in lf.list_lf_tag_expressions()["LFTagExpressions"]]
out["unknownKey"] = error(lambda: lf.update_lf_tag_expression(Name="sales_data", Expression=[{"TagKey": "nope", "TagValues": ["x"]}]))
out["drop"] = error(lambda: lf.delete_lf_tag_expression(Name="sales_data"))
out["create"] = error(lambda: lf.create_lf_tag_expression(Name="mine", Expression=[{"TagKey": "domain", "TagValues": ["sales"]}]))
print(json.dumps(out))
