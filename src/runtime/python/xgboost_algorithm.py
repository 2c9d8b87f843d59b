"""mlzone's stand-in for SageMaker's XGBoost container in algorithm mode (no sagemaker_program hyperparameter).

Like sagemaker-xgboost-container's algorithm_mode/train.py: validates the hyperparameters (num_round required;
names and ranges from the container's hyperparameter_validation.py), reads the train and validation channels (CSV
with the label in the first column, or libsvm; the channel's ContentType decides, libsvm when none is given, as on
AWS), trains with xgboost.train and its evaluation log on stdout ("[0]\\ttrain-rmse:…\\tvalidation-rmse:…", which the
job's log shows as #011 and AWS's metric definitions parse), and pickles the booster to /opt/ml/model/xgboost-model
(what the hosting shim, serve.py, loads).

A bad configuration or bad data ends the job with exit status 2 and the reason in /opt/ml/output/failure
("ClientError: …"); a missing package with status 3. `/opt/ml` is MLZONE_JOB_DIR when the runtime could not
mount the job directory there.
"""

import json
import logging
import os
import pickle
import sys

BASE = os.environ.get("MLZONE_JOB_DIR") or "/opt/ml"
CONFIG = os.path.join(BASE, "input", "config")
DATA = os.path.join(BASE, "input", "data")

logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="[%(asctime)s:%(levelname)s] %(message)s", datefmt="%Y-%m-%d:%H:%M:%S")
log = logging.getLogger("xgboost-algorithm")


class UserError(Exception):
    """A problem with the job's configuration or data (AWS: ClientError)."""


def fail(kind, message, code):
    text = "%s: %s" % (kind, message)
    try:
        os.makedirs(os.path.join(BASE, "output"), exist_ok=True)
        with open(os.path.join(BASE, "output", "failure"), "w", encoding="utf-8") as f:
            f.write(text)
    except OSError:
        pass
    log.error(text)
    sys.exit(code)


def require_packages():
    import importlib.util

    missing = [m for m in ("numpy", "xgboost") if importlib.util.find_spec(m) is None]
    if missing:
        message = "the XGBoost runtime needs Python packages: apt-get install -y python3-xgboost python3-pandas (or set MLZONE_PYTHON to a Python that has XGBoost); %s cannot import %s" % (
            sys.executable,
            ", ".join(missing),
        )
        print("mlzone: " + message, file=sys.stderr, flush=True)
        fail("AlgorithmError", message, 3)


# ---- hyperparameters -------------------------------------------------------------------------------------------

INT, FLOAT, STR, LIST = "int", "float", "str", "list"

