/**
 * Every error the ECR service throws. Texts are AWS's where they were recorded (SDK/CLI output quoted in
 * public issues, moto's tests recorded against AWS); the ones marked "ours" were not found recorded and
 * follow AWS's `Invalid parameter at '<member>' failed to satisfy constraint: '<reason>'` form.
 */
import { EcrErrors } from '../api.gen.js';

/** `{imageDigest:'sha256:…', imageTag:'null'}` as ECR prints an image id in messages. */
export function imageIdText(id: { readonly imageDigest?: string; readonly imageTag?: string }): string {
  return `{imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'}`;
}

const invalid = (member: string, reason: string) =>
  EcrErrors.InvalidParameterException(`Invalid parameter at '${member}' failed to satisfy constraint: '${reason}'`);

export const errors = {
  repositoryNotFound: (name: string, registryId: string) =>
    EcrErrors.RepositoryNotFoundException(`The repository with name '${name}' does not exist in the registry with id '${registryId}'`),
  repositoryAlreadyExists: (name: string, registryId: string) =>
    EcrErrors.RepositoryAlreadyExistsException(`The repository with name '${name}' already exists in the registry with id '${registryId}'`),
  repositoryNotEmpty: (name: string, registryId: string) =>
    EcrErrors.RepositoryNotEmptyException(
      `The repository with name '${name}' in registry with id '${registryId}' cannot be deleted because it still contains images`,
    ),
  repositoryPolicyNotFound: (name: string, registryId: string) =>
    EcrErrors.RepositoryPolicyNotFoundException(
      `Repository policy does not exist for the repository with name '${name}' in the registry with id '${registryId}'`,
    ),
  imageNotFound: (id: { imageDigest?: string; imageTag?: string }, name: string, registryId: string) =>
    EcrErrors.ImageNotFoundException(
      `The image with imageId ${imageIdText(id)} does not exist within the repository with name '${name}' in the registry with id '${registryId}'`,
    ),
  /** Re-putting a manifest under a tag it already has. Without a tag the wording is ours. */
  imageAlreadyExists: (digest: string, tag: string | undefined, name: string, registryId: string) =>
    EcrErrors.ImageAlreadyExistsException(
      tag === undefined
        ? `Image with digest '${digest}' already exists in the repository with name '${name}' in registry with id '${registryId}'`
        : `Image with digest '${digest}' and tag '${tag}' already exists in the repository with name '${name}' in registry with id '${registryId}'`,
    ),
  imageTagAlreadyExists: (tag: string, name: string) =>
    EcrErrors.ImageTagAlreadyExistsException(
      `The image tag '${tag}' already exists in the '${name}' repository and cannot be overwritten because the repository is immutable.`,
    ),
  /** Text of the exception's documentation. */
  imageDigestDoesNotMatch: () =>
    EcrErrors.ImageDigestDoesNotMatchException('The specified image digest does not match the digest that Amazon ECR calculated for the image.'),
  invalidPolicy: () => invalid('PolicyText', 'Invalid repository policy provided'),
  principalNotFound: () => invalid('PolicyText', 'Principal not found'),
  invalidManifest: () => invalid('ImageManifest', 'Invalid JSON syntax'),
  /** Ours. */
  mediaTypeMismatch: () => invalid('ImageManifestMediaType', 'Media type in the manifest does not match the imageManifestMediaType parameter'),
  /** Ours. */
  unsupportedMediaType: (mediaType: string) => invalid('ImageManifestMediaType', `Unsupported media type '${mediaType}'`),
  invalidArn: () => invalid('resourceArn', 'Invalid ARN'),
  /** Ours. */
  invalidNextToken: () => invalid('nextToken', 'Invalid NextToken'),
  /** Ours: AWS documents that maxResults cannot be combined with repositoryNames / imageIds. */
  maxResultsWithList: (list: 'repositoryNames' | 'imageIds') => invalid('maxResults', `maxResults cannot be used together with ${list}`),
  /** Ours. */
  exclusionFiltersNotAllowed: (mutability: string) =>
    invalid('imageTagMutabilityExclusionFilters', `Exclusion filters can only be used with IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION, not ${mutability}`),
  /** Ours. */
  exclusionFiltersRequired: (mutability: string) =>
    invalid('imageTagMutabilityExclusionFilters', `Exclusion filters are required when imageTagMutability is ${mutability}`),
  /** Invalid-request reasons as ECR prints them for an image id (also the `failureReason` of batch calls). */
  invalidImageId: (reason: string) => EcrErrors.InvalidParameterException(reason),
  /** Texts of the exceptions' documentation. */
  tooManyTags: () =>
    EcrErrors.TooManyTagsException('The list of tags on the repository is over the limit. The maximum number of tags that can be applied to a repository is 50.'),
  invalidTag: () =>
    EcrErrors.InvalidTagParameterException(
      'An invalid parameter has been specified. Tag keys can have a maximum character length of 128 characters, and tag values can have a maximum length of 256 characters.',
    ),
};

/** `failureCode`/`failureReason` pairs of BatchGetImage and BatchDeleteImage. */
export const failures = {
  imageNotFound: { failureCode: 'ImageNotFound', failureReason: 'Requested image not found' },
  missingDigestAndTag: { failureCode: 'MissingDigestAndTag', failureReason: 'Invalid request parameters: both tag and digest cannot be null' },
  invalidImageDigest: {
    failureCode: 'InvalidImageDigest',
    failureReason: "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
  },
  /** Ours. */
  invalidImageTag: { failureCode: 'InvalidImageTag', failureReason: 'Invalid request parameters: image tag is not valid' },
} as const;

export type FailureKind = keyof typeof failures;
