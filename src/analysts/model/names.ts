import { UsageError } from '../../core/errors.ts';

/** A model analyst's name, parsed: `openai:<model>`, `anthropic:<model>`, `openai-compatible:<model>@<base URL>`. */
export type ModelAnalystName =
  | { readonly vendor: 'openai' | 'anthropic'; readonly model: string; readonly name: string }
  | { readonly vendor: 'openai-compatible'; readonly model: string; readonly baseURL: string; readonly name: string };

const VENDORS = ['openai', 'anthropic', 'openai-compatible'] as const;
// Model names as vendors and local servers spell them: `gpt-4.1-mini`, `llama3.1:8b`, `hf.co/org/model:Q4_K_M`,
// `ft:gpt-4o-mini:org::id`. No spaces, no `@` (it introduces the base URL).
const MODEL = /^[A-Za-z0-9][\w.:/+-]*$/;
const USAGE = 'expected openai:<model>, anthropic:<model> or openai-compatible:<model>@<http(s) base URL>';

/** True when `text` names a model analyst at all (its prefix), so callers can tell it from `builtin-*` names. */
export function isModelAnalystName(text: string): boolean {
  const prefix = text.slice(0, text.indexOf(':'));
  return (VENDORS as readonly string[]).includes(prefix);
}

/** Parses an analyst name; a `UsageError` says what is wrong and what the name should look like. */
export function parseModelAnalystName(text: string): ModelAnalystName {
  const name = text.trim();
  const colon = name.indexOf(':');
  const vendor = VENDORS.find((v) => v === name.slice(0, colon));
  if (colon < 0 || !vendor) throw new UsageError(`unknown analyst "${name}": ${USAGE}`);
  const rest = name.slice(colon + 1);
  if (vendor !== 'openai-compatible') {
    if (rest.includes('@')) {
      throw new UsageError(`"${name}": only openai-compatible takes a base URL (${vendor}:<model>)`);
    }
    return { vendor, model: checkModel(rest, name), name };
  }
  // the model may hold ':' (llama3.1:8b) but not '@', so the first '@' starts the URL
  const at = rest.indexOf('@');
  if (at < 0) throw new UsageError(`"${name}": openai-compatible needs a base URL: openai-compatible:<model>@<URL>`);
  return { vendor, model: checkModel(rest.slice(0, at), name), baseURL: checkUrl(rest.slice(at + 1), name), name };
}

function checkModel(model: string, name: string): string {
  if (!model) throw new UsageError(`"${name}": the model is missing: ${USAGE}`);
  if (!MODEL.test(model)) {
    throw new UsageError(`"${name}": "${model}" is not a model name (letters, digits and . _ : / + - only)`);
  }
  return model;
}

function checkUrl(text: string, name: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`"${name}": "${text}" is not a URL; give the server's base, e.g. http://localhost:11434/v1`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`"${name}": the base URL must be http or https, not ${url.protocol}`);
  }
  // the analyst's name is written into every verdict and the ledger: a password in it would be published
  if (url.username || url.password) {
    throw new UsageError(`"${name}": the base URL must not hold credentials; pass the API key separately`);
  }
  if (url.search || url.hash) throw new UsageError(`"${name}": the base URL must not have a query or fragment`);
  return url.href.replace(/\/+$/, '');
}
