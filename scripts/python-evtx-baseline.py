#!/usr/bin/python3
"""Regenerates test/conformance/__fixtures__/python-evtx.json: what python-evtx makes of our EVTX data sets.

For every .evtx under ../shared/data/evtx/attack-samples and ../shared/data/sigma/regression_data it records how
many records python-evtx yields and renders, whether it read the whole file without an error, and the error when
not. The EVTX conformance tests compare our reader's record counts with these.

Needs Debian's python3-evtx (`apt-get install -y python3-evtx`), which installs into the system Python, so run it
with /usr/bin/python3 rather than whatever `python3` is first on PATH:

    /usr/bin/python3 scripts/python-evtx-baseline.py            # writes the fixture
    /usr/bin/python3 scripts/python-evtx-baseline.py --jobs 2   # the default: one worker per core, at most 2

python-evtx is slow (pure Python): the whole set takes a few minutes on two cores.

How a file is walked: exactly as Evtx.records() does (every 64 KiB chunk after the 4 KiB file header until the
last whole chunk, then the chunk's records from offset 0x200 up to its next-record offset), but chunk by chunk so
one chunk that raises does not hide the ones after it. Each yielded record is rendered with record.xml(), the call
python-evtx's own evtx_dump.py makes; a record counts only when it renders.
"""

import argparse
import json
import multiprocessing
import os
import re
import subprocess
import sys
import time

try:
    import Evtx.Evtx as evtx
except ImportError:  # pragma: no cover - the message is the point
    sys.exit(
        "python-evtx is not importable: apt-get install -y python3-evtx, and run this with /usr/bin/python3"
    )

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
SETS = ["evtx/attack-samples", "sigma/regression_data"]
OUT = os.path.join(ROOT, "test", "conformance", "__fixtures__", "python-evtx.json")
CHUNK = 0x10000
HEADER_BLOCK = 0x1000
MAX_ERRORS = 3
EVENT_RECORD_ID = re.compile(r"<EventRecordID>(\d+)</EventRecordID>")


def ranges(ids):
    """[1,2,3,7,8] -> "1-3,7-8", in the order python-evtx yielded them (keeps the fixture small)."""
    out = []
    start = prev = None
    for i in ids:
        if start is not None and i == prev + 1:
            prev = i
            continue
        if start is not None:
            out.append(str(start) if start == prev else "%d-%d" % (start, prev))
        start = prev = i
    if start is not None:
        out.append(str(start) if start == prev else "%d-%d" % (start, prev))
    return ",".join(out)


def describe(exc):
    text = str(exc).strip().replace("\n", " ")
    return "%s: %s" % (type(exc).__name__, text[:200]) if text else type(exc).__name__


