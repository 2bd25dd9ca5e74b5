// JSON for extractors: parse with the line of the error, JSONC (comments, trailing commas: bun.lock), and the
// line of each object key (one pass over the text, so extractors can say where a package is).
import { isRecord, lineOf, type Collector } from './extract.ts';

export type JsonParse =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly message: string; readonly line?: number };

/** V8's messages carry `at position N` and, in Node 22+, `(line L column C)`. */
function errorLine(text: string, message: string): number | undefined {
  const lc = /\(line (\d+) column \d+\)/.exec(message);
  if (lc) return Number(lc[1]);
  const pos = /at position (\d+)/.exec(message);
  if (pos) return lineOf(text, Number(pos[1]));
  return undefined;
}

/**
 * Offset where a JSON text stops being valid, for error lines when the engine's message has no position
 * (V8 gives none for some errors). Iterative, so hostile nesting cannot exhaust the stack.
 */
export function jsonErrorOffset(text: string): number | undefined {
  const n = text.length;
  const ws = (i: number) => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i++;
    }
    return i;
  };
  const str = (i: number): number => {
    // i at the opening quote; returns the offset after the closing quote, or -(offset of the fault) - 1
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) return i + 1;
      if (c === 0x5c) i += 2;
      else if (c < 0x20) return -i - 1;
      else i++;
    }
    return -n - 1;
  };
  const literal = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
  // stack of containers: 'o' object, 'a' array; `want` is what may come next
  const stack: ('o' | 'a')[] = [];
  let want: 'value' | 'key' | 'keyOrEnd' | 'valueOrEnd' | 'colon' | 'commaOrEnd' = 'value';
  let i = ws(0);
  for (;;) {
    if (i >= n) return stack.length === 0 && want === 'commaOrEnd' ? undefined : n;
    const c = text[i]!;
    if (want === 'colon') {
      if (c !== ':') return i;
      want = 'value';
      i = ws(i + 1);
      continue;
    }
    if (want === 'commaOrEnd') {
      const top = stack[stack.length - 1];
      if (top === undefined) return i; // trailing content after the top-level value
      if (c === ',') want = top === 'o' ? 'key' : 'value';
      else if ((c === '}' && top === 'o') || (c === ']' && top === 'a')) stack.pop();
      else return i;
      i = ws(i + 1);
      continue;
    }
    if (want === 'key' || want === 'keyOrEnd') {
      if (want === 'keyOrEnd' && c === '}') {
        stack.pop();
        want = 'commaOrEnd';
        i = ws(i + 1);
        continue;
      }
      if (c !== '"') return i;
      const e = str(i);
      if (e < 0) return -e - 1;
      want = 'colon';
      i = ws(e);
      continue;
    }
    // a value
    if (want === 'valueOrEnd' && c === ']') {
      stack.pop();
      want = 'commaOrEnd';
      i = ws(i + 1);
      continue;
    }
    if (c === '{') {
      stack.push('o');
      want = 'keyOrEnd';
      i = ws(i + 1);
      continue;
    }
    if (c === '[') {
      stack.push('a');
      want = 'valueOrEnd';
      i = ws(i + 1);
      continue;
    }
    if (c === '"') {
      const e = str(i);
      if (e < 0) return -e - 1;
      want = 'commaOrEnd';
      i = ws(e);
      continue;
    }
    literal.lastIndex = i;
    const m = literal.exec(text);
    if (m === null || m[0].length === 0) return i;
    want = 'commaOrEnd';
    i = ws(i + m[0].length);
  }
}

/** Parses JSON (or JSONC when `jsonc`), reporting the line of a syntax error. */
export function parseJson(text: string, options?: { jsonc?: boolean }): JsonParse {
  const source = options?.jsonc === true ? stripJsonc(text) : text;
  try {
    return { ok: true, value: JSON.parse(source) as unknown };
  } catch (e) {
    const raw = e instanceof Error ? e.message : String(e);
    let line = errorLine(source, raw);
    if (line === undefined) {
      const at = jsonErrorOffset(source);
      if (at !== undefined) line = lineOf(source, at);
    }
    // the message quotes the input; keep it short since the input may be hostile
    const message = `invalid JSON: ${raw.replace(/\s*\(line \d+ column \d+\)/, '').slice(0, 200)}`;
    return line === undefined ? { ok: false, message } : { ok: false, message, line };
  }
}

/**
 * JSONC to JSON: drops `//` and block comments and commas before `}` or `]`, outside strings. Removed
 * characters become spaces (newlines stay), so offsets and lines are those of the original text.
 */
export function stripJsonc(text: string): string {
  const n = text.length;
  let out: string[] | undefined;
  let last = 0;
  const cut = (from: number, to: number) => {
    out ??= [];
    out.push(text.slice(last, from));
    out.push(text.slice(from, to).replace(/[^\n]/g, ' '));
    last = to;
  };
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i += 2;
        else if (d === 0x22) {
          i++;
          break;
        } else i++;
      }
      continue;
    }
    if (c === 0x2f /* / */ && text.charCodeAt(i + 1) === 0x2f) {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? n : end;
      cut(i, stop);
      i = stop;
      continue;
    }
    if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a /* * */) {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      cut(i, stop);
      i = stop;
      continue;
    }
    if (c === 0x2c /* , */) {
      // a trailing comma: only white space or comments until } or ]
      let j = i + 1;
      for (;;) {
        while (j < n && /\s/.test(text[j]!)) j++;
        if (text.charCodeAt(j) === 0x2f && text.charCodeAt(j + 1) === 0x2f) {
          const end = text.indexOf('\n', j);
          j = end === -1 ? n : end;
          continue;
        }
        if (text.charCodeAt(j) === 0x2f && text.charCodeAt(j + 1) === 0x2a) {
          const end = text.indexOf('*/', j + 2);
          j = end === -1 ? n : end + 2;
          continue;
        }
        break;
      }
      const next = text.charCodeAt(j);
      if (next === 0x7d /* } */ || next === 0x5d /* ] */) cut(i, i + 1);
      i++;
      continue;
    }
    i++;
  }
  if (out === undefined) return text;
  out.push(text.slice(last));
  return out.join('');
}

