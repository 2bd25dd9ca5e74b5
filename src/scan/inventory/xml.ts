// XML for extractors (pom.xml, packages.config, *.props, verification-metadata.xml): a small element tree with
// the line of each element, built on saxes (a strict, non-validating SAX parser that never expands external
// or DTD-declared entities, so XXE and entity bombs are not a concern). Errors are reported with their line and
// the tree built up to there is kept.
import { SaxesParser } from 'saxes';

export type XmlElement = {
  /** Local name, prefix dropped (`<m:project>` → `project`). */
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** Concatenated text content (not of children), trimmed. */
  text: string;
  /** 1-based line of the start tag. */
  readonly line: number;
};

export type XmlParse = {
  readonly root?: XmlElement;
  readonly errors: readonly { readonly message: string; readonly line: number }[];
};

// hostile input: bound nesting and the number of elements
const MAX_DEPTH = 256;
const MAX_ELEMENTS = 2_000_000;
const MAX_ERRORS = 20;

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

/** Parses XML text into an element tree. Never throws. */
export function parseXml(text: string): XmlParse {
  const errors: { message: string; line: number }[] = [];
  const parser = new SaxesParser({ position: true });
  const stack: XmlElement[] = [];
  const texts: string[][] = [];
  let root: XmlElement | undefined;
  let count = 0;
  let skipDepth = 0; // elements beyond MAX_DEPTH are skipped, not built
  let stopped = false;
  parser.on('error', (e) => {
    if (errors.length < MAX_ERRORS) errors.push({ message: e.message.replace(/^\d+:\d+: /, ''), line: parser.line });
    if (errors.length >= MAX_ERRORS) stopped = true;
  });
  parser.on('opentag', (tag) => {
    if (stopped) return;
    if (skipDepth > 0 || stack.length >= MAX_DEPTH || count >= MAX_ELEMENTS) {
      if (skipDepth === 0) {
        errors.push({
          message: count >= MAX_ELEMENTS ? `more than ${MAX_ELEMENTS} elements` : `nested deeper than ${MAX_DEPTH}`,
          line: parser.line,
        });
      }
      skipDepth++;
      return;
    }
    count++;
    const attributes: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [k, v] of Object.entries(tag.attributes)) attributes[localName(k)] = typeof v === 'string' ? v : v.value;
    const el: XmlElement = { name: localName(tag.name), attributes, children: [], text: '', line: parser.line };
    const parent = stack[stack.length - 1];
    if (parent !== undefined) parent.children.push(el);
    else root ??= el;
    stack.push(el);
    texts.push([]);
  });
  parser.on('text', (t) => {
    if (skipDepth === 0) texts[texts.length - 1]?.push(t);
  });
  parser.on('cdata', (t) => {
    if (skipDepth === 0) texts[texts.length - 1]?.push(t);
  });
  parser.on('closetag', () => {
    if (skipDepth > 0) {
      skipDepth--;
      return;
    }
    const el = stack.pop();
    const parts = texts.pop();
    if (el !== undefined && parts !== undefined) el.text = parts.join('').trim();
  });
  try {
    parser.write(text).close();
  } catch (e) {
    errors.push({ message: e instanceof Error ? e.message : String(e), line: parser.line });
  }
  // close what an error left open, so the partial tree has its text
  while (stack.length > 0) {
    const el = stack.pop()!;
    el.text = (texts.pop() ?? []).join('').trim();
  }
  return root === undefined ? { errors } : { root, errors };
}

/** First child element with this local name. */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

/** All child elements with this local name. */
export function children(el: XmlElement | undefined, name: string): XmlElement[] {
  return el === undefined ? [] : el.children.filter((c) => c.name === name);
}

/** Text of the first child with this name, or undefined when absent or empty. */
export function childText(el: XmlElement | undefined, name: string): string | undefined {
  const t = child(el, name)?.text;
  return t === undefined || t === '' ? undefined : t;
}

/** Attribute by name, case-insensitive (MSBuild files are written either way). */
export function attr(el: XmlElement, name: string): string | undefined {
  const direct = el.attributes[name];
  if (direct !== undefined) return direct;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(el.attributes)) if (k.toLowerCase() === lower) return v;
  return undefined;
}
