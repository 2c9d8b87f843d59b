"""mlzone's stand-in for the SageMaker scikit-learn and XGBoost serving containers.

mlzone cannot run AWS's images, so a framework image runs this script instead: the hosting contract (GET /ping,
POST /invocations on SAGEMAKER_BIND_TO_PORT) around the inference-toolkit conventions users' code is written
for (reference section 4.4): the user module named by SAGEMAKER_PROGRAM (default inference.py) from
SAGEMAKER_SUBMIT_DIRECTORY when that is a local directory, else from <model_dir>/code; its model_fn, input_fn,
predict_fn, output_fn or transform_fn; the framework's defaults for the ones it leaves out.

Standard library plus numpy and the framework only: mlzone installs nothing (no pip), so a missing package ends
the start with exit status 3 and one "mlzone: ..." line naming the Debian packages; the runtime shows that line
as the endpoint's FailureReason. The model is loaded before the port is opened, so a broken model or user module
also fails the start with its message rather than every request.
"""

import importlib
import importlib.util
import inspect
import io
import json
import os
import sys
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FRAMEWORK = os.environ.get("MLZONE_FRAMEWORK", "sklearn")
FRAMEWORK_NAMES = {"sklearn": "scikit-learn", "xgboost": "XGBoost"}
DEBIAN_PACKAGES = {"sklearn": "python3-sklearn python3-pandas", "xgboost": "python3-xgboost python3-pandas"}
REQUIRED_MODULES = {"sklearn": ["numpy", "sklearn", "joblib"], "xgboost": ["numpy", "xgboost"]}

JSON = "application/json"
CSV = "text/csv"
NPY = "application/x-npy"
JSONLINES = "application/jsonlines"
LIBSVM = ("text/libsvm", "text/x-libsvm")
# The toolkit hands these to input_fn as str, everything else as bytes.
UTF8_TYPES = (JSON, CSV)


def explain_and_exit(message, status=2):
    print("mlzone: " + message, file=sys.stderr, flush=True)
    sys.exit(status)


