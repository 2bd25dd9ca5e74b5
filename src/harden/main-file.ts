// The shape the sshd, nginx and Apache engines share: one main configuration file (and what it includes) under
// the root; checks judged on the loaded configuration, once or once per place (a server, a vhost); every fix
// re-checked on the patched configuration before it is offered; one shared line fixed once, not per place.
import { patchedRoot } from './edit.ts';
import { describeExpectation } from './expect.ts';
import type { CheckResult, CheckSpec, ConfigRoot, HardenEngine } from './types.ts';

export type MainFileSpec<C> = {
  readonly id: string;
  readonly main: string;
  /** The configuration, undefined when the main file does not exist; throws when it cannot be read. */
  load(root: ConfigRoot, main: string): Promise<C | undefined>;
  /** Every result of one check: one, or one per place it is judged at (each with its `instance`). */
  judge(config: C, check: CheckSpec): CheckResult[];
  /** The not-applicable message when the main file is absent. */
  readonly missing: string;
  /** The error message when the configuration cannot be loaded. */
  loadError(why: string): string;
  /** What a place is called in "the patch of X fixes this <place> too" (`server`, `vhost`). */
  readonly place: string;
};

export class MainFileEngine<C> implements HardenEngine {
  readonly id: string;
  readonly #spec: MainFileSpec<C>;

  constructor(spec: MainFileSpec<C>) {
    this.id = spec.id;
    this.#spec = spec;
  }

  async applies(root: ConfigRoot): Promise<boolean> {
    return (await root.read(this.#spec.main)) !== undefined;
  }

  async assess(root: ConfigRoot, checks: readonly CheckSpec[]): Promise<CheckResult[]> {
    const s = this.#spec;
    const mine = checks.filter((c) => c.engine === this.id);
    const all = (status: CheckResult['status'], message: string): CheckResult[] =>
      mine.map((check) => ({ check, status, expected: describeExpectation(check.expect), message }));
    let config: C | undefined;
    try {
      config = await s.load(root, s.main);
    } catch (cause) {
      return all('error', s.loadError(cause instanceof Error ? cause.message : String(cause)));
    }
    if (config === undefined) return all('not-applicable', s.missing);
    const out: CheckResult[] = [];
    for (const check of mine) {
      // places fixed by one shared line (an http-level directive, a global SSLProtocol): the first carries it
      const fixedBy = new Map<string, string>();
      for (const r of s.judge(config, check)) {
        let result = r.fix ? await this.#verified(root, r) : r;
        const key = result.fix ? JSON.stringify(result.fix) : undefined;
        const first = key === undefined ? undefined : fixedBy.get(key);
        if (first !== undefined) {
          const { fix: _shared, ...rest } = result;
          result = {
            ...rest,
            unfixable: `the patch of ${first} edits the same shared line and fixes this ${s.place} too`,
          };
        } else if (key !== undefined) fixedBy.set(key, result.instance ?? '');
        out.push(result);
      }
    }
    return out;
  }

  /** Re-reads the root with the fix applied; a fix that does not make its place pass is withdrawn. */
  async #verified(root: ConfigRoot, result: CheckResult): Promise<CheckResult> {
    let again: CheckResult | undefined;
    try {
      const after = await this.#spec.load(patchedRoot(root, result.fix ?? []), this.#spec.main);
      again =
        after === undefined
          ? undefined
          : this.#spec.judge(after, result.check).find((r) => r.instance === result.instance);
    } catch {
      again = undefined;
    }
    if (again?.status === 'pass') return result;
    const { fix: _dropped, ...rest } = result;
    return {
      ...rest,
      unfixable: `the edit Mamori computed does not make the check pass (${again?.message ?? 'the patched configuration does not load'})`,
    };
  }
}
