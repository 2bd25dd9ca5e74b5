// Command lines and paths reduced to their shape, so the same behaviour counts as the same across hosts, users
// and runs: `C:\Users\k.sato\AppData\Local\Temp\{3F2A...}\setup_4711.exe /S` and the same installer for another
// user on another day are one shape. What becomes a placeholder, in this order:
//   user profile directories (C:\Users\<user>, /home/<user>) and the event's own user name → <user>
//   the file or folder right under a temp directory (AppData\Local\Temp, Windows\Temp, /tmp, /var/tmp) → <tmp>
//   the server of a UNC path (\\fs01\share, \\10.0.0.5\c$) → \\<host>: an admin script run against forty
//   servers is one behaviour, and a per-target name would make each run look unique
//   GUIDs → <guid>, IPv4 addresses → <ip>, hex runs of 8+ → <hex>, base64-like runs of 24+ → <b64>,
//   any other run of digits → <n>; then case and whitespace are folded.
// Bounded: the input is cut before any regex runs, and every regex is linear (no nested quantifiers).

/** Input beyond this is ignored: a 32 KiB command line's tail does not change what it is. */
const MAX_INPUT = 2048;
/** A shape is at most this long (it is hashed, so this bounds work, not storage). */
const MAX_SHAPE = 512;

const PROFILE_WIN = /([a-z]:\\(?:users|documents and settings)\\)[^\\"'\s]+/g;
const PROFILE_NIX = /(\/(?:home|users)\/)[^/"'\s]+/g;
const TEMP_WIN = /(\\(?:appdata\\local\\temp|windows\\temp|temp)\\)[^\\"'\s]+/g;
const TEMP_NIX = /(\/(?:var\/)?tmp\/)[^/"'\s]+/g;
const UNC = /\\\\[a-z0-9][a-z0-9._-]*/g;
const GUID = /\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?/g;
const IPV4 = /\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g;
const HEX = /\b(?:0x)?[0-9a-f]{8,}\b/g;
const B64 = /[a-z0-9+/]{24,}={0,2}/g;
/** One `/` in 12 characters or more is a path (`/usr/lib/apt/methods/https`); base64 has one in 64 on average. */
const SLASH = /\//g;
/** Digits outside the `<b64>` placeholder (folding its own digits made it `<b<n>>`). */
const DIGITS = /<b64>|\d+/g;
const SPACE = /\s+/g;

/** The bare account name of `DOMAIN\name` or `name@domain`, when long enough to be worth masking. */
function bareUser(user: string | undefined): string | undefined {
  if (user === undefined) return undefined;
  let u = user.toLowerCase();
  const bs = u.lastIndexOf('\\');
  if (bs >= 0) u = u.slice(bs + 1);
  const at = u.indexOf('@');
  if (at > 0) u = u.slice(0, at);
  // short names (`ie`, `a`) would mask pieces of unrelated words
  return u.length >= 3 && u.length <= 64 ? u : undefined;
}

/** The shape of a command line or path. `user` is the event's user, masked wherever it appears. */
export function shapeOf(text: string | undefined, user?: string): string {
  if (text === undefined || text === '') return '';
  let s = text.slice(0, MAX_INPUT).toLowerCase();
  s = s.replace(PROFILE_WIN, '$1<user>').replace(PROFILE_NIX, '$1<user>');
  const u = bareUser(user);
  if (u !== undefined) s = s.replaceAll(u, '<user>');
  s = s.replace(TEMP_WIN, '$1<tmp>').replace(TEMP_NIX, '$1<tmp>').replace(UNC, '\\\\<host>');
  s = s
    .replace(GUID, '<guid>')
    .replace(IPV4, '<ip>')
    .replace(HEX, '<hex>')
    .replace(B64, (m) =>
      /[a-z]/.test(m) && /\d/.test(m) && (m.match(SLASH)?.length ?? 0) * 12 < m.length ? '<b64>' : m,
    )
    .replace(DIGITS, (m) => (m === '<b64>' ? m : '<n>'))
    .replace(SPACE, ' ')
    .trim();
  return s.length > MAX_SHAPE ? s.slice(0, MAX_SHAPE) : s;
}
