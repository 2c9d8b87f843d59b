import { describe, expect, it } from 'vitest';
import { XmlSyntaxError, childrenByName, parseXml } from './reader.js';
import { attributes, escapeXml, leaf } from './writer.js';

describe('XML reader', () => {
  it('reads elements, attributes, text, entities, CDATA; skips declaration, comments, DOCTYPE', () => {
    const root = parseXml(
      '\ufeff<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e "boom">]><!-- c --><a:Root xmlns:a="urn:x" k=\'v&amp;w\'>' +
        '<Item>1 &lt; 2 &#x41;&#66;</Item><Item><![CDATA[<raw>&amp;]]></Item><Empty/><!-- inside --></a:Root>',
    );
    expect([root.name, root.local, root.attrs]).toEqual(['a:Root', 'Root', { 'xmlns:a': 'urn:x', k: 'v&w' }]);
    const byName = childrenByName(root);
    expect(byName.get('Item')?.map((e) => e.text)).toEqual(['1 < 2 AB', '<raw>&amp;']);
    expect(byName.get('Empty')?.[0].children).toEqual([]);
  });

  it('rejects malformed documents and unknown entities (no entity expansion)', () => {
    for (const bad of ['', '<a>', '<a></b>', '<a/><b/>', 'text<a/>', '<a>&e;</a>', '<a x="1></a>', '<a><!-- </a>']) {
      expect(() => parseXml(bad), bad).toThrow(XmlSyntaxError);
    }
  });
});

describe('XML writer', () => {
  it('escapes text and attributes', () => {
    expect(escapeXml('a<b>&"c"\r')).toBe('a&lt;b&gt;&amp;&quot;c&quot;&#xD;');
    expect(escapeXml('plain')).toBe('plain');
    expect(leaf('K', 'x&y')).toBe('<K>x&amp;y</K>');
    expect(attributes({ a: '1', b: '"' })).toBe(' a="1" b="&quot;"');
  });
});
