/**
 * The models' `pattern` traits are Java regular expressions matched against the whole value
 * (`Matcher.matches()`). This converts them to JS: `\p{Alpha}`-style POSIX classes (ASCII in Java),
 * `\p{IsAlphabetic}`/`\p{javaLowerCase}` names, `\Q…\E`, `\A`/`\z`, `\h`, `\x{…}`, possessive quantifiers,
 * leading `(?i)`/`(?s)` flags, and identity escapes that the `u` flag rejects. Returns undefined when the pattern cannot
 * be expressed, so the caller skips the check instead of failing the request.
 */

const POSIX: Readonly<Record<string, string>> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'A-Za-z',
  Digit: '0-9',
  Alnum: 'A-Za-z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r',
};

const NAMED: Readonly<Record<string, string>> = {
  javaLowerCase: 'Ll',
  javaUpperCase: 'Lu',
  javaWhitespace: 'White_Space',
  javaLetter: 'L',
  javaDigit: 'Nd',
  javaLetterOrDigit: 'L',
  IsAlphabetic: 'Alphabetic',
  IsLetter: 'L',
  IsDigit: 'Nd',
  IsUppercase: 'Uppercase',
  IsLowercase: 'Lowercase',
  IsWhite_Space: 'White_Space',
  IsWhiteSpace: 'White_Space',
  IsPunctuation: 'P',
  IsControl: 'Cc',
  IsLatin: 'Script=Latin',
};

const GENERAL_CATEGORY = /^(?:Is)?(L[ultmo]?|M[nce]?|N[dlo]?|P[cdseifo]?|S[mcko]?|Z[slp]?|C[cfson]?)$/;

const U_SYNTAX = new Set(['^', '$', '\\', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '/']);
const PASS_ESCAPES = new Set(['d', 'D', 'w', 'W', 's', 'S', 'b', 'B', 'n', 'r', 't', 'f', 'v', '0', 'c', 'k']);

const H_CLASS = ' \\t\\xA0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000';

function escapeLiteral(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** Java regex → JS source (for the `u` flag) and flags, or undefined if unsupported. */
export function convertJavaPattern(pattern: string): { source: string; flags: string } | undefined {
  let src = pattern;
  let flags = 'u';
  const lead = /^\(\?([is]+)\)/.exec(src);
  if (lead) {
    src = src.slice(lead[0].length);
    flags += [...new Set(lead[1])].join('');
  }
  let out = '';
  let inClass = false;
  let lastWasQuantifier = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) return undefined;
      lastWasQuantifier = false;
      if (n === 'p' || n === 'P') {
        const close = src.indexOf('}', i + 2);
        if (src[i + 2] !== '{' || close < 0) {
          // Single-letter form `\pL`.
          const letter = src[i + 2];
          if (!letter || !/[A-Z]/.test(letter)) return undefined;
          out += `\\${n}{${letter}}`;
          i += 2;
          continue;
        }
        const name = src.slice(i + 3, close);
        i = close;
        const posix = POSIX[name] ?? POSIX[name.replace(/^Is/, '')];
        if (posix !== undefined) {
          if (n === 'P') {
            if (inClass) return undefined;
            out += `[^${posix}]`;
          } else out += inClass ? posix : `[${posix}]`;
          continue;
        }
        const gc = GENERAL_CATEGORY.exec(name);
        const mapped = NAMED[name] ?? (gc ? gc[1] : undefined);
        if (mapped === undefined) return undefined;
        out += `\\${n}{${mapped}}`;
        continue;
      }
      if (n === 'Q') {
        const end = src.indexOf('\\E', i + 2);
        const lit = src.slice(i + 2, end < 0 ? src.length : end);
        out += escapeLiteral(lit);
        i = end < 0 ? src.length : end + 1;
        continue;
      }
      if (n === 'A' && !inClass) {
        out += '^';
        i++;
        continue;
      }
      if ((n === 'z' || n === 'Z') && !inClass) {
        out += '$';
        i++;
        continue;
      }
      if (n === 'h') {
        out += inClass ? H_CLASS : `[${H_CLASS}]`;
        i++;
        continue;
      }
      if (n === 'e') {
        out += '\\x1B';
        i++;
        continue;
      }
      if (n === 'a') {
        out += '\\x07';
        i++;
        continue;
      }
      if (n === 'x' && src[i + 2] === '{') {
        const close = src.indexOf('}', i + 3);
        if (close < 0) return undefined;
        out += `\\u{${src.slice(i + 3, close)}}`;
        i = close;
        continue;
      }
      if (n === 'u' || n === 'x' || PASS_ESCAPES.has(n) || /[1-9]/.test(n)) {
        out += `\\${n}`;
        i++;
        continue;
      }
      if (/[A-Za-z]/.test(n)) return undefined; // \G, \R, \X, … have no JS equivalent
      // Identity escape: keep it where the u flag allows it, else emit the character itself.
      out += U_SYNTAX.has(n) || (inClass && n === '-') ? `\\${n}` : n;
      i++;
      continue;
    }
    if (inClass) {
      if (c === '[') return undefined; // Java union/intersection classes
      if (c === '&' && src[i + 1] === '&') return undefined;
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (src[i + 1] === '^') {
        out += '^';
        i++;
      }
      // A `]` right after `[` or `[^` is a literal in Java.
      if (src[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      lastWasQuantifier = false;
      continue;
    }
    if (c === '+' && lastWasQuantifier) {
      lastWasQuantifier = false; // possessive quantifier: same matches for a whole-value test in practice
      continue;
    }
    if (c === '(' && src[i + 1] === '?' && /[a-zA-Z-]/.test(src[i + 2] ?? '') && src[i + 2] !== 'P') {
      if (src.startsWith('(?<', i) === false) return undefined; // inline flags other than leading ones
    }
    out += c;
    lastWasQuantifier = c === '*' || c === '+' || c === '?' || c === '}';
  }
  if (inClass) return undefined;
  return { source: out, flags };
}

/** A RegExp that tests a whole value against a model pattern, or undefined when it cannot be compiled. */
export function compileModelPattern(pattern: string): RegExp | undefined {
  const converted = convertJavaPattern(pattern);
  if (!converted) return undefined;
  try {
    return new RegExp(`^(?:${converted.source})$`, converted.flags);
  } catch {
    // Some Java-valid classes are rejected under the u flag (`[\w-.]`); retry without it when no
    // Unicode-only syntax is involved.
  }
  if (/\\[pP]\{|\\u\{/.test(converted.source)) return undefined;
  try {
    return new RegExp(`^(?:${converted.source})$`, converted.flags.replace('u', ''));
  } catch {
    return undefined;
  }
}
