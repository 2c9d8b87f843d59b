import type { SageMakerAuthz } from '../context.js';

export const searchAuthz: SageMakerAuthz = {};
