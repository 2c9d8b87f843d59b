"""botocore's own serializers and parsers, driven by JSON on stdin (no network, no credentials).

Input: a list of tasks.
  {"kind": "request", "service": "s3", "operation": "PutObject", "params": {...}}
      -> {"method", "url_path", "query": [[k, v], ...], "headers": {...}, "body_b64"}
  {"kind": "response", "service": "s3", "operation": "GetObject", "status": 200, "headers": {...}, "body_b64": "..."}
      -> the parsed dict
Tagged values: {"$date": ISO 8601} <-> datetime, {"$base64": ...} <-> bytes.
"""
import base64
import io
import datetime
import json
import sys

import botocore.session
from botocore import parsers, serialize
from botocore.awsrequest import HeadersDict
from botocore.response import StreamingBody


def untag(v):
    if isinstance(v, list):
        return [untag(x) for x in v]
    if isinstance(v, dict):
        if "$date" in v:
            return datetime.datetime.fromisoformat(v["$date"].replace("Z", "+00:00"))
        if "$base64" in v:
            return base64.b64decode(v["$base64"])
        return {k: untag(x) for k, x in v.items()}
    return v


def tag(v):
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        return {"$date": v.astimezone(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")}
    if isinstance(v, (bytes, bytearray)):
        return {"$base64": base64.b64encode(bytes(v)).decode()}
    if hasattr(v, "read"):
        return tag(v.read())
    if isinstance(v, list):
        return [tag(x) for x in v]
    if isinstance(v, dict):
        return {k: tag(x) for k, x in v.items()}
    return v


def main():
    session = botocore.session.get_session()
    out = []
    for task in json.load(sys.stdin):
        model = session.get_service_model(task["service"])
        op = model.operation_model(task["operation"])
        protocol = model.metadata["protocol"]
        if task["kind"] == "request":
            req = serialize.create_serializer(protocol, include_validation=True).serialize_to_request(untag(task["params"]), op)
            body = req["body"]
            if isinstance(body, str):
                body = body.encode()
            elif isinstance(body, dict):  # query protocol: form fields
                from urllib.parse import urlencode

                body = urlencode(body, doseq=True).encode()
            query = req["query_string"]
            pairs = []
            if isinstance(query, dict):
                for k, v in query.items():
                    for x in v if isinstance(v, list) else [v]:
                        pairs.append([k, str(x)])
            out.append(
                {
                    "method": req["method"],
                    "url_path": req["url_path"],
                    "query": pairs,
                    "headers": {k: str(v) for k, v in req["headers"].items()},
                    "body_b64": base64.b64encode(body or b"").decode(),
                }
            )
        else:
            parser = parsers.create_parser(protocol)
            body = base64.b64decode(task["body_b64"])
            response = {"status_code": task["status"], "headers": HeadersDict(task["headers"]), "body": body}
            if task["status"] < 300 and op.has_streaming_output:
                # As botocore's endpoint does before parsing: streaming payloads stay unread.
                response["body"] = StreamingBody(io.BytesIO(body), len(body))
            parsed = parser.parse(response, op.output_shape)
            parsed.pop("ResponseMetadata", None)
            out.append(tag(parsed))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