# name: (type, range check or allowed values)
HYPERPARAMETERS = {
    "num_round": (INT, lambda v: v >= 1),
    "csv_weights": (INT, lambda v: v in (0, 1)),
    "early_stopping_rounds": (INT, lambda v: v >= 1),
    "booster": (STR, ("gbtree", "gblinear", "dart")),
    "verbosity": (INT, lambda v: 0 <= v <= 3),
    "nthread": (INT, lambda v: v >= 1),
    "eta": (FLOAT, lambda v: 0 <= v <= 1),
    "gamma": (FLOAT, lambda v: v >= 0),
    "max_depth": (INT, lambda v: v >= 0),
    "min_child_weight": (FLOAT, lambda v: v >= 0),
    "max_delta_step": (FLOAT, lambda v: v >= 0),
    "subsample": (FLOAT, lambda v: 0 < v <= 1),
    "colsample_bytree": (FLOAT, lambda v: 0 < v <= 1),
    "colsample_bylevel": (FLOAT, lambda v: 0 < v <= 1),
    "colsample_bynode": (FLOAT, lambda v: 0 < v <= 1),
    "lambda": (FLOAT, lambda v: v >= 0),
    "alpha": (FLOAT, lambda v: v >= 0),
    "tree_method": (STR, ("auto", "exact", "approx", "hist", "gpu_hist")),
    "sketch_eps": (FLOAT, lambda v: 0 < v < 1),
    "scale_pos_weight": (FLOAT, lambda v: v > 0),
    "updater": (STR, None),
    "dsplit": (STR, ("row", "col")),
    "refresh_leaf": (INT, lambda v: v in (0, 1)),
    "process_type": (STR, ("default", "update")),
    "grow_policy": (STR, ("depthwise", "lossguide")),
    "max_leaves": (INT, lambda v: v >= 0),
    "max_bin": (INT, lambda v: v >= 0),
    "predictor": (STR, ("auto", "cpu_predictor", "gpu_predictor")),
    "monotone_constraints": (STR, None),
    "interaction_constraints": (STR, None),
    "sample_type": (STR, ("uniform", "weighted")),
    "normalize_type": (STR, ("tree", "forest")),
    "rate_drop": (FLOAT, lambda v: 0 <= v <= 1),
    "one_drop": (INT, lambda v: v in (0, 1)),
    "skip_drop": (FLOAT, lambda v: 0 <= v <= 1),
    "lambda_bias": (FLOAT, lambda v: 0 <= v <= 1),
    "tweedie_variance_power": (FLOAT, lambda v: 1 < v < 2),
    "objective": (
        STR,
        (
            "binary:logistic", "binary:logitraw", "binary:hinge", "count:poisson", "multi:softmax", "multi:softprob",
            "rank:pairwise", "rank:ndcg", "rank:map", "reg:linear", "reg:squarederror", "reg:logistic", "reg:gamma",
            "reg:pseudohubererror", "reg:squaredlogerror", "reg:absoluteerror", "reg:tweedie", "survival:aft", "survival:cox",
        ),
    ),
    "num_class": (INT, lambda v: v >= 2),
    "base_score": (FLOAT, lambda v: v >= 0),
    "_kfold": (INT, lambda v: v >= 2),
    "_num_cv_round": (INT, lambda v: v >= 1),
    "_tuning_objective_metric": (STR, None),
    "eval_metric": (LIST, None),
    "seed": (INT, lambda v: -(2 ** 31) < v < 2 ** 31 - 1),
    "num_parallel_tree": (INT, lambda v: v >= 1),
    "save_model_on_termination": (STR, ("true", "false")),
    "aft_loss_distribution": (STR, ("normal", "logistic", "extreme")),
    "aft_loss_distribution_scale": (FLOAT, lambda v: v > 0),
    "deterministic_histogram": (STR, ("true", "false")),
    "sampling_method": (STR, ("uniform", "gradient_based")),
    "single_precision_histogram": (STR, ("true", "false")),
    "prob_buffer_row": (FLOAT, lambda v: v > 0),
    "max_cached_hist_node": (INT, lambda v: v >= 1),
    "use_dask_gpu_training": (STR, ("true", "false")),
}

# Training settings of the container, not XGBoost parameters.
NOT_PARAMS = {"num_round", "csv_weights", "early_stopping_rounds", "_kfold", "_num_cv_round", "_tuning_objective_metric", "save_model_on_termination", "use_dask_gpu_training"}

METRICS = {
    "accuracy", "auc", "aucpr", "balanced_accuracy", "f1", "f1_binary", "f1_macro", "map", "ndcg", "precision", "r2", "recall",
    "precision_macro", "precision_micro", "recall_macro", "recall_micro", "aft-nloglik", "cox-nloglik", "error", "gamma-deviance",
    "gamma-nloglik", "interval-regression-accuracy", "logloss", "mae", "mape", "merror", "mlogloss", "mphe", "mse",
    "poisson-nloglik", "rmse", "rmsle", "tweedie-nloglik",
}
# Metrics XGBoost computes itself (the container computes the others with scikit-learn; mlzone does not).
NATIVE_METRICS = {
    "auc", "aucpr", "map", "ndcg", "error", "gamma-deviance", "gamma-nloglik", "logloss", "mae", "mape", "merror",
    "mlogloss", "mphe", "poisson-nloglik", "rmse", "rmsle", "tweedie-nloglik", "aft-nloglik", "cox-nloglik",
    "interval-regression-accuracy",
}


def decode(value):
    """The toolkit json.loads every hyperparameter value, keeping the raw string where that fails."""
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


