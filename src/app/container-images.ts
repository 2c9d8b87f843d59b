/**
 * The images mlzone runs without a registry telling it how: the blueprint's `containerImages` (a team's own server
 * mapped to a local command) first, then AWS's framework and algorithm images the runtime recognises.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import type { BlueprintContainerImage } from '../org/blueprint-types.js';
import { frameworkImageOf, type RuntimeImage } from '../runtime/index.js';

/** `<registry>/<repository>` of an image URI, without tag or digest. */
function repositoryOf(uri: string): string {
  const at = uri.indexOf('@');
  const base = at >= 0 ? uri.slice(0, at) : uri;
  const colon = base.lastIndexOf(':');
  return colon > base.lastIndexOf('/') ? base.slice(0, colon) : base;
}

export function knownImages(mapped: readonly BlueprintContainerImage[], blueprintPath: string): (uri: string) => RuntimeImage | undefined {
  const folder = dirname(blueprintPath);
  const images = mapped.map((m) => ({
    m,
    // An entry with a tag or digest names that image; without, every image of the repository.
    exact: repositoryOf(m.image) !== m.image,
    runtime: {
      kind: 'command',
      command: m.command,
      args: m.args,
      ...(m.cwd !== undefined ? { cwd: isAbsolute(m.cwd) ? m.cwd : resolve(folder, m.cwd) } : {}),
      environment: m.environment,
    } satisfies RuntimeImage,
  }));
  return (uri) => {
    const repository = repositoryOf(uri);
    const hit = images.find((x) => (x.exact ? x.m.image === uri : x.m.image === repository)) ?? images.find((x) => !x.exact && x.m.image === repository);
    return hit?.runtime ?? frameworkImageOf(uri);
  };
}
