/** Model registry operations (to be written). */
import type { AreaContext, SageMakerHandlers } from '../context.js';

export function registryHandlers(_ctx: AreaContext): SageMakerHandlers {
  return {};
}
