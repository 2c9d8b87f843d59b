/**
 * A fast reader for the dense CSV the built-in algorithms train on (label in the first column, no header, one
 * record per line): bytes in, one row-major Float64Array out, without making a string per cell. Files are read
 * in 32 MB chunks, so a file's size is bounded by memory for the parsed numbers, not by Node's string or Buffer
 * limits.
 *
 * Numbers are parsed from their digits: up to 19 significant digits are accumulated in a double and scaled by an
 * exact power of ten, which is correctly rounded for up to 15 digits (Clinger's fast path) and within a few units in
 * the last place beyond (np.savetxt's 19 digits, pandas' 17) — noise far below what training can see. Anything
 * unusual (a 300-digit exponent, `Infinity`) goes through `Number()`; text that is not a number is refused with
 * its file, line and column.
 */
import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Rows of numbers, row-major; column 0 is the label. */
export interface DenseMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** Data the algorithm refuses: the message is written for the user (it becomes the job's FailureReason). */
export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}

const CHUNK = 32 * 1024 * 1024;
/** Exact powers of ten (10^22 is the largest a double holds exactly). */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

const COMMA = 44;
const NL = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

/**
 * Accumulates CSV files into one matrix. Every row must have the same number of columns as the first one (or
 * `expectedCols` when given).
 */
export class DenseCsvReader {
  private data: Float64Array;
  private length = 0;
  private cols: number;

  constructor(expectedCols?: number) {
    this.cols = expectedCols ?? -1;
    this.data = new Float64Array(1 << 16);
  }

  get rows(): number {
    return this.cols > 0 ? this.length / this.cols : 0;
  }