def validate(raw):
    hps = {k: decode(v) for k, v in raw.items() if not k.startswith("sagemaker_")}
    if "num_round" not in hps:
        raise UserError("Missing required hyperparameter: num_round")
    out = {}
    for name, value in hps.items():
        if name not in HYPERPARAMETERS:
            raise UserError("Extraneous hyperparameter found: %s" % name)
        kind, check = HYPERPARAMETERS[name]
        try:
            if kind == INT:
                number = float(value)
                if number != int(number):
                    raise ValueError(value)
                value = int(number)
            elif kind == FLOAT:
                value = float(value)
            elif kind == LIST:
                value = [v.strip() for v in (value if isinstance(value, list) else str(value).split(",")) if str(v).strip()]
            else:
                value = str(value) if not isinstance(value, bool) else ("true" if value else "false")
        except (TypeError, ValueError):
            raise UserError("Hyperparameter %s: could not parse value" % name)
        if callable(check) and not check(value):
            raise UserError("Hyperparameter %s: value %s not in range" % (name, value))
        if isinstance(check, tuple) and value not in check:
            raise UserError("Hyperparameter %s: value %s not in range %s" % (name, value, list(check)))
        out[name] = value
    for metric in out.get("eval_metric", []):
        base = metric.split("@")[0]
        if base not in METRICS:
            raise UserError("Hyperparameter eval_metric: value %s not in range" % metric)
        if base not in NATIVE_METRICS:
            raise UserError("eval_metric %s is computed by AWS's container with scikit-learn; mlzone supports the metrics XGBoost computes itself (%s)" % (metric, ", ".join(sorted(NATIVE_METRICS))))
    objective = out.get("objective")
    if objective in ("multi:softmax", "multi:softprob") and "num_class" not in out:
        raise UserError("Require input for parameter 'num_class' for multi-classification")
    if objective == "reg:linear":
        out["objective"] = "reg:squarederror"  # the name XGBoost >= 1.0 gives it
    return out


# ---- data ----------------------------------------------------------------------------------------------------------


def read_json(name, default):
    path = os.path.join(CONFIG, name)
    if not os.path.exists(path):
        return default
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def channel_files(channel):
    root = os.path.join(DATA, channel)
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.startswith("."):
                files.append(os.path.join(dirpath, name))
    return files


def content_type(config, channel):
    value = (config.get(channel) or {}).get("ContentType")
    media = (value or "").split(";")[0].strip().lower()
    if media in ("", "libsvm", "text/libsvm", "text/x-libsvm"):
        return "libsvm", value
    if media in ("csv", "text/csv"):
        return "csv", value
    if media in ("parquet", "application/x-parquet", "application/x-recordio-protobuf", "recordio-protobuf"):
        raise UserError("the %s channel's ContentType %s is not supported by mlzone's XGBoost; use text/csv or text/libsvm" % (channel, value))
    raise UserError("Content type %s is not supported. The %s channel must be text/csv or text/libsvm" % (value, channel))


def load_csv(files, channel, weights):
    import numpy as np

    blocks = []
    for path in files:
        with open(path, "rb") as f:
            head = f.readline()
        if not head.strip():
            continue
        delimiter = ";" if head.count(b";") > head.count(b",") else ","
        try:
            try:
                import pandas as pd

                frame = pd.read_csv(path, header=None, sep=delimiter, dtype="float64", na_values=["", "nan"], keep_default_na=False)
                block = frame.to_numpy()
            except ImportError:
                block = np.loadtxt(path, delimiter=delimiter, ndmin=2)
        except ValueError as e:
            raise UserError("%s (%s): the data is not numeric CSV (label in the first column, no header): %s" % (channel, os.path.relpath(path, DATA), str(e).splitlines()[0]))
        blocks.append(block)
    if not blocks:
        return None
    widths = {b.shape[1] for b in blocks}
    if len(widths) > 1:
        raise UserError("the %s channel's CSV files have different numbers of columns: %s" % (channel, sorted(widths)))
    data = np.vstack(blocks)
    log.info("Determined delimiter of CSV input is ','")
    labels = data[:, 0]
    if weights:
        return data[:, 2:], labels, data[:, 1]
    return data[:, 1:], labels, None


def looks_like_csv(path):
    with open(path, "rb") as f:
        head = f.readline(4096)
    return b":" not in head and (b"," in head or b";" in head)


