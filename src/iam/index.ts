/**
 * The IAM policy engine's public surface. Pure: no I/O, imports only `src/core` (and nothing of it today).
 *
 * - `compilePolicy` / `validatePolicyDocument` when a policy is written (AWS's MalformedPolicyDocument texts)
 * - `authorize` for every authorization, with compiled policies gathered by the caller
 * - `denialMessage` / `explain` to report a decision
 */
export { compilePolicy, compileStoredPolicy, validatePolicyDocument, PolicyError, PolicyMessages } from './compile.js';
export type { CompileOptions } from './compile.js';
export { authorize } from './authorize.js';
export { denialMessage, denialReason, explain } from './explain.js';
export type { DenialMessageOptions, Explanation, ExplainedPolicy, ExplainedStatement } from './explain.js';
export type {
  AuthorizationRequest,
  AuthorizationResult,
  CompiledPolicy,
  CompiledStatement,
  Decision,
  EvaluatedPolicy,
  MatchedStatement,
  PolicyKind,
  PolicyRef,
  PrincipalType,
  ReasonKind,
  RequestPrincipal,
} from './types.js';
