"""boto3 against an Iceberg table of mlzone's governed lake, as data-science-1's scientist: current and older snapshot."""
import json
import os
import time

import boto3
from botocore.config import Config

endpoint = os.environ["MLZONE_URL"]
athena = boto3.client("athena", endpoint_url=endpoint, region_name="us-east-1", config=Config(retries={"max_attempts": 1}))


def run(sql):
    qid = athena.start_query_execution(QueryString=sql, ResultConfiguration={"OutputLocation": os.environ["MLZONE_RESULTS"]})["QueryExecutionId"]
    while True:
        status = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]
        if status["State"] not in ("QUEUED", "RUNNING"):
            break
        time.sleep(0.01)
    if status["State"] != "SUCCEEDED":
        return {"state": status["State"], "reason": status.get("StateChangeReason", "")}
    rows = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"]
    return {"state": status["State"], "rows": [[d.get("VarCharValue") for d in r["Data"]] for r in rows]}


print(json.dumps({
    "current": run("SELECT * FROM lake.events ORDER BY id"),
    "old": run("SELECT id FROM lake.events FOR VERSION AS OF %s ORDER BY id" % os.environ["MLZONE_SNAPSHOT"]),
    "score": run("SELECT score FROM lake.events"),
}))
