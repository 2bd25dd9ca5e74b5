// bench/eval-cases: builds the labelled evaluation set (docs/eval-set.md) from ../shared/data into
// bench/out/eval-cases, or with --fixture rebuilds the small committed set in test/fixtures/analysts/eval.
//   node_modules/.bin/node bench/eval-cases.ts [--out DIR] [--seed N] [--samples DIR] [--rules DIR]... [--fixture]
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  DEFAULT_OUT_DIR,
  DEFAULT_RULES_DIR,
  DEFAULT_SAMPLES_DIR,
  DEFAULT_SEED,
  FIXTURE_DIR,
  buildEvalCases,
  buildFixture,
} from '../src/analysts/eval/cases/build.ts';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    seed: { type: 'string' },
    samples: { type: 'string' },
    rules: { type: 'string', multiple: true },
    fixture: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(
    'usage: node bench/eval-cases.ts [--out DIR] [--seed N] [--samples DIR] [--rules DIR]... [--fixture]\n' +
      `  default out ${DEFAULT_OUT_DIR}, seed ${DEFAULT_SEED}; --fixture rebuilds ${FIXTURE_DIR}`,
  );
  process.exit(0);
}

const seed = values.seed === undefined ? undefined : Number(values.seed);
if (seed !== undefined && (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff)) {
  console.error('bench/eval-cases: --seed must be a whole number from 0 to 4294967295');
  process.exit(2);
}

if (values.fixture) {
  const m = await buildFixture({ ...(values.out ? { out: values.out } : {}), ...(seed !== undefined ? { seed } : {}) });
  console.log(
    `bench/eval-cases: fixture ${values.out ?? FIXTURE_DIR}: ${m.counts.malicious} malicious, ${m.counts.benign} benign`,
  );
  process.exit(0);
}

const samples = values.samples ?? DEFAULT_SAMPLES_DIR;
const rules = values.rules?.length ? values.rules : [DEFAULT_RULES_DIR];
const missing = [samples, ...rules].filter((p) => !existsSync(p));
if (missing.length) {
  console.error(
    `bench/eval-cases: not found: ${missing.join(', ')}\n` +
      'The eval set is built from ../shared/data (evtx/attack-samples and sigma/rules) beside the repository;\n' +
      'give other paths with --samples and --rules, or rebuild only the committed fixture with --fixture.',
  );
  process.exit(2);
}

const out = values.out ?? DEFAULT_OUT_DIR;
const m = await buildEvalCases({
  samplesDir: samples,
  rules,
  out,
  ...(seed !== undefined ? { seed } : {}),
  log: (line) => console.log(`bench/eval-cases: ${line}`),
});
const gens = Object.entries(m.benign.perGenerator);
console.log(
  [
    `bench/eval-cases: wrote ${out} in ${m.buildSeconds} s (seed ${m.seed})`,
    `  cases        ${m.counts.total}: ${m.counts.malicious} malicious, ${m.counts.benign} benign`,
    `  malicious    ${m.malicious.detections} detections on ${m.malicious.sampleFiles} samples; by relation ` +
      Object.entries(m.malicious.byRelation)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') +
      `; ${m.malicious.excludedUnrelated} unrelated left out, ${m.malicious.excludedOverCap} over the cap of ` +
      `${m.malicious.capPerRuleSample} per (rule, sample); hosts ${m.malicious.hosts.length}`,
    `  benign       ${m.benign.events} events from ${gens.length} generators on ${m.benign.fleet.workstations}+` +
      `${m.benign.fleet.servers} hosts over ${m.benign.fleet.days} days; ${m.benign.detections} detections, ` +
      `${m.benign.unsharedRuleDetections} on rules with no malicious case (dropped), ${m.benign.excludedOverCap} ` +
      `over the cap of ${m.benign.capPerRuleGenerator} per (rule, generator); ${m.benign.fromSharedRules} of ` +
      `${m.counts.benign} from rules that also have malicious cases; ${m.benign.hosts} hosts`,
    `  rules        ${m.rules.active} active, ${m.rules.withCases} with cases, ${m.rules.shared} on both sides` +
      (m.rules.commit ? ` (SigmaHQ ${m.rules.commit.slice(0, 12)})` : ''),
    ...gens.map(([name, g]) => `    ${name.padEnd(36)} ${g.kind.padEnd(8)} ${String(g.cases).padStart(4)} cases`),
  ].join('\n'),
);