/**
 * Lines of object keys, by path (keys joined with `\u0000`), for keys at most `maxDepth` objects deep (a key
 * of the top-level object is depth 1). One pass, no allocation per value: a 30 MB lockfile takes ~100 ms.
 * Works on JSON and on JSONC stripped with `stripJsonc`. Paths through arrays use the element index, and an
 * object, array or string that is an array element gets the line of its opening bracket under that path. With
 * `underKeys`, only keys whose parent object is itself the value of one of those keys are recorded (npm's
 * `packages` / `dependencies` maps), which keeps the map small for deep files.
 */
export function keyLines(text: string, maxDepth: number, underKeys?: ReadonlySet<string>): Map<string, number> {
  const lines = new Map<string, number>();
  const n = text.length;
  // stack of containers: for objects the current key (or undefined), for arrays the current index
  const keys: (string | number | undefined)[] = [];
  const isObject: boolean[] = [];
  let line = 1;
  let i = 0;
  let expectKey = false;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      line++;
      i++;
      continue;
    }
    if ((c === 0x7b || c === 0x5b) && isObject.length > 0 && !isObject[isObject.length - 1]) {
      // an object or array that is an array element: record its line under the element's index
      const top = isObject.length - 1;
      if (
        isObject.length <= maxDepth &&
        (underKeys === undefined || (top > 0 && underKeys.has(String(keys[top - 1]))))
      ) {
        let path = '';
        for (let k = 0; k <= top; k++) path = k === 0 ? String(keys[k]) : `${path}\u0000${String(keys[k])}`;
        if (!lines.has(path)) lines.set(path, line);
      }
    }
    if (c === 0x7b /* { */) {
      isObject.push(true);
      keys.push(undefined);
      expectKey = true;
      i++;
      continue;
    }
    if (c === 0x5b /* [ */) {
      isObject.push(false);
      keys.push(0);
      expectKey = false;
      i++;
      continue;
    }
    if (c === 0x7d || c === 0x5d) {
      isObject.pop();
      keys.pop();
      expectKey = false;
      i++;
      continue;
    }
    if (c === 0x2c /* , */) {
      const top = isObject.length - 1;
      if (top >= 0) {
        if (isObject[top]) expectKey = true;
        else keys[top] = (keys[top] as number) + 1;
      }
      i++;
      continue;
    }
    if (c === 0x22 /* " */) {
      const start = i + 1;
      // jump to the next quote; it ends the string unless an odd run of backslashes precedes it
      let j = start;
      for (;;) {
        j = text.indexOf('"', j);
        if (j === -1) {
          j = n;
          break;
        }
        let b = j - 1;
        while (b >= start && text.charCodeAt(b) === 0x5c) b--;
        if ((j - 1 - b) % 2 === 0) break;
        j++;
      }
      // valid JSON has no raw newline in a string; count any so lines stay right on broken input
      for (let k = text.indexOf('\n', start); k !== -1 && k < j; k = text.indexOf('\n', k + 1)) line++;
      const top = isObject.length - 1;
      if (top >= 0 && !isObject[top]) {
        // a string that is an array element (Conan 2 reference lists)
        if (
          isObject.length <= maxDepth &&
          (underKeys === undefined || (top > 0 && underKeys.has(String(keys[top - 1]))))
        ) {
          let path = '';
          for (let k = 0; k <= top; k++) path = k === 0 ? String(keys[k]) : `${path}\u0000${String(keys[k])}`;
          if (!lines.has(path)) lines.set(path, line);
        }
      }
      if (expectKey && top >= 0 && isObject[top]) {
        let key = text.slice(start, j);
        if (key.includes('\\')) {
          try {
            key = JSON.parse(`"${key}"`) as string;
          } catch {
            // keep the raw text
          }
        }
        keys[top] = key;
        expectKey = false;
        if (
          isObject.length <= maxDepth &&
          (underKeys === undefined || (top > 0 && underKeys.has(String(keys[top - 1]))))
        ) {
          let path = '';
          for (let k = 0; k <= top; k++) path = k === 0 ? String(keys[k]) : `${path}\u0000${String(keys[k])}`;
          if (!lines.has(path)) lines.set(path, line);
        }
      }
      i = j + 1;
      continue;
    }
    i++;
  }
  return lines;
}

/** Path key for `keyLines`. */
export function keyPath(...keys: (string | number)[]): string {
  return keys.map(String).join('\u0000');
}

/**
 * The top-level object of a JSON lockfile. A syntax error (with its line) or a top level that is not an object
 * is reported on `c` as "not a <what>", and the caller gets `undefined` and returns what it has.
 */
export function jsonObjectOf(text: string, c: Collector, what: string): Record<string, unknown> | undefined {
  const r = parseJson(text);
  if (!r.ok) {
    c.issue(r.message, r.line);
    return undefined;
  }
  if (!isRecord(r.value)) {
    c.issue(`not a ${what}: the top level is not an object`);
    return undefined;
  }
  return r.value;
}
