/** Tagging any SageMaker resource: the tag action on the resource, with the request's tag keys. */
import type { SageMakerAuthz } from '../context.js';
import { onArn, requestTags } from '../domain/authz.js';

export const tagAuthz: SageMakerAuthz = {
  AddTags: (i) => [onArn('AddTags', i.ResourceArn, requestTags(i.Tags))],
  ListTags: (i) => [onArn('ListTags', i.ResourceArn)],
  DeleteTags: (i) => [onArn('DeleteTags', i.ResourceArn, { 'aws:TagKeys': i.TagKeys })],
};
