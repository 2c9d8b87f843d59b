/**
 * The model examples/monitoring.ts serves (and its test): a linear model in SageMaker's scikit-learn image, script
 * mode. A value that is not a number fails in `input_fn`, so a caller can make the endpoint answer 5XX.
 */
import { createModelArtifact } from '../src/runtime/index.js';

export const WEIGHTS = [0.5, -1, 2];
export const BIAS = 0.25;

/** Data science's serving code (`SAGEMAKER_PROGRAM=inference.py`, `SAGEMAKER_SUBMIT_DIRECTORY=/opt/ml/model/code`). */
export const INFERENCE_PY = `import json, os
import numpy as np

def model_fn(model_dir):
    with open(os.path.join(model_dir, "weights.json")) as f:
        return json.load(f)

def input_fn(body, content_type):
    return np.array([[float(v) for v in line.split(",")] for line in body.strip().splitlines()])

def predict_fn(rows, model):
    return rows @ np.array(model["weights"]) + model["bias"]

def output_fn(scores, accept):
    print("scored %d rows" % len(scores), flush=True)
    return json.dumps({"scores": scores.tolist()}), "application/json"
`;

/** model.tar.gz of the weights and the serving code. */
export function linearModelArtifact(): Promise<Buffer> {
  return createModelArtifact({ 'weights.json': JSON.stringify({ weights: WEIGHTS, bias: BIAS }), 'code/inference.py': INFERENCE_PY });
}
