/** Search (to be written). */
import type { AreaContext, SageMakerHandlers } from '../context.js';

export function searchHandlers(_ctx: AreaContext): SageMakerHandlers {
  return {};
}
