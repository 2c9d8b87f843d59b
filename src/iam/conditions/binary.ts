/** `BinaryEquals`: policy values are base64; the request value (also base64 text) is compared byte for byte. */
import type { OperatorSpec } from './types.js';

export const BinaryOperators: Readonly<Record<string, OperatorSpec>> = {
  BinaryEquals: {
    negated: false,
    variables: false,
    compile(values) {
      const wanted = values.map((v) => Buffer.from(v, 'base64'));
      return (rv) => {
        const got = Buffer.from(rv, 'base64');
        for (const w of wanted) if (w.equals(got)) return true;
        return false;
      };
    },
  },
};
