// Reads findings for `triage` and `eval`: the jsonl that hunt, scan and harden write (one finding per line), or a
// JSON document holding them (an array, or `{"findings": [...]}` as harden's json format writes). A bad line is
// reported with its file and line and skipped, so one broken line does not lose the rest of a night's findings.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseFinding, type Finding } from '../core/index.ts';

export type BadInput = { readonly where: string; readonly why: string };

/** Findings from FILE ('-' = standard input), in order; `bad` collects what was skipped. */
export async function* readFindings(path: string, bad: BadInput[]): AsyncGenerator<Finding> {
  const name = path === '-' ? '<stdin>' : path;
  const input = path === '-' ? process.stdin : createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  let doc: string[] | undefined;
  for await (const line of lines) {
    n++;
    if (doc) {
      doc.push(line);
      continue;
    }
    const text = line.trim();
    if (text === '') continue;
    // a document (pretty-printed JSON) rather than one finding per line: collect it whole
    if (n === 1 && (text === '[' || text === '{' || (text.startsWith('[') && !text.endsWith(']')))) {
      doc = [line];
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      bad.push({ where: `${name}:${n}`, why: `not JSON (${(err as Error).message})` });
      continue;
    }
    if (n === 1 && (Array.isArray(value) || isFindingsDoc(value))) {
      yield* fromDocument(value, name, bad);
      continue;
    }
    const r = parseFinding(value);
    if ('error' in r) bad.push({ where: `${name}:${n}`, why: r.error });
    else yield r.finding;
  }
  if (doc) {
    let value: unknown;
    try {
      value = JSON.parse(doc.join('\n'));
    } catch (err) {
      bad.push({ where: name, why: `not a JSON document (${(err as Error).message})` });
      return;
    }
    yield* fromDocument(value, name, bad);
  }
}

function isFindingsDoc(v: unknown): v is { findings: unknown[] } {
  return typeof v === 'object' && v !== null && Array.isArray((v as { findings?: unknown }).findings);
}

function* fromDocument(value: unknown, name: string, bad: BadInput[]): Generator<Finding> {
  const list = Array.isArray(value) ? value : isFindingsDoc(value) ? value.findings : undefined;
  if (!list) {
    bad.push({ where: name, why: 'a JSON document without a list of findings (an array, or {"findings": [...]})' });
    return;
  }
  for (const [i, item] of list.entries()) {
    const r = parseFinding(item);
    if ('error' in r) bad.push({ where: `${name}: finding ${i + 1}`, why: r.error });
    else yield r.finding;
  }
}