def build_dmatrices(data_config, params):
    import xgboost as xgb

    channels = {}
    for channel in ("train", "validation"):
        files = channel_files(channel)
        if not files:
            if channel == "train":
                raise UserError("No data in training channel path %s" % os.path.join(DATA, "train"))
            if channel in data_config:
                raise UserError("No data in validation channel path %s" % os.path.join(DATA, "validation"))
            continue
        channels[channel] = (files, content_type(data_config, channel))
    weights = params.get("csv_weights", 0) == 1
    out = {}
    if any(kind == "libsvm" for _, (kind, _) in channels.values()):
        import numpy as np
        import scipy.sparse
        from sklearn.datasets import load_svmlight_files

        libsvm = [c for c in ("train", "validation") if c in channels and channels[c][1][0] == "libsvm"]
        paths = [p for c in libsvm for p in channels[c][0]]
        try:
            loaded = load_svmlight_files(paths, zero_based="auto")
        except ValueError as e:
            given = channels[libsvm[0]][1][1]
            hint = ""
            if given is None and looks_like_csv(paths[0]):
                hint = " (the channel has no ContentType, so it is read as libsvm, AWS's default; set ContentType text/csv for CSV)"
            raise UserError("the %s data is not valid libsvm%s: %s" % (libsvm[0], hint, e))
        at = 0
        for c in libsvm:
            xs, ys = [], []
            for _ in channels[c][0]:
                xs.append(loaded[at])
                ys.append(loaded[at + 1])
                at += 2
            out[c] = xgb.DMatrix(scipy.sparse.vstack(xs), label=np.concatenate(ys))
    for c, (files, (kind, _)) in channels.items():
        if kind != "csv":
            continue
        # As AWS's container: instance weights (csv_weights=1) are read from the train channel only.
        loaded = load_csv(files, c, weights and c == "train")
        if loaded is None:
            raise UserError("No data in %s channel path %s" % (c, os.path.join(DATA, c)))
        x, y, w = loaded
        out[c] = xgb.DMatrix(x, label=y, weight=w)
    if "validation" in out and out["validation"].num_col() != out["train"].num_col():
        raise UserError("feature_names mismatch: the train data has %d features and the validation data %d" % (out["train"].num_col(), out["validation"].num_col()))
    return out


# ---- training ------------------------------------------------------------------------------------------------------


def main():
    require_packages()
    log.info("Running XGBoost Sagemaker in algorithm mode")
    raw = read_json("hyperparameters.json", {})
    data_config = read_json("inputdataconfig.json", {})
    # Validated before XGBoost is imported (a second or so), so that a bad configuration fails at once.
    params = validate({k: v if isinstance(v, str) else json.dumps(v) for k, v in raw.items()})
    import xgboost as xgb

    matrices = build_dmatrices(data_config, params)
    train = matrices["train"]
    validation = matrices.get("validation")
    log.info("Single node training.")
    log.info("Train matrix has %d rows and %d columns", train.num_row(), train.num_col())
    if validation is not None:
        log.info("Validation matrix has %d rows", validation.num_row())

    booster_params = {k: v for k, v in params.items() if k not in NOT_PARAMS}
    evals = [(train, "train")] + ([(validation, "validation")] if validation is not None else [])
    try:
        booster = xgb.train(
            booster_params,
            train,
            num_boost_round=params["num_round"],
            evals=evals,
            early_stopping_rounds=params.get("early_stopping_rounds") if validation is not None else None,
            verbose_eval=True,
        )
    except xgb.core.XGBoostError as e:
        raise UserError("XGB train call failed with exception:\n %s" % str(e).splitlines()[0])
    model_dir = os.path.join(BASE, "model")
    os.makedirs(model_dir, exist_ok=True)
    with open(os.path.join(model_dir, "xgboost-model"), "wb") as f:
        pickle.dump(booster, f)
    log.info("Stored trained model at %s", os.path.join(model_dir, "xgboost-model"))


if __name__ == "__main__":
    try:
        main()
    except UserError as e:
        fail("ClientError", str(e), 2)
    except SystemExit:
        raise
    except BaseException as e:  # noqa: BLE001 - anything else is the algorithm's fault, reported like AWS's
        import traceback

        traceback.print_exc()
        fail("AlgorithmError", "framework error: %s" % e, 1)