def examine(rel):
    path = os.path.join(DATA, rel)
    size = os.path.getsize(path)
    t0 = time.time()
    result = {
        "path": rel,
        "bytes": size,
        "records": 0,
        "complete": True,
    }
    errors = []
    yielded = 0
    ids = []
    event_ids = []
    bad_magic = 0
    chunk_notes = []
    try:
        with evtx.Evtx(path) as log:
            header = log.get_file_header()
            result["dirty"] = header.is_dirty()
            result["headerChunkCount"] = header.chunk_count()
            whole_chunks = max(0, (size - HEADER_BLOCK) // CHUNK)
            result["chunks"] = whole_chunks
            if (size - HEADER_BLOCK) % CHUNK:
                # python-evtx silently ignores a partial trailing chunk; say so
                chunk_notes.append("trailing %d bytes after the last whole chunk are ignored" % ((size - HEADER_BLOCK) % CHUNK))
            for index, chunk in enumerate(log.chunks()):
                try:
                    if chunk.magic() != "ElfChnk\x00":
                        if any(chunk.unpack_binary(0, 0x200)):
                            chunk_notes.append("chunk %d: no ElfChnk magic" % index)
                        # python-evtx would still try it; an all-zero chunk yields nothing
                    elif chunk.calculate_header_checksum() != chunk.header_checksum():
                        chunk_notes.append("chunk %d: header CRC mismatch" % index)
                    for record in chunk.records():
                        yielded += 1
                        if record.magic() != 0x2A2A:
                            bad_magic += 1
                        try:
                            xml = record.xml()
                        except Exception as exc:  # noqa: BLE001 - python-evtx raises many kinds
                            if len(errors) < MAX_ERRORS:
                                errors.append("chunk %d record at 0x%x: %s" % (index, record.offset(), describe(exc)))
                            result["complete"] = False
                            continue
                        result["records"] += 1
                        ids.append(record.record_num())
                        m = EVENT_RECORD_ID.search(xml)
                        event_ids.append(int(m.group(1)) if m else -1)
                except Exception as exc:  # noqa: BLE001
                    result["complete"] = False
                    if len(errors) < MAX_ERRORS:
                        errors.append("chunk %d: %s" % (index, describe(exc)))
    except Exception as exc:  # noqa: BLE001
        result["complete"] = False
        errors.append("file: %s" % describe(exc))
    if yielded != result["records"]:
        result["yielded"] = yielded
    if bad_magic:
        result["badMagicRecords"] = bad_magic
    if errors:
        result["errors"] = errors
    if chunk_notes:
        result["notes"] = chunk_notes[:MAX_ERRORS]
    result["recordIds"] = ranges(ids)
    result["eventRecordIds"] = ranges(event_ids)
    result["seconds"] = round(time.time() - t0, 2)
    return result


def files():
    out = []
    for top in SETS:
        base = os.path.join(DATA, top)
        for dirpath, _dirs, names in os.walk(base):
            for name in names:
                if name.lower().endswith(".evtx"):
                    out.append(os.path.relpath(os.path.join(dirpath, name), DATA).replace(os.sep, "/"))
    return sorted(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--out", default=OUT)
    parser.add_argument("only", nargs="*", help="paths relative to ../shared/data (default: every set)")
    args = parser.parse_args()
    if not os.path.isdir(DATA):
        sys.exit("no data folder at %s" % DATA)
    todo = args.only or files()
    t0 = time.time()
    with multiprocessing.Pool(args.jobs) as pool:
        results = []
        for i, r in enumerate(pool.imap(examine, todo, chunksize=1)):
            results.append(r)
            flag = "" if r["complete"] else "  INCOMPLETE " + "; ".join(r.get("errors", []))[:160]
            print("[%d/%d] %6.1fs %6d %s%s" % (i + 1, len(todo), r["seconds"], r["records"], r["path"], flag), flush=True)
    for r in results:
        del r["seconds"]  # keeps the fixture stable from run to run
    summary = {}
    for top in SETS:
        sel = [r for r in results if r["path"].startswith(top + "/")]
        summary[top] = {
            "files": len(sel),
            "records": sum(r["records"] for r in sel),
            "filesComplete": sum(1 for r in sel if r["complete"]),
            "filesIncomplete": [r["path"] for r in sel if not r["complete"]],
        }
    doc = {
        "generator": "scripts/python-evtx-baseline.py",
        "tool": "python-evtx %s (Debian python3-evtx), Python %s" % (getattr(evtx, "__version__", "0.6.1"), sys.version.split()[0]),
        "dataRoot": "../shared/data",
        "fields": {
            "records": "records python-evtx yielded and rendered to XML without an exception",
            "yielded": "records yielded, when it differs from records (the rest raised while rendering)",
            "complete": "true when no chunk or record raised",
            "recordIds": "record identifiers from the record headers, in file order, as runs a-b",
            "eventRecordIds": "System/EventRecordID of the same records (-1: none); differs from recordIds in exported logs",
            "badMagicRecords": "yielded records whose magic is not 0x2a2a (python-evtx does not check it)",
            "notes": "things python-evtx passes over silently: partial trailing chunk, bad chunk magic or CRC",
        },
        "summary": summary,
        "files": results,
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    # the project's Prettier checks every JSON file in the tree: format it the way `npm run lint` wants
    prettier = os.path.join(ROOT, "node_modules", ".bin", "prettier")
    if os.path.exists(prettier):
        subprocess.run([prettier, "--write", "--log-level", "warn", args.out], check=True)
    else:
        print("node_modules/.bin/prettier not found: run `npx prettier --write %s` before committing" % args.out)
    print("wrote %s in %.0fs: %s" % (args.out, time.time() - t0, json.dumps(summary)))


if __name__ == "__main__":
    main()
