/**
 * What every area of the SageMaker service (tags, registry, hosting, search …) is built from. Areas are
 * folders with their own handlers and authz; `index.ts` merges them into one service definition.
 */
import type { Clock } from '../../core/clock.js';
import type { EventPort } from '../../core/events.js';
import type { AuthzFn, Handlers } from '../../core/service.js';
import type { Database } from '../../persistence/db.js';
import type { SageMakerOperations } from './api.gen.js';

export interface AreaContext {
  readonly db: Database;
  readonly clock: Clock;
  /**
   * IAM's refusal text for a resource-based policy document (`validatePolicyDocument(doc, 'resource')`), or undefined
   * when acceptable (model package group policies).
   */
  readonly validatePolicy: (document: string) => string | undefined;
  /** Where SageMaker's EventBridge events go (pipeline execution and step status changes). */
  readonly events?: EventPort;
}

/**
 * Conventions for the documents kept in `sagemaker_resource.doc`: each is the resource's Describe answer as the
 * model shapes it (PascalCase members), with timestamps as ISO-8601 strings (what JSON.stringify makes of a Date;
 * the codec writes them in the protocol's format). So a Describe handler returns the document as it is, and
 * Search filters and sorts on the same member names clients use.
 */

export type SageMakerHandlers = Handlers<SageMakerOperations>;
export type SageMakerAuthz = { [K in keyof SageMakerOperations]?: AuthzFn<SageMakerOperations[K]['input']> };
