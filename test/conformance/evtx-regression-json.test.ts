// SigmaHQ's regression cases: beside each .evtx sample is the matching event as evtx_dump writes it (.json).
// Every such event must deep-equal one record our EVTX reader decodes from the .evtx.
//
// The evtx_dump JSON conventions these files show (118 events in 101 files: Sysmon, Security 4701, Defender,
// WMI-Activity), with the substitution type each value had in the .evtx:
//  - One object per record: {"Event": {"#attributes": {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"},
//    "System": {...}, "EventData": {...}}} (one file has "UserData" instead of "EventData"). Keys are in document
//    order. A .json file may hold several such objects back to back (pretty-printed, not an array): 4 files do.
//  - Attributes go in "#attributes" inside the element's object, in document order: Provider {Name, Guid},
//    TimeCreated {SystemTime}, Execution {ProcessID, ThreadID}, Security {UserID}, Correlation {ActivityID}.
//  - Attributes whose substitution is NullType are left out: EventID's Qualifiers and Correlation's
//    RelatedActivityID never appear. An element left with no attributes and no content is null:
//    "Correlation": null (115 of 118), "Security": null (Security 4701, UserID null).
//  - An element without attributes is its value: "EventID": 11, "Channel": "…". With attributes and text it would be
//    {"#attributes": {...}, "#text": value} (not in these files; the evtx crate's own snapshots show it, e.g.
//    EventID with Qualifiers → {"#attributes": {"Qualifiers": 16384}, "#text": 1}).
//  - <Data Name="X">v</Data> under EventData becomes "X": v; names may contain spaces ("Product Name", Defender).
//    Empty string values stay "" ("Status Description": "", "Unused": "").
//  - String values lose their trailing whitespace: all 45 strings in the .evtx files that end in a space are
//    written without it ("\"C:\\WINDOWS\\system32\\cmd.exe\" " → "\"C:\\WINDOWS\\system32\\cmd.exe\""); CR LF inside a
//    value stays (Security 4701 TaskContent).
//  - Numbers: UInt8 (Version, Level, Opcode), UInt16 (EventID, Task), UInt32 (ProcessID, ThreadID, Sysmon
//    ProcessId, TerminalSessionId, ClientProcessId), UInt64 (EventRecordID, ClientProcessStartKey) are JSON numbers,
//    in attributes too. Strings stay strings even when they look numeric (Defender "Severity ID": "5",
//    Sysmon "Signed": "true").
//  - HexInt64 (Keywords, LogonId, SubjectLogonId) and HexInt32 (GrantedAccess, ResultCode): "0x" + lower-case hex,
//    no padding: "0x8000000000000000", "0x3144c", "0x1fffff", "0x80041003".
//  - GUID: upper case, no braces: "5770385F-C22A-43E0-BF4C-06F5698FFBD9" (Provider Guid, ActivityID, ProcessGuid,
//    LogonGuid). GUID-looking *strings* keep their braces: Defender "Detection ID": "{79C5C2FF-…}".
//  - SID: "S-1-5-18", "S-1-5-21-2555720767-1205513275-3893774561-1001".
//  - FILETIME (TimeCreated SystemTime): "2026-04-17T05:24:53.092051Z": always 6 fraction digits, truncated
//    (107 of the 118 FILETIMEs have a non-zero 100 ns digit, none is rounded up), "Z". Sysmon's UtcTime is a
//    string, "2026-04-17 05:24:53.079".
//  - System/Computer is literal text in the template, not a substitution; the value is the same string.
//  - EventData is, in every one of these records, a BinXml substitution (type 0x21) inside the outer template; it
//    is expanded in place. UserData keeps its wrapper element: "UserData": {"Operation_ClientFailure":
//    {"#attributes": {"xmlns": "http://manifests.microsoft.com/win/2006/windows/WMI"}, "Id": "{0000…}", …}}.
//  - System/EventRecordID (83239) is not the record header's id (1): these records were re-saved into new files.
//  - One .json (right-to-left override) disagrees with its .evtx: a 9-digit SystemTime and a hand-edited
//    ParentCommandLine. ERRATA below corrects the expectation, so a reader that writes what the .evtx holds passes.
// A re-implementation of these rules (test/support/evtx-writer.ts, evtxDumpJson) fed with python-evtx's view of the
// 118 records reproduces all 118 .json events exactly, once the two errata are applied.
// Not in these files (from the evtx crate's source and tests; older evtx_dump releases differ where noted):
// bool → true/false; binary → upper-case hex "0001ABFF"; reals → shortest text "1.5" (was: JSON numbers); an
// empty named Data → "" (was: null); unnamed <Data> (only when there is no named one) → "Data": {"#text": v}, several
// → {"#text": [v1, v2, …]} ("" for an empty one); repeated sibling names → Name, Name_1, Name_2 in document order
// (was: the last value under Name); size_t / win:Pointer → "0x…" like HexInt64; an array value with several items
// repeats its element once per item (so <Data> + string array → {"#text": [items]}; EVTX-ATTACK-SAMPLES has 383
// such records, MSSQL 18456 and others). test/support/evtx-writer.ts (evtxDumpJson) implements all of these.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { evtxReader } from '../../src/hunt/readers/evtx/index.ts';
import { openInput } from '../../src/hunt/input.ts';
import type { LogEvent, ReadIssue } from '../../src/hunt/event.ts';

