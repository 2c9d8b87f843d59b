import type { SageMakerAuthz } from '../context.js';

export const registryAuthz: SageMakerAuthz = {};
