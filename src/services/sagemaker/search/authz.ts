/**
 * `sagemaker:Search` has no resource type in the Service Authorization Reference (`Resource: *`); its only
 * condition key is `sagemaker:SearchVisibilityCondition/${FilterKey}`, filled from the request's
 * VisibilityConditions. The results themselves are not authorized one by one (the API reference warns that
 * Search "may provide access to otherwise restricted data").
 */
import type { SageMakerAuthz } from '../context.js';
import { sm } from '../domain/authz.js';
import { visibilityContext } from './domain/visibility.js';

export const searchAuthz: SageMakerAuthz = {
  Search: (i) => [{ action: sm('Search'), resource: '*', context: visibilityContext(i.VisibilityConditions) }],
};
