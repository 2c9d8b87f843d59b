/**
 * The services the gateway serves: each definition with its model and codec, and the routing table derived
 * from the models' metadata. Models load lazily so start-up stays fast.
 */
import type { ServiceDefinition } from '../core/service.js';
import type { ServiceModel } from '../spec/model.js';
import { codecFor, serviceCodecOptions, type ProtocolCodec } from '../protocol/codec.js';
import type { RoutingTable } from './route.js';

export type ErrorStyle = 'query' | 'json' | 'rest-json' | 'rest-xml';

export interface RegisteredService {
  readonly definition: ServiceDefinition;
  readonly model: ServiceModel;
  readonly codec: ProtocolCodec;
  readonly style: ErrorStyle;
}

export interface ServiceRegistry {
  get(name: string): RegisteredService | undefined;
  readonly routing: RoutingTable;
  /** Implemented operations per service, for `/_mlzone/health`: read off the handler tables, no model is built. */
  implemented(): Record<string, string[]>;
  /** Implemented and not implemented operations per service (builds every model), for the coverage table. */
  coverage(): Record<string, { implemented: string[]; notImplemented: string[] }>;
}

export function styleOf(model: Pick<ServiceModel, 'metadata'>): ErrorStyle {
  // JSON/CBOR services that kept their query error codes (CloudWatch) answer AccessDenied (403) as they did over query.
  if (model.metadata.awsQueryCompatible) return 'query';
  const p = model.metadata.protocol;
  if (p === 'query' || p === 'ec2') return 'query';
  if (p === 'rest-xml') return 'rest-xml';
  if (p === 'rest-json') return 'rest-json';
  return 'json';
}

/**
 * `loadMetadata` gives what routing needs; `loadModel` (the whole shape graph, and the codec built on it) runs
 * only when a service is first called, which keeps start-up from building every model.
 */
export function createServiceRegistry(
  definitions: readonly ServiceDefinition[],
  loadModel: (name: string) => ServiceModel,
  loadMetadata: (name: string) => ServiceModel['metadata'] = (name) => loadModel(name).metadata,
): ServiceRegistry {
  const entries = new Map<string, RegisteredService>();
  const byTargetPrefix = new Map<string, string>();
  const bySigningName = new Map<string, string[]>();
  const byQueryVersion = new Map<string, string>();
  for (const definition of definitions) {
    const md = loadMetadata(definition.name);
    const style = styleOf({ metadata: md });
    let model: ServiceModel | undefined;
    let codec: ProtocolCodec | undefined;
    entries.set(definition.name, {
      definition,
      style,
      get model() {
        return (model ??= loadModel(definition.name));
      },
      get codec() {
        return (codec ??= codecFor(this.model, serviceCodecOptions(this.model)));
      },
    });
    if (md.targetPrefix) {
      byTargetPrefix.set(md.targetPrefix, definition.name);
      // CloudTrail's model has `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101`; the JS SDK sends only the last part.
      const short = md.targetPrefix.slice(md.targetPrefix.lastIndexOf('.') + 1);
      if (short !== md.targetPrefix) byTargetPrefix.set(short, definition.name);
    }
    const signing = md.signingName ?? md.endpointPrefix;
    // SageMaker's JSON API and its REST runtimes share the signing name `sagemaker`. A request without X-Amz-Target
    // is routed by signing name to the first candidate, which must then be a service that needs no target header.
    if (signing) {
      const others = bySigningName.get(signing) ?? [];
      bySigningName.set(signing, style === 'json' ? [...others, definition.name] : [definition.name, ...others]);
    }
    if (style === 'query' && md.apiVersion) byQueryVersion.set(md.apiVersion, definition.name);
  }
  return {
    get: (name) => entries.get(name),
    routing: { byTargetPrefix, bySigningName, byQueryVersion },
    implemented() {
      const out: Record<string, string[]> = {};
      for (const [name, s] of entries) {
        const handlers = s.definition.handlers as Record<string, unknown>;
        out[name] = Object.keys(handlers).filter((o) => handlers[o]).sort();
      }
      return out;
    },
    coverage() {
      const out: Record<string, { implemented: string[]; notImplemented: string[] }> = {};
      for (const [name, s] of entries) {
        const ops = Object.keys(s.model.operations).sort();
        out[name] = {
          implemented: ops.filter((o) => s.definition.handlers[o]),
          notImplemented: ops.filter((o) => !s.definition.handlers[o]),
        };
      }
      return out;
    },
  };
}
