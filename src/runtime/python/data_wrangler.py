"""mlzone's stand-in for the SageMaker Data Wrangler processing container: a pandas interpreter of `.flow` files.

    data_wrangler.py [--output-config '{"<node_id>.default": {"content_type": "CSV"|"PARQUET"}}'] [...]

AWS's image runs the flow on Spark; this runs the operators mlzone supports on pandas, with the same job layout
(reference sagemaker-platform.md §8.3): the flow is the input named `flow` (`/opt/ml/processing/flow`), each SOURCE
node's data is the input named after its dataset (`/opt/ml/processing/<name>`: an S3 prefix, or the files of an
Athena dataset definition, which the service ran as the job's role), and each requested node output
`<node_id>.default` is written into the ProcessingOutput of that name (`/opt/ml/processing/output`) as
`part-00000-<uuid>.csv` (header, comma) or `.parquet`.

Supported operators: sources `sagemaker.s3_source_0.1` (csv, parquet, json lines; header, delimiter) and
`sagemaker.athena_source_0.1` (the staged PARQUET / JSON / TEXTFILE files); transforms
`sagemaker.spark.infer_and_cast_type_0.1|0.2`, `handle_missing_0.1` (Impute, Fill missing, Drop missing, Add
indicator for missing), `manage_columns_0.1` (Drop, Rename, Duplicate column), `encode_categorical_0.1` (Ordinal
encode, One-hot encode) and `custom_pandas_0.1`; DESTINATION nodes pass their input through. Any other operator in the
part of the flow an output needs fails the job before any data is read, naming the node and the operator. Learned
parameters (`trained_parameters` of the encoders) are Spark models this interpreter cannot load: encoders are fitted
again on the full data, which is what `--refit-trained-params` asks of AWS's container.

Parquet needs a pandas Parquet engine; Debian's pandas has none, so mlzone's DuckDB-backed tool (MLZONE_PARQUET_TOOL,
a JSON argv) converts between Parquet and CSV with a schema when pyarrow is missing. A failure is written to
/opt/ml/output/failure (the job's FailureReason) and the process exits 1.
"""

import json
import os
import shlex
import subprocess
import sys
import tempfile
import traceback
import uuid

BASE = os.environ.get("MLZONE_JOB_DIR") or "/opt/ml"
OPT_ML = "/opt/ml"

SOURCES = {"sagemaker.s3_source_0.1", "sagemaker.athena_source_0.1"}
TRANSFORMS = {
    "sagemaker.spark.infer_and_cast_type_0.1",
    "sagemaker.spark.infer_and_cast_type_0.2",
    "sagemaker.spark.handle_missing_0.1",
    "sagemaker.spark.manage_columns_0.1",
    "sagemaker.spark.encode_categorical_0.1",
    "sagemaker.spark.custom_pandas_0.1",
}


class FlowError(Exception):
    """A problem with the flow or its data: the job's FailureReason."""


def log(message):
    print("mlzone data wrangler: " + message, flush=True)


def host(path):
    """The path a container path (`/opt/ml/...`) has for this process."""
    if path == OPT_ML or path.startswith(OPT_ML + "/"):
        return BASE + path[len(OPT_ML):]
    return path