class RequestError(Exception):
    """A request the container refuses (the default handlers' 400 and 415)."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status_code = status


def media_type(value):
    return (value or "").split(";")[0].strip().lower()


def require_packages():
    if FRAMEWORK not in FRAMEWORK_NAMES:
        explain_and_exit("unknown framework %r (MLZONE_FRAMEWORK)" % FRAMEWORK)
    missing = []
    for name in REQUIRED_MODULES[FRAMEWORK]:
        try:
            importlib.import_module(name)
        except Exception as e:  # noqa: BLE001 - an ImportError or a broken install, both mean "install it"
            missing.append("%s (%s)" % (name, e))
    if missing:
        print("%s cannot import: %s" % (sys.executable, ", ".join(missing)), file=sys.stderr)
        name = FRAMEWORK_NAMES[FRAMEWORK]
        explain_and_exit(
            "the %s runtime needs Python packages: apt-get install -y %s (or set MLZONE_PYTHON to a Python that has %s)"
            % (name, DEBIAN_PACKAGES[FRAMEWORK], name),
            3,
        )


# ---- the user module -------------------------------------------------------------------------------------------


def load_user_module(model_dir):
    program = os.environ.get("SAGEMAKER_PROGRAM", "")
    name = program or "inference.py"
    submit = os.environ.get("SAGEMAKER_SUBMIT_DIRECTORY", "")
    local_submit = submit[len("file://"):] if submit.startswith("file://") else submit
    places = []
    if local_submit and os.path.isdir(local_submit):
        places.append(local_submit)
    places.append(os.path.join(model_dir, "code"))
    for place in places:
        path = os.path.join(place, name)
        if os.path.isfile(path):
            return import_file(path, place)
    if program:
        where = " or ".join(places)
        note = ""
        if submit and not os.path.isdir(local_submit):
            note = " (SAGEMAKER_SUBMIT_DIRECTORY %s is not a local directory, so the code must be in the model's code/ folder)" % submit
        explain_and_exit("SAGEMAKER_PROGRAM %s was not found in %s%s" % (name, where, note))
    return None


def import_file(path, directory):
    if os.path.isfile(os.path.join(directory, "requirements.txt")):
        print("warning: %s/requirements.txt is not installed (mlzone runs no pip); its packages must already be importable" % directory, file=sys.stderr)
    sys.path.insert(0, directory)
    module_name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as e:  # noqa: BLE001 - SystemExit from a script is a failure too
        traceback.print_exc()
        explain_and_exit("importing %s failed: %s" % (os.path.basename(path), last_line(e)))
    return module


def last_line(e):
    lines = traceback.format_exception_only(type(e), e)
    return lines[-1].strip() if lines else repr(e)


def adapt(fn, nargs):
    """Newer toolkits pass a trailing `context` to the handlers; pass None for it only when the function wants it.
    Decided once per handler, not per request."""
    if fn is None:
        return None
    try:
        params = [p for p in inspect.signature(fn).parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        extra = len([p for p in params if p.default is p.empty]) - nargs
    except (TypeError, ValueError):
        extra = 0
    if extra <= 0:
        return fn
    padding = (None,) * extra
    return lambda *args: fn(*args, *padding)


# ---- default handlers --------------------------------------------------------------------------------------------


def default_model_fn(model_dir):
    files = sorted(os.listdir(model_dir)) if os.path.isdir(model_dir) else []
    if FRAMEWORK == "sklearn":
        import joblib

        for name in ("model.joblib", "model.pkl", "model.pickle"):
            path = os.path.join(model_dir, name)
            if os.path.isfile(path):
                return joblib.load(path)
        explain_and_exit(
            "the scikit-learn container needs a model_fn in %s to load the model: the model data has no model.joblib or model.pkl to load by default (it has: %s)"
            % (os.environ.get("SAGEMAKER_PROGRAM") or "inference.py", ", ".join(files) or "nothing")
        )
    import xgboost

    for name in ("xgboost-model", "model.json", "model.ubj", "model.bin"):
        path = os.path.join(model_dir, name)
        if os.path.isfile(path):
            with open(path, "rb") as f:
                head = f.read(2)
            if head[:1] == b"\x80":  # a pickle: the SageMaker XGBoost container accepts pickled boosters too
                import pickle

                with open(path, "rb") as f:
                    return pickle.load(f)
            booster = xgboost.Booster()
            booster.load_model(path)  # JSON, UBJSON or the legacy binary format, detected by xgboost
            return booster
    explain_and_exit(
        "the XGBoost container found no xgboost-model in the model data (it has: %s); save the booster as xgboost-model or provide model_fn"
        % (", ".join(files) or "nothing")
    )


def decode_array(data, content_type):
    import numpy as np

    ct = media_type(content_type)
    try:
        if ct == JSON:
            array = np.array(json.loads(data))
        elif ct == CSV:
            array = np.loadtxt(io.StringIO(data), delimiter=",", dtype=np.float32, ndmin=2)
        elif ct == NPY:
            return np.load(io.BytesIO(data), allow_pickle=False)
        else:
            return None
    except (ValueError, TypeError) as e:
        raise RequestError(400, "the request body is not valid %s: %s" % (ct, e))
    return array


def to_float32(array):
    import numpy as np

    try:
        return array.astype(np.float32)
    except (ValueError, TypeError) as e:
        raise RequestError(400, "the request holds values that are not numbers: %s" % e)


def parse_libsvm(text, num_features):
    """`<label> <index>:<value> ...` per line, as the XGBoost container reads it (the label is ignored)."""
    import numpy as np
    import scipy.sparse

    data, indices, indptr = [], [], [0]
    width = 0
    for n, line in enumerate(text.splitlines(), 1):
        tokens = line.split("#", 1)[0].split()
        if not tokens:
            continue
        if ":" not in tokens[0]:
            tokens = tokens[1:]
        for token in tokens:
            try:
                index, value = token.split(":", 1)
                i = int(index)
                v = float(value)
            except ValueError:
                raise RequestError(400, "line %d: %r is not index:value" % (n, token))
            indices.append(i)
            data.append(v)
            width = max(width, i + 1)
        indptr.append(len(indices))
    if len(indptr) == 1:
        raise RequestError(400, "the request has no records")
    shape = (len(indptr) - 1, max(width, num_features or 0))
    return scipy.sparse.csr_matrix((np.array(data, dtype=np.float32), np.array(indices), np.array(indptr)), shape=shape)


def default_input_fn(data, content_type):
    ct = media_type(content_type)
    if FRAMEWORK == "xgboost":
        import xgboost

        if ct in LIBSVM:
            text = data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data
            return xgboost.DMatrix(parse_libsvm(text, STATE.get("num_features")))
        array = decode_array(data, ct)
        if array is None:
            raise RequestError(415, "content type %s is not supported; use text/csv, text/libsvm, application/json or application/x-npy" % content_type)
        return xgboost.DMatrix(to_float32(array))
    array = decode_array(data, ct)
    if array is None:
        raise RequestError(415, "content type %s is not supported; use application/json, text/csv or application/x-npy" % content_type)
    # The scikit-learn container casts the text formats to float32.
    return to_float32(array) if ct in UTF8_TYPES else array


def default_predict_fn(data, model):
    try:
        if FRAMEWORK == "xgboost":
            import xgboost

            if isinstance(data, xgboost.DMatrix):
                # A pickled scikit-learn wrapper (XGBRegressor, ...) predicts through its booster.
                booster = model if isinstance(model, xgboost.Booster) else getattr(model, "get_booster", lambda: None)()
                if booster is None:
                    raise TypeError("the model loaded by model_fn is not an XGBoost model; provide predict_fn")
                return booster.predict(data)
            if isinstance(model, xgboost.Booster):
                return model.predict(xgboost.DMatrix(data))
        return model.predict(data)
    except ValueError as e:  # a wrong number of features, a non-numeric column: the request's fault
        raise RequestError(400, last_line(e))


def to_jsonable(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


def csv_cell(value):
    return repr(value) if isinstance(value, float) else str(value)


def default_output_fn(prediction, accept):
    import numpy as np

    ct = media_type(accept)
    if ct == JSON:
        if ALGORITHM_MODE and FRAMEWORK == "xgboost":
            # The XGBoost algorithm container answers JSON as {"predictions": [{"score": ...}]}.
            return json.dumps({"predictions": [{"score": s} for s in to_jsonable(prediction)]}), JSON
        return json.dumps(to_jsonable(prediction)), JSON
    if ct == JSONLINES:
        rows = to_jsonable(prediction)
        rows = rows if isinstance(rows, list) else [rows]
        if ALGORITHM_MODE and FRAMEWORK == "xgboost":
            rows = [{"score": r} for r in rows]
        return "".join(json.dumps(r) + "\n" for r in rows), JSONLINES
    if ct == CSV:
        rows = to_jsonable(prediction)
        rows = rows if isinstance(rows, list) else [rows]
        lines = [",".join(csv_cell(c) for c in r) if isinstance(r, list) else csv_cell(r) for r in rows]
        return "".join(line + "\n" for line in lines), CSV
    if ct == NPY:
        buffer = io.BytesIO()
        np.save(buffer, np.asarray(prediction))
        return buffer.getvalue(), NPY
    raise RequestError(415, "accept type %s is not supported; use application/json, text/csv, application/jsonlines or application/x-npy" % accept)


# ---- the server ----------------------------------------------------------------------------------------------------

STATE = {}
ALGORITHM_MODE = False


def invoke(body, content_type, accept):
    accept = (accept or "").split(",")[0].strip()
    if accept in ("", "*/*"):
        accept = STATE["default_accept"]
    content_type = content_type or STATE["default_content_type"]
    if media_type(content_type) in UTF8_TYPES:
        try:
            data = body.decode("utf-8")
        except UnicodeDecodeError as e:
            raise RequestError(400, "the request body is not UTF-8 text (%s): %s" % (content_type, e))
    else:
        data = body
    model = STATE["model"]
    if STATE["transform_fn"] is not None:
        result = STATE["transform_fn"](model, data, content_type, accept)
    else:
        features = STATE["input_fn"](data, content_type)
        prediction = STATE["predict_fn"](features, model)
        result = STATE["output_fn"](prediction, accept)
    if isinstance(result, tuple) and len(result) == 2:
        payload, response_type = result
    else:
        payload, response_type = result, accept
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    elif not isinstance(payload, (bytes, bytearray)):
        payload = json.dumps(to_jsonable(payload)).encode("utf-8")
    return bytes(payload), response_type


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the runtime reuses connections
    server_version = "mlzone-python"
    # Headers and body leave in separate writes; with Nagle's algorithm the body would wait for the client's
    # delayed ACK (~40 ms per request on a kept-alive connection).
    disable_nagle_algorithm = True

    def log_message(self, *args):  # one line per request would flood the container's log
        pass

    def reply(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, message):
        kind = {400: "BadRequestException", 404: "NotFoundException", 415: "UnsupportedMediaTypeException"}.get(status, "InternalServerException")
        self.reply(status, json.dumps({"code": status, "type": kind, "message": message}).encode("utf-8"), JSON)

    def do_GET(self):
        if self.path == "/ping":
            self.reply(200, b"", "text/plain")
        else:
            self.error(404, "no route for GET %s" % self.path)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        if self.path != "/invocations":
            self.error(404, "no route for POST %s" % self.path)
            return
        try:
            payload, response_type = invoke(body, self.headers.get("Content-Type"), self.headers.get("Accept"))
        except RequestError as e:
            self.error(e.status_code, str(e))
            return
        except Exception as e:  # noqa: BLE001 - the user's code failed: the caller gets a 500 (ModelError)
            traceback.print_exc()
            status = getattr(e, "status_code", 500)
            self.error(status if isinstance(status, int) and 400 <= status < 600 else 500, last_line(e))
            return
        self.reply(200, payload, response_type)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def main():
    global ALGORITHM_MODE
    started = time.monotonic()
    require_packages()
    model_dir = os.environ.get("MLZONE_MODEL_DIR") or os.environ.get("SM_MODEL_DIR") or "/opt/ml/model"
    port = int(os.environ.get("SAGEMAKER_BIND_TO_PORT") or "8080")
    module = load_user_module(model_dir)
    ALGORITHM_MODE = module is None

    def handler(name, default):
        fn = getattr(module, name, None) if module is not None else None
        return fn if callable(fn) else default

    transform_fn = handler("transform_fn", None)
    if transform_fn is not None and any(getattr(module, n, None) for n in ("input_fn", "predict_fn", "output_fn")):
        explain_and_exit("%s defines transform_fn and also input_fn, predict_fn or output_fn; define either transform_fn or the others" % module.__name__)
    model_fn = handler("model_fn", None)
    try:
        model = adapt(model_fn, 1)(model_dir) if model_fn is not None else default_model_fn(model_dir)
    except SystemExit:
        raise
    except BaseException as e:  # noqa: BLE001
        traceback.print_exc()
        explain_and_exit("model_fn failed to load the model from %s: %s" % (model_dir, last_line(e)))
    if FRAMEWORK == "xgboost" and hasattr(model, "num_features"):
        try:
            STATE["num_features"] = model.num_features()
        except Exception:  # noqa: BLE001
            pass
    default_accept = "text/csv" if FRAMEWORK == "xgboost" and ALGORITHM_MODE else JSON
    STATE.update(
        model=model,
        transform_fn=adapt(transform_fn, 4),
        input_fn=adapt(handler("input_fn", default_input_fn), 2),
        predict_fn=adapt(handler("predict_fn", default_predict_fn), 2),
        output_fn=adapt(handler("output_fn", default_output_fn), 2),
        default_accept=os.environ.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT") or default_accept,
        default_content_type="text/csv" if FRAMEWORK == "xgboost" else JSON,
    )
    try:
        server = Server(("127.0.0.1", port), Handler)
    except OSError as e:
        explain_and_exit("cannot listen on 127.0.0.1:%d: %s" % (port, e))
    print(
        "%s serving %s on 127.0.0.1:%d (ready in %.2f s)"
        % (FRAMEWORK_NAMES[FRAMEWORK], module.__name__ + ".py" if module else "the default handlers", port, time.monotonic() - started),
        flush=True,
    )
    server.serve_forever()


if __name__ == "__main__":
    main()
