import type { SageMakerAuthz } from '../context.js';

export const hostingAuthz: SageMakerAuthz = {};