  /** Reads one file; `name` is how messages refer to it (a path relative to the channel). */
  addFile(path: string, name: string): void {
    const fd = openSync(path, 'r');
    try {
      const size = statSync(path).size;
      let buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(size, 1)) + 1);
      let carry = 0;
      let line = 1;
      let consumed = 0;
      const before = this.length;
      for (let chunk = 0; ; chunk++) {
        if (chunk === 1 && consumed > 0) {
          // Size the matrix for the whole file from what the first chunk held (numbers per byte), plus a margin.
          this.reserve(Math.ceil((((this.length - before) / consumed) * (size - consumed)) * 1.05) + 1024);
        }
        if (carry === buf.length) {
          // A single line longer than the buffer: grow it.
          const bigger = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(bigger, 0, 0, carry);
          buf = bigger;
        }
        const n = readSync(fd, buf, carry, buf.length - carry, null);
        let end = carry + n;
        if (n === 0) {
          if (end > 0) {
            // The parser relies on every line ending with \n (its digit loops stop there, not at `end`).
            if (end === buf.length) {
              const bigger = Buffer.allocUnsafe(end + 1);
              buf.copy(bigger, 0, 0, end);
              buf = bigger;
            }
            buf[end++] = NL;
            line = this.parse(buf, 0, end, name, line);
          }
          break;
        }
        const lastNl = buf.lastIndexOf(NL, end - 1);
        if (lastNl < 0) {
          carry = end;
          continue;
        }
        line = this.parse(buf, 0, lastNl + 1, name, line);
        consumed += lastNl + 1;
        carry = end - lastNl - 1;
        buf.copy(buf, 0, lastNl + 1, end);
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Parses text already in memory (tests, small inputs). */
  addText(text: string, name: string): void {
    const buf = Buffer.from(text.endsWith('\n') ? text : text + '\n', 'utf8');
    this.reserve(Math.ceil(buf.length / 4));
    this.parse(buf, 0, buf.length, name, 1);
  }

  finish(): DenseMatrix {
    const cols = this.cols > 0 ? this.cols : 0;
    return { rows: cols > 0 ? this.length / cols : 0, cols, data: this.data.subarray(0, this.length) };
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    let size = this.data.length;
    while (size < this.length + extra) size *= 2;
    const next = new Float64Array(size);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }

  /** Parses complete lines in buf[start, end), which ends with \n; returns the next line number. */
  private parse(buf: Uint8Array, start: number, end: number, name: string, firstLine: number): number {
    let line = firstLine;
    let i = start;
    let data = this.data;
    let len = this.length;
    let cols = this.cols;
    while (i < end) {
      // Skip blank lines (and a trailing \r).
      let c = buf[i];
      if (c === NL) {
        i++;
        line++;
        continue;
      }
      if (c === CR || c === SPACE || c === TAB) {
        let j = i;
        while (j < end && (buf[j] === CR || buf[j] === SPACE || buf[j] === TAB)) j++;
        if (j >= end || buf[j] === NL) {
          i = j;
          continue;
        }
      }
      const rowStart = len;
      if (cols > 0 && len + cols > data.length) {
        this.length = len;
        this.reserve(Math.max(cols * 1024, data.length));
        data = this.data;
      }
      let col = 0;
      for (;;) {
        // One cell: [spaces] [sign] digits [. digits] [e [sign] digits] [spaces]
        const cellStart = i;
        while (i < end && ((c = buf[i]) === SPACE || c === TAB)) i++;
        let neg = false;
        c = buf[i];
        if (c === 45) {
          neg = true;
          c = buf[++i];
        } else if (c === 43) {
          c = buf[++i];
        }
        let mant = 0;
        let sig = 0;
        let exp = 0;
        let any = false;
        while (c >= 48 && c <= 57) {
          any = true;
          if (sig < 19) {
            mant = mant * 10 + (c - 48);
            if (mant !== 0) sig++;
          } else {
            exp++;
          }
          c = buf[++i];
        }
        if (c === 46) {
          c = buf[++i];
          while (c >= 48 && c <= 57) {
            any = true;
            if (sig < 19) {
              mant = mant * 10 + (c - 48);
              if (mant !== 0) sig++;
              exp--;
            }
            c = buf[++i];
          }
        }
        let ok = any;
        if (ok && (c === 101 || c === 69)) {
          c = buf[++i];
          let eneg = false;
          if (c === 45) {
            eneg = true;
            c = buf[++i];
          } else if (c === 43) {
            c = buf[++i];
          }
          let e = 0;
          let edigits = false;
          while (c >= 48 && c <= 57) {
            edigits = true;
            if (e < 100000) e = e * 10 + (c - 48);
            c = buf[++i];
          }
          if (!edigits) ok = false;
          exp += eneg ? -e : e;
        }
        while (i < end && ((c = buf[i]) === SPACE || c === TAB)) i++;
        let value: number;
        if (ok && (i >= end || c === COMMA || c === NL || c === CR) && exp >= -22 && exp <= 22) {
          value = exp === 0 ? mant : exp > 0 ? mant * POW10[exp] : mant / POW10[-exp];
          if (neg) value = -value;
        } else {
          // Slow path: an odd number (huge exponent, Infinity) or not a number at all.
          i = cellStart;
          while (i < end && (c = buf[i]) !== COMMA && c !== NL) i++;
          let cellEnd = i;
          if (cellEnd > cellStart && buf[cellEnd - 1] === CR) cellEnd--;
          const text = Buffer.from(buf.buffer, buf.byteOffset + cellStart, cellEnd - cellStart).toString('utf8').trim();
          value = text === '' ? NaN : Number(text);
          if (!Number.isFinite(value)) {
            const what = text === '' ? 'an empty cell' : `${JSON.stringify(text.length > 40 ? text.slice(0, 40) + '…' : text)}`;
            throw new DataError(`${name}, line ${line}, column ${col + 1}: ${what} is not a number (the data must be dense CSV of numbers, label first, no header)`);
          }
          c = buf[i];
        }
        if (cols > 0) {
          if (col >= cols) throw this.wrongWidth(name, line, buf, i, end, col + 1);
          data[len++] = value;
        } else {
          if (len >= data.length) {
            this.length = len;
            this.reserve(1024);
            data = this.data;
          }
          data[len++] = value;
        }
        col++;
        if (i >= end) break;
        if (c === COMMA) {
          i++;
          continue;
        }
        if (c === CR) i++;
        if (buf[i] === NL) i++;
        break;
      }
      if (cols < 0) {
        cols = col;
        this.cols = cols;
      } else if (col !== cols) {
        throw new DataError(`${name}, line ${line} has ${col} columns where the data has ${cols} (label + ${cols - 1} features); every record must have the same number of columns`);
      }
      if (len - rowStart !== cols) throw new Error('internal: row width mismatch');
      line++;
    }
    this.length = len;
    return line;
  }

  private wrongWidth(name: string, line: number, buf: Uint8Array, i: number, end: number, seen: number): DataError {
    let count = seen;
    for (let j = i; j < end && buf[j] !== NL; j++) if (buf[j] === COMMA) count++;
    return new DataError(`${name}, line ${line} has ${count} columns where the data has ${this.cols} (label + ${this.cols - 1} features); every record must have the same number of columns`);
  }
}

/** Every regular file under `dir`, recursively, in a stable order (what AWS's File mode downloads into a channel). */
export function channelFiles(dir: string): { path: string; name: string }[] {
  const out: { path: string; name: string }[] = [];
  const walk = (d: string) => {
    const entries = readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() || (e.isSymbolicLink() && statSync(p).isFile())) out.push({ path: p, name: relative(dir, p) });
    }
  };
  walk(dir);
  return out;
}