const REGRESSION = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'sigma', 'regression_data');
const evtxBuilt = evtxReader.sniff(Buffer.from('ElfFile\0'), 'x.evtx');
const skip = !existsSync(REGRESSION)
  ? 'needs ../shared/data/sigma/regression_data: not present'
  : !evtxBuilt
    ? 'needs the EVTX reader, which is not built yet'
    : false;

/**
 * Places where a regression .json does not say what its .evtx holds (checked with python-evtx): the expected value
 * is replaced by what the .evtx has before comparing, but only while the .json still has the wrong value.
 */
const ERRATA: readonly { file: string; path: readonly string[]; json: unknown; evtx: unknown; why: string }[] = [
  {
    file: 'rules/windows/process_creation/proc_creation_win_susp_right_to_left_override/ad691d92-15f2-4181-9aa4-723c74f9ddc3.json',
    path: ['Event', 'System', 'TimeCreated', '#attributes', 'SystemTime'],
    json: '2026-03-20T08:31:26.751156500Z',
    evtx: '2026-03-20T08:31:26.751156Z',
    why: 'nanoseconds, unlike the other 117 events (another evtx_dump version)',
  },
  {
    file: 'rules/windows/process_creation/proc_creation_win_susp_right_to_left_override/ad691d92-15f2-4181-9aa4-723c74f9ddc3.json',
    path: ['Event', 'EventData', 'ParentCommandLine'],
    json: 'C:\\Windows\\Explorer.exe',
    evtx: 'C:\\Windows\\Explorer.EXE',
    why: 'the .evtx has Explorer.EXE (the .json was edited by hand)',
  },
];

function applyErrata(name: string, doc: unknown, applied: string[]): void {
  for (const e of ERRATA) {
    if (e.file !== name.split(sep).join('/')) continue;
    let parent = doc as Record<string, unknown> | undefined;
    for (const k of e.path.slice(0, -1)) parent = parent?.[k] as Record<string, unknown> | undefined;
    const last = e.path[e.path.length - 1]!;
    if (parent && parent[last] === e.json) {
      parent[last] = e.evtx;
      applied.push(`${name}: ${e.path.join('.')}: ${e.why}`);
    }
  }
}

type Case = { dir: string; evtx: string; json: string };

async function cases(): Promise<Case[]> {
  const out: Case[] = [];
  for (const e of await readdir(REGRESSION, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || e.name !== 'info.yml') continue;
    const names = await readdir(e.parentPath);
    const evtx = names.filter((n) => n.endsWith('.evtx'));
    for (const json of names.filter((n) => n.endsWith('.json'))) {
      const twin = evtx.find((n) => n.slice(0, -5) === json.slice(0, -5)) ?? (evtx.length === 1 ? evtx[0] : undefined);
      if (twin) out.push({ dir: e.parentPath, evtx: join(e.parentPath, twin), json: join(e.parentPath, json) });
    }
  }
  return out.sort((a, b) => a.json.localeCompare(b.json));
}

