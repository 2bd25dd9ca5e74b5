// The built-in analysts by name, and their options: a site's known-benign file on top of the bundled one, a
// rarity history directory, and errors that name what is wrong.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BuiltinAnalystError } from './errors.ts';
import { HISTORY_FILE } from './rarity/history.ts';
import { BUILTIN_ANALYST_NAMES, createBuiltinAnalyst, isBuiltinAnalystName } from './registry.ts';
import { ctx, NOW, sigmaRule, sysmonDetection } from './test-helpers.ts';

const RULE = sigmaRule({ level: 'high', status: 'test', tags: ['attack.execution', 'attack.t1059.001'] });

/** The bank's own deployment agent running a PowerShell step: no bundled pattern knows it. */
const inHouse = sysmonDetection(
  {
    host: 'ws-210',
    image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    parentImage: 'C:\\Program Files\\Contoso\\Deploy\\deployagent.exe',
    commandLine: 'powershell.exe -ExecutionPolicy Bypass -File "C:\\Program Files\\Contoso\\Deploy\\steps\\42.ps1"',
    user: 'NT AUTHORITY\\SYSTEM',
  },
  RULE,
);
const sccm = sysmonDetection(
  {
    host: 'ws-211',
    image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    parentImage: 'C:\\Windows\\CCM\\CcmExec.exe',
    commandLine: 'powershell.exe -ExecutionPolicy Bypass -File C:\\Windows\\CCM\\SystemTemp\\a.ps1',
  },
  RULE,
);

const SITE = `version: 1
patterns:
  - id: contoso-deploy-agent
    title: Contoso deployment agent runs a deployment step
    why: Our deployment agent runs signed PowerShell steps from its own folder under Program Files.
    strength: strong
    when:
      parentImage: { equals: ['C:\\Program Files\\Contoso\\Deploy\\deployagent.exe'] }
      image: { endswith: ['\\powershell.exe'] }
      commandLine: { contains: ['\\Contoso\\Deploy\\steps\\'] }
    tactics: [execution]
    maxLevel: high
`;

describe('createBuiltinAnalyst', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mamori-builtin-registry-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses a site pattern that reuses a bundled pattern's id", async () => {
    const file = join(dir, 'clash.yaml');
    await writeFile(file, SITE.replace('contoso-deploy-agent', 'google-updater'));
    await assert.rejects(
      createBuiltinAnalyst('builtin-rules', { knownBenign: file }),
      (e: unknown) =>
        e instanceof BuiltinAnalystError && e.code === 'KNOWN_BENIGN_INVALID' && /google-updater/.test(e.message),
    );
  });

  it('knows both names', async () => {
    assert.deepEqual([...BUILTIN_ANALYST_NAMES], ['builtin-rules', 'builtin-rarity']);
    assert.equal(isBuiltinAnalystName('builtin-rules'), true);
    assert.equal(isBuiltinAnalystName('builtin-rarity'), true);
    assert.equal(isBuiltinAnalystName('openai:gpt-4.1-mini'), false);
    const rules = await createBuiltinAnalyst('builtin-rules');
    const rarity = await createBuiltinAnalyst('builtin-rarity');
    assert.equal(rules.name, 'builtin-rules');
    assert.equal(rarity.name, 'builtin-rarity');
    assert.equal((await rules.judge(sccm, ctx())).label, 'benign');
    assert.equal((await rarity.judge(sccm, ctx())).analyst, 'builtin-rarity');
  });

  it('any other name is UNKNOWN_ANALYST, listing the known ones', async () => {
    for (const name of ['builtin-magic', 'BUILTIN-RULES', '', 'openai:gpt-4.1-mini']) {
      await assert.rejects(createBuiltinAnalyst(name), (e: unknown) => {
        assert.ok(e instanceof BuiltinAnalystError);
        assert.equal(e.code, 'UNKNOWN_ANALYST');
        assert.ok(e.message.startsWith(JSON.stringify(name)));
        assert.match(e.message, /builtin-rules, builtin-rarity/);
        return true;
      });
    }
  });

  it('knownBenign adds a site file on top of the bundled patterns', async () => {
    const file = join(dir, 'site-known-benign.yaml');
    await writeFile(file, SITE);
    const bundled = await createBuiltinAnalyst('builtin-rules');
    const withSite = await createBuiltinAnalyst('builtin-rules', { knownBenign: file });
    const before = await bundled.judge(inHouse, ctx());
    const after = await withSite.judge(inHouse, ctx());
    assert.equal(before.label, 'malicious');
    assert.equal(after.label, 'benign');
    assert.ok(after.evidence.includes('known-benign:contoso-deploy-agent'));
    // the bundled patterns still apply
    assert.equal((await withSite.judge(sccm, ctx())).label, 'benign');
  });

  it('a missing or invalid site file fails creation, naming it', async () => {
    const missing = join(dir, 'missing.yaml');
    await assert.rejects(createBuiltinAnalyst('builtin-rules', { knownBenign: missing }), (e: unknown) => {
      assert.ok(e instanceof BuiltinAnalystError);
      assert.equal(e.code, 'KNOWN_BENIGN_NOT_FOUND');
      assert.ok(e.message.startsWith(missing));
      return true;
    });
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, SITE.replace('strength: strong', 'strength: total'));
    await assert.rejects(createBuiltinAnalyst('builtin-rules', { knownBenign: bad }), (e: unknown) => {
      assert.ok(e instanceof BuiltinAnalystError);
      assert.equal(e.code, 'KNOWN_BENIGN_INVALID');
      assert.ok(e.message.startsWith(`${bad}:6: patterns.0.strength`), e.message);
      return true;
    });
  });

  it('builtin-rarity keeps its history in historyDir, using the given clock', async () => {
    const d = join(dir, 'history');
    const a = await createBuiltinAnalyst('builtin-rarity', { historyDir: d, now: () => NOW });
    a.prepare?.([sccm, inHouse]);
    await a.judge(inHouse, ctx());
    await a.close?.();
    assert.deepEqual(await readdir(d), [HISTORY_FILE]);
    await writeFile(join(d, HISTORY_FILE), 'not json');
    await assert.rejects(createBuiltinAnalyst('builtin-rarity', { historyDir: d }), { code: 'HISTORY_UNREADABLE' });
  });
});
