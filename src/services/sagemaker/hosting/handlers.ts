/** Models, endpoint configs and endpoints (to be written). */
import type { AreaContext, SageMakerHandlers } from '../context.js';

export function hostingHandlers(_ctx: AreaContext): SageMakerHandlers {
  return {};
}
