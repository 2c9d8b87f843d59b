import { describe, expect, it } from 'vitest';
import type { HostingContainer } from '../../../runtime/types.js';
import type { LiveEndpoint, LiveVariant } from './deployer.js';
import { chooseInstance, chooseVariant } from './invoke.js';

const container = (healthy: boolean, port: number): HostingContainer =>
  ({ name: String(port), port, pid: port, healthy: () => healthy, invoke: () => Promise.reject(new Error('unused')), invokeStream: () => Promise.reject(new Error('unused')), rssBytes: () => undefined, stop: () => Promise.resolve() }) as HostingContainer;

function variant(name: string, weight: number, health: boolean[] = [true]): LiveVariant {
  return { name, weight, instances: health.map((h, i) => ({ containers: [container(h, i)] })), next: 0, plan: {} as never, images: [], dir: '' };
}

function endpoint(variants: LiveVariant[]): LiveEndpoint {
  return { arn: 'arn', accountId: '444444444444', region: 'us-east-1', name: 'e', variants, totalWeight: variants.reduce((n, v) => n + v.weight, 0) };
}

describe('InvokeEndpoint routing', () => {
  it('splits traffic in proportion to the weights and never sends default traffic to weight 0', () => {
    const e = endpoint([variant('A', 1), variant('B', 3), variant('Zero', 0)]);
    const counts: Record<string, number> = { A: 0, B: 0, Zero: 0 };
    for (let i = 0; i < 4000; i++) counts[chooseVariant(e, undefined, () => i / 4000)!.name]!++;
    expect(counts).toEqual({ A: 1000, B: 3000, Zero: 0 });
  });

  it('reaches any variant with TargetVariant, a weight-0 one too, and refuses an unknown one', () => {
    const e = endpoint([variant('A', 1), variant('Zero', 0)]);
    expect(chooseVariant(e, 'Zero').name).toBe('Zero');
    expect(() => chooseVariant(e, 'Nope')).toThrow(/The variant Nope is not present in the endpoint e/);
  });

  it('refuses default traffic when every weight is 0', () => {
    expect(() => chooseVariant(endpoint([variant('A', 0), variant('B', 0)]), undefined)).toThrow(/TargetVariant/);
  });

  it('goes round the healthy instances and skips the ones being restarted', () => {
    const v = variant('A', 1, [true, false, true]);
    const ports = Array.from({ length: 4 }, () => chooseInstance(v)!.containers[0]!.port);
    expect(ports).toEqual([0, 2, 0, 2]);
    expect(chooseInstance(variant('B', 1, [false, false]))).toBeUndefined();
  });
});