/** Splits concatenated JSON documents ({…}{…}, as evtx_dump -o json prints several records) and parses each. */
function parseConcatenated(text: string): unknown[] {
  const docs: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i;
    } else if (c === '}' || c === ']') {
      if (--depth === 0) docs.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  if (depth !== 0) throw new Error('unbalanced JSON');
  return docs;
}

type Diff = { path: string; want: unknown; got: unknown };
const ABSENT = Symbol('absent');

/** The first place two JSON values differ (object key order ignored, as deepStrictEqual does). */
function firstDiff(want: unknown, got: unknown, path = ''): Diff | undefined {
  if (Object.is(want, got)) return undefined;
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
  if (!isObj(want) || !isObj(got) || Array.isArray(want) !== Array.isArray(got)) return { path, want, got };
  if (Array.isArray(want) && Array.isArray(got)) {
    for (let i = 0; i < Math.max(want.length, got.length); i++) {
      const d = firstDiff(i < want.length ? want[i] : ABSENT, i < got.length ? got[i] : ABSENT, `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  for (const k of new Set([...Object.keys(want), ...Object.keys(got)])) {
    const d = firstDiff(k in want ? want[k] : ABSENT, k in got ? got[k] : ABSENT, `${path}.${k}`);
    if (d) return d;
  }
  return undefined;
}

function show(x: unknown): string {
  if (x === ABSENT) return '(absent)';
  const s = JSON.stringify(x);
  const shown = s.length > 160 ? `${s.slice(0, 160)}…` : s;
  return x === null || typeof x !== 'object' ? `${shown} (${x === null ? 'null' : typeof x})` : shown;
}

function recordIdOf(x: unknown): unknown {
  return (x as { Event?: { System?: { EventRecordID?: unknown } } })?.Event?.System?.EventRecordID;
}

async function decode(path: string): Promise<{ events: LogEvent[]; issues: ReadIssue[]; threw?: unknown }> {
  const events: LogEvent[] = [];
  const issues: ReadIssue[] = [];
  try {
    for await (const batch of evtxReader.read(await openInput(path), { onIssue: (i) => issues.push(i) })) {
      events.push(...batch);
    }
  } catch (threw) {
    return { events, issues, threw };
  }
  return { events, issues };
}

test('every SigmaHQ regression .json equals one record decoded from its .evtx', { skip }, async (t) => {
  const all = await cases();
  assert.ok(all.length >= 100, `expected about 101 cases with an .evtx and a .json, found ${all.length}`);
  const failures: string[] = [];
  const applied: string[] = [];
  let docs = 0;
  for (const c of all) {
    const name = relative(REGRESSION, c.json);
    const wanted = parseConcatenated(await readFile(c.json, 'utf8'));
    for (const w of wanted) applyErrata(name, w, applied);
    docs += wanted.length;
    const got = await decode(c.evtx);
    if (got.threw !== undefined) {
      failures.push(`${name}: the reader threw: ${String(got.threw)}`);
      continue;
    }
    const data = got.events.map((e) => e.data);
    wanted.forEach((want, i) => {
      if (data.some((d) => !firstDiff(want, d))) return;
      const which = wanted.length > 1 ? ` (event ${i + 1} of ${wanted.length})` : '';
      if (!data.length) {
        const issue = got.issues[0];
        failures.push(`${name}${which}: no records decoded${issue ? ` (${issue.where ?? ''} ${issue.message})` : ''}`);
        return;
      }
      // show the difference from the record that should be this one: same EventRecordID, else the first
      const near = data.find((d) => recordIdOf(d) === recordIdOf(want)) ?? data[0];
      const d = firstDiff(want, near)!;
      failures.push(`${name}${which}: at ${d.path || '(top)'}: expected ${show(d.want)}, got ${show(d.got)}`);
    });
  }
  t.diagnostic(`${all.length} cases, ${docs} expected events`);
  if (applied.length) t.diagnostic(`known errors in the expected .json, corrected:\n${applied.join('\n')}`);
  assert.deepEqual(failures, [], `${failures.length} event(s) differ from evtx_dump:\n${failures.join('\n')}`);
});
