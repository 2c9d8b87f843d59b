"""mlzone's stand-in for sagemaker-training-toolkit's process runner, in front of a framework job's Python command.

    job_entry.py run  <framework> <kind> <output_dir> -- <command...>   (training, script mode)
    job_entry.py exec <framework> <kind> <output_dir> -- <command...>   (an explicit ContainerEntrypoint)

Both first check that the framework's packages can be found (a missing package ends the job with exit status 3,
the reason in the log and in output/failure (training) or output/message (processing), naming the Debian
packages, as the hosting shim does). `exec` then becomes the command. `run` does what the toolkit does around a
user script: runs it as a child (the job runtime already set the SM_* variables, the code directory as working
directory and PYTHONPATH), relays its output, and writes output/success, or output/failure with the toolkit's
ExecuteUserScriptError text and the script's last error lines.

Standard library only; the framework itself is not imported here (finding it is enough and costs milliseconds).
"""

import importlib.util
import os
import shlex
import signal
import subprocess
import sys
import threading

FRAMEWORK_NAMES = {"sklearn": "scikit-learn", "xgboost": "XGBoost"}
DEBIAN_PACKAGES = {"sklearn": "python3-sklearn python3-pandas", "xgboost": "python3-xgboost python3-pandas"}
REQUIRED_MODULES = {"sklearn": ["numpy", "sklearn", "joblib"], "xgboost": ["numpy", "xgboost"]}
ERROR_LINES = 20


def write(path, text):
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        print("mlzone: cannot write %s: %s" % (path, e), file=sys.stderr, flush=True)


def reason_file(kind, output_dir):
    return os.path.join(output_dir, "failure" if kind == "training" else "message")


def check_packages(framework, kind, output_dir):
    missing = [name for name in REQUIRED_MODULES.get(framework, []) if importlib.util.find_spec(name) is None]
    if not missing:
        return
    name = FRAMEWORK_NAMES.get(framework, framework)
    message = "the %s runtime needs Python packages: apt-get install -y %s (or set MLZONE_PYTHON to a Python that has %s); %s cannot import %s" % (
        name,
        DEBIAN_PACKAGES.get(framework, "python3-" + framework),
        name,
        sys.executable,
        ", ".join(missing),
    )
    print("mlzone: " + message, file=sys.stderr, flush=True)
    write(reason_file(kind, output_dir), message)
    sys.exit(3)


def run(command, kind, output_dir):
    print("Invoking script with the following command:\n\n%s\n" % " ".join(shlex.quote(c) for c in command), flush=True)
    try:
        child = subprocess.Popen(command, stderr=subprocess.PIPE)
    except OSError as e:
        message = "ExecuteUserScriptError:\nExitCode 1\nErrorMessage \"%s\"\nCommand \"%s\"" % (e, " ".join(command))
        print(message, file=sys.stderr, flush=True)
        write(reason_file(kind, output_dir), message)
        sys.exit(1)

    # The whole group gets the runtime's SIGTERM; waiting for the child lets its own handler run.
    signal.signal(signal.SIGTERM, lambda *_: None)
    tail = []

    def relay():
        for raw in iter(child.stderr.readline, b""):
            sys.stderr.buffer.write(raw)
            sys.stderr.buffer.flush()
            tail.append(raw.decode("utf-8", "replace").rstrip("\n"))
            if len(tail) > ERROR_LINES:
                del tail[0]

    relay_thread = threading.Thread(target=relay, daemon=True)
    relay_thread.start()
    code = child.wait()
    relay_thread.join(timeout=5)
    if code == 0:
        write(os.path.join(output_dir, "success"), "")
        return 0
    if code < 0:
        exit_code = 128 - code
        shown = "%d (killed by signal %d)" % (exit_code, -code)
    else:
        exit_code = code
        shown = str(code)
    message = 'ExecuteUserScriptError:\nExitCode %s\nErrorMessage "%s"\nCommand "%s"' % (shown, "\n".join(tail).strip(), " ".join(command))
    write(reason_file(kind, output_dir), message)
    print("Reporting training FAILURE" if kind == "training" else "Reporting FAILURE", flush=True)
    return exit_code


def main(argv):
    if len(argv) < 6 or argv[4] != "--" or argv[0] not in ("run", "exec"):
        print("usage: job_entry.py run|exec <framework> <kind> <output_dir> -- <command...>", file=sys.stderr)
        return 2
    mode, framework, kind, output_dir = argv[0], argv[1], argv[2], argv[3]
    command = argv[5:]
    check_packages(framework, kind, output_dir)
    if mode == "exec":
        sys.stdout.flush()
        os.execvp(command[0], command)
    return run(command, kind, output_dir)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
