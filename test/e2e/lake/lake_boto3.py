"""boto3 against mlzone's governed lake, as data-science-2's scientist: the resource link, then Athena (paginated results)."""
import json
import os
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = os.environ["MLZONE_URL"]
cfg = Config(retries={"max_attempts": 1})
glue = boto3.client("glue", endpoint_url=endpoint, region_name="us-east-1", config=cfg)
athena = boto3.client("athena", endpoint_url=endpoint, region_name="us-east-1", config=cfg)

out = {}
link = glue.get_table(DatabaseName="lake", Name="customers")["Table"]
out["target"] = link["TargetTable"]


def run(sql):
    qid = athena.start_query_execution(QueryString=sql, ResultConfiguration={"OutputLocation": os.environ["MLZONE_RESULTS"]})["QueryExecutionId"]
    while True:
        state = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]
        if state["State"] not in ("QUEUED", "RUNNING"):
            return qid, state
        time.sleep(0.01)


qid, state = run("SELECT * FROM lake.customers ORDER BY id")
out["state"] = state["State"]
rows = []
for page in athena.get_paginator("get_query_results").paginate(QueryExecutionId=qid, PaginationConfig={"PageSize": 2}):
    out.setdefault("columns", [c["Name"] for c in page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]])
    rows.extend([[d.get("VarCharValue") for d in r["Data"]] for r in page["ResultSet"]["Rows"]])
out["rows"] = rows
qid, state = run("SELECT ssn FROM lake.customers")
out["ssn"] = {"state": state["State"], "reason": state.get("StateChangeReason", "")}
try:
    glue.get_tables(CatalogId=os.environ["MLZONE_LAKE"], DatabaseName="sales")
    out["owner_tables"] = "listed"
except ClientError as e:
    out["owner_tables"] = e.response["Error"]["Code"]
# Through the account's database link to the owner's database: the granted table with the granted columns.
out["through_link"] = [[t["DatabaseName"], t["Name"], [c["Name"] for c in t["StorageDescriptor"]["Columns"]]] for t in glue.get_tables(DatabaseName="sales_link")["TableList"]]
print(json.dumps(out))