def write_failure(message):
    out = os.path.join(BASE, "output")
    try:
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "failure"), "w", encoding="utf-8") as f:
            f.write(message)
    except OSError as e:
        print("mlzone: cannot write the failure reason: %s" % e, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------------------------
# Arguments, job description, flow


def parse_arguments(argv):
    # The SDK's notebooks pass `--output-config '<json>'` as one string: such an argument is split like a shell would.
    words = []
    for arg in argv:
        words.extend(shlex.split(arg) if arg.startswith("--") and any(c.isspace() for c in arg) else [arg])
    options = {"output_config": None, "refit": False}
    i = 0
    while i < len(words):
        word = words[i]
        if word.startswith("--output-config"):
            value = word.split("=", 1)[1] if "=" in word else (words[i + 1] if i + 1 < len(words) else None)
            i += 0 if "=" in word else 1
            try:
                options["output_config"] = json.loads(value)
            except (TypeError, ValueError) as e:
                raise FlowError("--output-config must be a JSON object like {\"<node_id>.default\": {\"content_type\": \"CSV\"}}: %s" % e)
            if not isinstance(options["output_config"], dict):
                raise FlowError("--output-config must be a JSON object keyed by node output (<node_id>.default)")
        elif word == "--refit-trained-params":
            options["refit"] = True
        else:
            log("ignoring argument %s" % word)
        i += 1
    return options


def job_config():
    path = os.path.join(BASE, "config", "processingjobconfig.json")
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def input_path(config, name, default):
    for item in config.get("ProcessingInputs") or []:
        if item.get("InputName") == name:
            local = (item.get("S3Input") or {}).get("LocalPath") or (item.get("DatasetDefinition") or {}).get("LocalPath")
            if local:
                return host(local)
    return host(default)


def output_path(config, name):
    for item in (config.get("ProcessingOutputConfig") or {}).get("Outputs") or []:
        if item.get("OutputName") == name and item.get("S3Output", {}).get("LocalPath"):
            return host(item["S3Output"]["LocalPath"])
    return host("/opt/ml/processing/output")


def data_files(folder):
    if not os.path.isdir(folder):
        return [folder] if os.path.isfile(folder) else []
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in sorted(files):
            if name.startswith((".", "_")) or name.endswith((".metadata", "-manifest.csv", ".crc")):
                continue
            found.append(os.path.join(root, name))
    return found


def read_flow(config):
    folder = input_path(config, "flow", "/opt/ml/processing/flow")
    files = data_files(folder)
    flows = [f for f in files if f.endswith(".flow")] or files
    if not flows:
        raise FlowError("no .flow file in %s: give the flow as the processing input named flow (LocalPath /opt/ml/processing/flow)" % folder)
    try:
        with open(flows[0], encoding="utf-8") as f:
            flow = json.load(f)
    except ValueError as e:
        raise FlowError("the flow %s is not valid JSON: %s" % (os.path.basename(flows[0]), e))
    if not isinstance(flow, dict) or not isinstance(flow.get("nodes"), list):
        raise FlowError("the flow %s has no nodes list" % os.path.basename(flows[0]))
    return flow


# ---------------------------------------------------------------------------------------------------------------------
# Parquet


def parquet_engine():
    import importlib.util

    return any(importlib.util.find_spec(m) is not None for m in ("pyarrow", "fastparquet"))


def parquet_tool(*args):
    tool = json.loads(os.environ.get("MLZONE_PARQUET_TOOL") or "null")
    if not tool:
        raise FlowError("Parquet needs pyarrow in this Python, or mlzone's Parquet tool (MLZONE_PARQUET_TOOL is not set)")
    done = subprocess.run(tool + list(args), capture_output=True, text=True)
    if done.returncode != 0:
        raise FlowError("Parquet conversion failed: %s" % done.stderr.strip())
    return done.stdout


INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"}


def read_parquet(pd, path):
    if parquet_engine():
        return pd.read_parquet(path)
    with tempfile.TemporaryDirectory(prefix="mlzone-dw-") as tmp:
        csv = os.path.join(tmp, "data.csv")
        columns = json.loads(parquet_tool("to-csv", path, csv))
        df = pd.read_csv(csv, dtype=str, keep_default_na=False, na_values=["\\N"])
    for column in columns:
        name, kind = column["name"], column["type"].upper()
        if kind in INTEGER_TYPES:
            df[name] = pd.to_numeric(df[name]).astype("Int64")
        elif kind in ("DOUBLE", "FLOAT", "REAL") or kind.startswith("DECIMAL"):
            df[name] = pd.to_numeric(df[name]).astype("float64")
        elif kind == "BOOLEAN":
            df[name] = df[name].map({"true": True, "false": False}).astype("boolean")
        elif kind.startswith("TIMESTAMP") or kind == "DATE":
            df[name] = pd.to_datetime(df[name])
    return df


def duck_type(pd, series):
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(dtype):
        return "BIGINT"
    if pd.api.types.is_float_dtype(dtype):
        return "DOUBLE"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "TIMESTAMP"
    return "VARCHAR"


def write_parquet(pd, df, path):
    if parquet_engine():
        df.to_parquet(path, index=False)
        return
    with tempfile.TemporaryDirectory(prefix="mlzone-dw-") as tmp:
        csv = os.path.join(tmp, "data.csv")
        schema = os.path.join(tmp, "columns.json")
        frame = df.copy()
        for name in frame.columns:
            if pd.api.types.is_bool_dtype(frame[name].dtype):
                frame[name] = frame[name].map({True: "true", False: "false"})
        frame.to_csv(csv, index=False, na_rep="\\N")
        with open(schema, "w", encoding="utf-8") as f:
            json.dump([{"name": str(name), "type": duck_type(pd, df[name])} for name in df.columns], f)
        parquet_tool("from-csv", csv, schema, path)


# ---------------------------------------------------------------------------------------------------------------------
# Sources


def read_source(pd, node, config):
    definition = (node.get("parameters") or {}).get("dataset_definition") or {}
    name = definition.get("name")
    if not name:
        raise FlowError("source node %s has no dataset_definition.name (the processing input that holds its data)" % node["node_id"])
    folder = input_path(config, name, "/opt/ml/processing/" + name)
    files = data_files(folder)
    if not files:
        raise FlowError("source node %s: no data in %s (the processing input named %s)" % (node["node_id"], folder, name))
    if node["operator"] == "sagemaker.s3_source_0.1":
        context = definition.get("s3ExecutionContext") or {}
        kind = str(context.get("s3ContentType") or "csv").lower()
        header = context.get("s3HasHeader", True) not in (False, "false", "False")
        delimiter = context.get("s3FieldDelimiter") or ","
    else:
        kind = str(definition.get("outputFormat") or "parquet").lower()
        header, delimiter = False, "\x01"
    frames = []
    for path in files:
        if kind == "csv":
            frames.append(pd.read_csv(path, sep=delimiter, header=0 if header else None, dtype=str, keep_default_na=False, na_values=[""]))
        elif kind == "parquet":
            frames.append(read_parquet(pd, path))
        elif kind in ("json", "jsonl"):
            frames.append(pd.read_json(path, lines=True, dtype=False))
        elif kind == "textfile":
            frames.append(pd.read_csv(path, sep=delimiter, header=None, dtype=str, keep_default_na=False, na_values=["\\N"], compression="infer"))
        else:
            raise FlowError("source node %s: content type %s is not supported by mlzone (csv, parquet, json, textfile)" % (node["node_id"], kind))
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if not header and kind in ("csv", "textfile"):
        df.columns = ["_c%d" % i for i in range(len(df.columns))]
    log("source %s: %d rows, %d columns from %d file(s) in %s" % (name, len(df), len(df.columns), len(files), folder))
    return df


# ---------------------------------------------------------------------------------------------------------------------
# Transforms


def columns_of(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def expect_columns(df, names, node, what="Input column"):
    if not names:
        raise FlowError("node %s: %s is required" % (node["node_id"], what))
    for name in names:
        if name not in df.columns:
            raise FlowError("node %s: cannot resolve column name '%s' (columns: %s)" % (node["node_id"], name, ", ".join(map(str, df.columns))))


def sub_operator(node, families):
    params = node.get("parameters") or {}
    operator = params.get("operator")
    if operator not in families:
        raise FlowError(
            "node %s (%s): operator '%s' is not supported by mlzone (supported: %s)" % (node["node_id"], node["operator"], operator, ", ".join(sorted(families)))
        )
    return operator, params.get(families[operator]) or {}


def is_missing(pd, series):
    missing = series.isna()
    if series.dtype == object:
        missing = missing | series.astype(str).str.strip().eq("")
    return missing


def infer_type(pd, series):
    values = series.dropna()
    values = values[values.astype(str).str.strip() != ""].astype(str)
    if len(values) == 0:
        return "string"
    if values.str.lower().isin(["true", "false"]).all():
        return "bool"
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().all():
        return "long" if (numbers == numbers.round()).all() and not values.str.contains(r"[.eE]").any() else "float"
    return "string"


def cast(pd, series, kind):
    kind = str(kind).lower()
    if kind in ("long", "int", "integer", "bigint"):
        numbers = pd.to_numeric(series, errors="coerce")
        return numbers.where(numbers == numbers.round()).astype("Int64")
    if kind in ("float", "double", "decimal"):
        return pd.to_numeric(series, errors="coerce").astype("float64")
    if kind in ("bool", "boolean"):
        if pd.api.types.is_bool_dtype(series.dtype):
            return series.astype("boolean")
        return series.astype(str).str.strip().str.lower().map({"true": True, "false": False, "1": True, "0": False}).astype("boolean")
    if kind in ("date", "datetime", "timestamp"):
        return pd.to_datetime(series, errors="coerce")
    return series.where(series.isna(), series.astype(str))


def infer_and_cast_type(pd, np, df, node):
    schema = (node.get("trained_parameters") or {}).get("schema")
    if not isinstance(schema, dict) or not schema:
        schema = {name: infer_type(pd, df[name]) for name in df.columns}
    out = df.copy()
    for name, kind in schema.items():
        if name in out.columns:
            out[name] = cast(pd, out[name], kind)
    return out


def handle_missing(pd, np, df, node):
    operator, params = sub_operator(
        node,
        {
            "Impute": "impute_parameters",
            "Fill missing": "fill_missing_parameters",
            "Drop missing": "drop_missing_parameters",
            "Add indicator for missing": "add_indicator_for_missing_parameters",
        },
    )
    out = df.copy()
    if operator == "Impute":
        column_type = params.get("column_type")
        if column_type not in ("Numeric", "Categorical"):
            raise FlowError("node %s: Impute column_type '%s' is not supported by mlzone (Numeric, Categorical)" % (node["node_id"], column_type))
        inner = params.get("numeric_parameters" if column_type == "Numeric" else "categorical_parameters") or {}
        names = columns_of(inner.get("input_column"))
        expect_columns(out, names, node)
        for name in names:
            target = inner.get("output_column") or name
            if column_type == "Numeric":
                values = pd.to_numeric(out[name], errors="coerce")
                strategy = inner.get("strategy") or "Mean"
                if strategy == "Mean":
                    value = values.mean()
                elif strategy in ("Approximate Median", "Median"):
                    value = values.median()
                else:
                    raise FlowError("node %s: imputation strategy '%s' is not supported by mlzone (Mean, Approximate Median)" % (node["node_id"], strategy))
                out[target] = values.fillna(value).astype("float64")
            else:
                present = out[name][~is_missing(pd, out[name])]
                counts = present.value_counts()
                value = counts.index[0] if len(counts) else None
                out[target] = out[name].where(~is_missing(pd, out[name]), value)
    elif operator == "Fill missing":
        names = columns_of(params.get("input_column"))
        expect_columns(out, names, node)
        for name in names:
            target = params.get("output_column") or name
            fill = params.get("fill_value")
            series = out[name]
            if pd.api.types.is_integer_dtype(series.dtype):
                fill = int(fill)
            elif pd.api.types.is_float_dtype(series.dtype):
                fill = float(fill)
            out[target] = series.where(~is_missing(pd, series), fill)
    elif operator == "Drop missing":
        dimension = params.get("dimension") or "Drop Rows"
        if dimension != "Drop Rows":
            raise FlowError("node %s: Drop missing dimension '%s' is not supported by mlzone (Drop Rows)" % (node["node_id"], dimension))
        names = columns_of((params.get("drop_rows_parameters") or {}).get("input_column")) or list(out.columns)
        expect_columns(out, names, node)
        keep = np.ones(len(out), dtype=bool)
        for name in names:
            keep &= ~is_missing(pd, out[name]).to_numpy()
        out = out[keep].reset_index(drop=True)
    else:
        names = columns_of(params.get("input_column"))
        expect_columns(out, names, node)
        for name in names:
            out[params.get("output_column") or "%s_indicator" % name] = is_missing(pd, out[name])
    return out


def manage_columns(pd, np, df, node):
    operator, params = sub_operator(
        node, {"Drop column": "drop_column_parameters", "Rename column": "rename_column_parameters", "Duplicate column": "duplicate_column_parameters"}
    )
    if operator == "Drop column":
        names = columns_of(params.get("column_to_drop"))
        expect_columns(df, names, node, "Column to drop")
        return df.drop(columns=names)
    name, new_name = params.get("input_column"), params.get("new_name")
    names = columns_of(name)
    expect_columns(df, names, node)
    if not new_name or new_name == names[0]:
        raise FlowError("node %s: %s needs a new name different from '%s'" % (node["node_id"], operator, names[0]))
    if operator == "Rename column":
        return df.rename(columns={names[0]: new_name})
    out = df.copy()
    out[new_name] = out[names[0]]
    return out


def labels_of(series):
    """Spark's StringIndexer order: most frequent first, ties alphabetical."""
    counts = series.dropna().astype(str).value_counts()
    return sorted(counts.index, key=lambda label: (-counts[label], label))


def encode_categorical(pd, np, df, node):
    operator, params = sub_operator(node, {"Ordinal encode": "ordinal_encode_parameters", "One-hot encode": "one_hot_encode_parameters"})
    names = columns_of(params.get("input_column"))
    expect_columns(df, names, node)
    strategy = params.get("invalid_handling_strategy") or "Error"
    out = df.copy()
    for name in names:
        source = out[name].where(~is_missing(pd, out[name]), None)
        labels = labels_of(source)
        index = {label: float(i) for i, label in enumerate(labels)}
        codes = source.map(lambda v: index.get(str(v)) if v is not None else None)
        invalid = codes.isna()
        if invalid.any():
            if strategy == "Error":
                raise FlowError("node %s: column '%s' has missing values and invalid handling is 'Error'" % (node["node_id"], name))
            if strategy == "Skip":
                keep = ~invalid
                out, codes, source = out[keep].reset_index(drop=True), codes[keep].reset_index(drop=True), source[keep].reset_index(drop=True)
            elif strategy == "Keep":
                codes = codes.fillna(float(len(labels)))
            elif strategy != "Replace with NaN":
                raise FlowError("node %s: invalid handling strategy '%s' is not supported by mlzone" % (node["node_id"], strategy))
        target = params.get("output_column") or name
        if operator == "Ordinal encode":
            out[target] = codes.astype("float64")
            continue
        drop_last = params.get("drop_last", True) not in (False, "false", "False")
        kept = labels[:-1] if drop_last and len(labels) > 0 else labels
        style = params.get("output_style") or "Vector"
        if style == "Columns":
            if target == name:
                out = out.drop(columns=[name])
            for i, label in enumerate(kept):
                out["%s_%s" % (target, label)] = (codes == float(i)).astype("float64")
        elif style == "Vector":
            out[target] = codes.map(lambda c: json.dumps([1.0 if c == float(i) else 0.0 for i in range(len(kept))]))
        else:
            raise FlowError("node %s: one-hot output style '%s' is not supported by mlzone (Vector, Columns)" % (node["node_id"], style))
    return out


def custom_pandas(pd, np, df, node):
    code = (node.get("parameters") or {}).get("code")
    if not code:
        raise FlowError("node %s: custom_pandas has no code" % node["node_id"])
    scope = {"df": df.copy(), "pd": pd, "np": np}
    try:
        exec(compile(code, "<custom_pandas %s>" % node["node_id"], "exec"), scope)
    except Exception as e:
        raise FlowError("node %s: the custom pandas code failed: %s: %s" % (node["node_id"], type(e).__name__, e))
    result = scope.get("df")
    if not isinstance(result, pd.DataFrame):
        raise FlowError("node %s: the custom pandas code must leave a pandas DataFrame in df" % node["node_id"])
    return result


TRANSFORM_FUNCTIONS = {
    "sagemaker.spark.infer_and_cast_type_0.1": infer_and_cast_type,
    "sagemaker.spark.infer_and_cast_type_0.2": infer_and_cast_type,
    "sagemaker.spark.handle_missing_0.1": handle_missing,
    "sagemaker.spark.manage_columns_0.1": manage_columns,
    "sagemaker.spark.encode_categorical_0.1": encode_categorical,
    "sagemaker.spark.custom_pandas_0.1": custom_pandas,
}


# ---------------------------------------------------------------------------------------------------------------------
# The flow


def needed(nodes, start):
    """The node ids `start` depends on (itself included), checking each one's operator."""
    order, seen, stack = [], set(), [start]
    while stack:
        node_id = stack.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        node = nodes.get(node_id)
        if node is None:
            raise FlowError("the flow has no node %s" % node_id)
        kind, operator = node.get("type"), node.get("operator")
        if kind == "SOURCE":
            if operator not in SOURCES:
                raise FlowError("node %s: source operator %s is not supported by mlzone (supported: %s)" % (node_id, operator, ", ".join(sorted(SOURCES))))
        elif kind == "DESTINATION":
            pass
        elif operator not in TRANSFORMS:
            raise FlowError("node %s: operator %s is not supported by mlzone (supported: %s)" % (node_id, operator, ", ".join(sorted(TRANSFORMS))))
        inputs = node.get("inputs") or []
        if kind != "SOURCE" and len(inputs) != 1:
            raise FlowError("node %s: operator %s with %d inputs is not supported by mlzone (one input)" % (node_id, operator, len(inputs)))
        order.append(node_id)
        stack.extend(i.get("node_id") for i in inputs)
    return order


def main(argv):
    options = parse_arguments(argv)
    config = job_config()
    flow = read_flow(config)
    nodes = {}
    for node in flow["nodes"]:
        if not isinstance(node, dict) or "node_id" not in node or "operator" not in node and node.get("type") != "DESTINATION":
            raise FlowError("every node of the flow needs a node_id and an operator")
        nodes[node["node_id"]] = node
    requested = options["output_config"]
    if requested is None:
        outputs = [o.get("OutputName") for o in (config.get("ProcessingOutputConfig") or {}).get("Outputs") or []]
        requested = {name: {"content_type": "CSV"} for name in outputs if name and name.rsplit(".", 1)[0] in nodes}
    if not requested:
        raise FlowError("no output to write: pass --output-config '{\"<node_id>.default\": {\"content_type\": \"CSV\"}}'")
    # Every operator an output needs is checked before any data is read.
    for key in requested:
        node_id = key.rsplit(".", 1)[0] if "." in key else key
        if node_id not in nodes:
            raise FlowError("the output %s names no node of the flow" % key)
        for item in (config.get("ProcessingOutputConfig") or {}).get("Outputs") or []:
            if item.get("OutputName") == key and item.get("FeatureStoreOutput"):
                raise FlowError("the output %s goes to Feature Store (FeatureStoreOutput), which mlzone's Data Wrangler runtime does not write: export to S3 and ingest with PutRecord" % key)
        needed(nodes, node_id)

    import numpy as np
    import pandas as pd

    memo = {}

    def evaluate(node_id):
        if node_id in memo:
            return memo[node_id]
        node = nodes[node_id]
        if node.get("type") == "SOURCE":
            df = read_source(pd, node, config)
        else:
            df = evaluate(node["inputs"][0]["node_id"])
            if node.get("type") != "DESTINATION":
                df = TRANSFORM_FUNCTIONS[node["operator"]](pd, np, df, node)
                log("node %s (%s): %d rows, %d columns" % (node_id, node["operator"], len(df), len(df.columns)))
        memo[node_id] = df
        return df

    for key, settings in requested.items():
        node_id = key.rsplit(".", 1)[0] if "." in key else key
        df = evaluate(node_id)
        node = nodes[node_id]
        destination = ((node.get("parameters") or {}).get("output_config") or {}) if node.get("type") == "DESTINATION" else {}
        content_type = str((settings or {}).get("content_type") or destination.get("output_content_type") or "CSV").upper()
        folder = output_path(config, key)
        os.makedirs(folder, exist_ok=True)
        part = "part-00000-%s" % uuid.uuid4()
        if content_type == "CSV":
            path = os.path.join(folder, part + ".csv")
            frame = df.copy()
            for name in frame.columns:
                if pd.api.types.is_bool_dtype(frame[name].dtype):
                    frame[name] = frame[name].map({True: "true", False: "false"})
            frame.to_csv(path, index=False)
        elif content_type == "PARQUET":
            path = os.path.join(folder, part + ".parquet")
            write_parquet(pd, df, path)
        else:
            raise FlowError("output %s: content_type %s is not supported (CSV, PARQUET)" % (key, content_type))
        log("output %s: %d rows, %d columns → %s" % (key, len(df), len(df.columns), path))


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except FlowError as e:
        message = "Data Wrangler flow failed: %s" % e
        print("mlzone: " + message, file=sys.stderr, flush=True)
        write_failure(message)
        sys.exit(1)
    except Exception as e:  # noqa: BLE001 - the reason goes to the job
        traceback.print_exc()
        write_failure("Data Wrangler flow failed: %s: %s" % (type(e).__name__, e))
        sys.exit(1)
