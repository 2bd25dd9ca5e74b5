// shapeOf: the same behaviour on another host, for another user, on another day has the same shape; different
// behaviours keep different shapes; huge input is cut before any regex runs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shapeOf } from './shape.ts';

describe('shapeOf', () => {
  const cases: [what: string, input: string, user: string | undefined, shape: string][] = [
    [
      'user profile and temp folder (Windows)',
      'C:\\Users\\k.sato\\AppData\\Local\\Temp\\{3F2A1B2C-1111-2222-3333-444455556666}\\setup_4711.exe /S',
      undefined,
      'c:\\users\\<user>\\appdata\\local\\temp\\<tmp>\\setup_<n>.exe /s',
    ],
    [
      'Documents and Settings',
      'C:\\Documents and Settings\\bob\\x.exe',
      undefined,
      'c:\\documents and settings\\<user>\\x.exe',
    ],
    ['home directory', '/home/alice/.cache/run.sh --once', undefined, '/home/<user>/.cache/run.sh --once'],
    ['macOS users', '/Users/alice/Library/x', undefined, '/users/<user>/library/x'],
    ['Windows\\Temp', 'C:\\Windows\\Temp\\ab12cd.tmp\\inst.exe', undefined, 'c:\\windows\\temp\\<tmp>\\inst.exe'],
    ['/tmp and /var/tmp', 'sh /tmp/tmp.XyZq/run.sh /var/tmp/abc', undefined, 'sh /tmp/<tmp>/run.sh /var/tmp/<tmp>'],
    ['UNC server name', 'net use \\\\FS01.corp.example.jp\\share', undefined, 'net use \\\\<host>\\share'],
    ['UNC address', 'copy x \\\\10.0.0.5\\c$\\x', undefined, 'copy x \\\\<host>\\c$\\x'],
    ['GUID', 'msiexec /x {9A7C5C2E-1F00-6740-4B02-000000000A00} /qn', undefined, 'msiexec /x <guid> /qn'],
    ['bare GUID', 'task 9a7c5c2e-1f00-6740-4b02-000000000a00', undefined, 'task <guid>'],
    ['IPv4', 'ping -n 1 10.1.2.3', undefined, 'ping -n <n> <ip>'],
    ['hex', 'certutil -hashfile x SHA256 deadbeefcafe0123', undefined, 'certutil -hashfile x sha<n> <hex>'],
    ['0x hex', 'x.exe --addr 0x7ffde000', undefined, 'x.exe --addr <hex>'],
    [
      'base64 (the placeholder keeps its name)',
      'powershell -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBi',
      undefined,
      'powershell -enc <b64>',
    ],
    [
      'a path is not base64',
      '/usr/lib/apt/methods/https2024abcdefghijkl',
      undefined,
      '/usr/lib/apt/methods/https<n>abcdefghijkl',
    ],
    ['digits', 'backup.exe --job 42 --run 7', undefined, 'backup.exe --job <n> --run <n>'],
    ['case and whitespace', '  CMD.EXE   /C\t\tDIR  ', undefined, 'cmd.exe /c dir'],
    [
      'the event user, anywhere',
      'cmd /c echo SATO done > D:\\out\\sato.txt',
      'CORP\\sato',
      'cmd /c echo <user> done > d:\\out\\<user>.txt',
    ],
    ['user as UPN', 'runas /user:tanaka cmd', 'tanaka@corp.example.jp', 'runas /user:<user> cmd'],
    ['short user names are not masked', 'cmd /c ie.exe', 'CORP\\ie', 'cmd /c ie.exe'],
  ];
  for (const [what, input, user, shape] of cases) {
    it(what, () => assert.equal(shapeOf(input, user), shape));
  }

  it('empty and absent give the empty shape', () => {
    assert.equal(shapeOf(undefined), '');
    assert.equal(shapeOf(''), '');
  });

  it('the same installer for two users on two days is one shape; a different tool is not', () => {
    const a = shapeOf(
      'C:\\Users\\k.sato\\AppData\\Local\\Temp\\{3F2A1B2C-1111-2222-3333-444455556666}\\setup_4711.exe /S',
      'CORP\\k.sato',
    );
    const b = shapeOf(
      'c:\\users\\m.ito\\appdata\\local\\temp\\{0B9D2E11-AAAA-BBBB-CCCC-DDDDEEEEFFFF}\\setup_9.exe  /s',
      'CORP\\m.ito',
    );
    assert.equal(a, b);
    assert.notEqual(
      shapeOf('rundll32.exe comsvcs.dll, MiniDump 624 C:\\x.dmp full'),
      shapeOf('rundll32.exe shell32.dll,Control_RunDLL'),
    );
    assert.notEqual(shapeOf('powershell -enc AAAA'), shapeOf('powershell -file a.ps1'));
  });

  it('is bounded: a 1 MB command line is cut and finishes fast', () => {
    const inputs = [
      `powershell -enc ${'QUJD'.repeat(262_144)}`,
      '1'.repeat(1 << 20),
      'a1'.repeat(1 << 19),
      '\\\\'.repeat(1 << 19),
      'c:\\users\\'.repeat(1 << 16),
      'x '.repeat(1 << 19),
    ];
    const t0 = performance.now();
    for (const s of inputs) assert.ok(shapeOf(s).length <= 512);
    assert.ok(performance.now() - t0 < 500, `took ${performance.now() - t0} ms`);
    // only the first 2048 characters count
    assert.equal(shapeOf(`${'a '.repeat(1024)}tail-one`), shapeOf(`${'a '.repeat(1024)}tail-two`));
  });
});
