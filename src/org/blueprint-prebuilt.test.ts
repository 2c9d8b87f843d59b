import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blueprintSha256, defaultBlueprintPath, loadBlueprintFile, parseBlueprint, parseBlueprintYaml } from './blueprint.js';

describe('pre-parsed built-in blueprint (dist/default-blueprint.json)', () => {
  const text = readFileSync(defaultBlueprintPath(), 'utf8');

  it('its JSON form validates to the same blueprint as the YAML', () => {
    const viaJson = JSON.parse(JSON.stringify({ sha256: blueprintSha256(text), raw: parseBlueprintYaml(text) })) as { raw: unknown };
    expect(parseBlueprint(JSON.stringify(viaJson.raw))).toEqual(parseBlueprint(text));
  });

  it('loading the default path gives the YAML result whether or not a pre-parsed copy exists', () => {
    expect(loadBlueprintFile(defaultBlueprintPath())).toEqual(parseBlueprint(text));
  });
});
