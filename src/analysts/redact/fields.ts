// What a name says about its value: the JSON key of a field, the name in `password=...`, the flag in
// `--token ...`. One table for all three, so `Password` means the same in an EVTX field, a connection string and
// a command line.

/**
 * What a named value is. `keyish` values are masked only when they look like key material (high entropy).
 * `machine` is the event's own machine (Computer, hostname, WorkstationName): internal whatever its DNS suffix;
 * `host` may name a peer (DestinationHostname, `Host:` header, `rhost=`), public unless under an internal suffix.
 */
export type NameKind = 'secret' | 'keyish' | 'user' | 'host' | 'machine' | 'domain' | 'auth' | 'cookie';

/** Lower case without separators: `X-Api-Key`, `x_api_key` and `XApiKey` are one name. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_. ]/g, '');
}

const SECRET_EXACT = new Set([
  'pass',
  'pw',
  'pwd',
  'pin',
  'pincode',
  'otp',
  'totp',
  'auth',
  'creds',
  'sas',
  'sig',
  'sessid',
  'sessionid',
  'phpsessid',
  'jsessionid',
  'aspnetsessionid',
]);
const KEYISH_EXACT = new Set(['signature', 'hmac', 'ntlm', 'nthash', 'lmhash', 'rc4', 'aes128', 'aes256']);
/** A name ending in one of these is a secret: DB_PASSWORD, GITHUB_TOKEN, aws_secret_access_key, x-api-key. */
const SECRET_SUFFIXES = [
  'password',
  'passwd',
  'passphrase',
  'passcode',
  'secret',
  'token',
  'apikey',
  'accesskey',
  'secretkey',
  'privatekey',
  'credential',
  'credentials',
  'storepass',
  'keypass',
];
const USER_NAMES = new Set([
  'user',
  'username',
  'usr',
  'login',
  'loginname',
  'logname',
  'ruser',
  'suser',
  'duser',
  'acct',
  'account',
  'accountname',
  'samaccountname',
  'targetusername',
  'subjectusername',
  'targetoutboundusername',
  'sourceuser',
  'sourceusername',
  'targetuser',
  'parentuser',
  'logonuser',
  'remoteuser',
  'authuser',
  'csusername',
  'userid',
  'upn',
  'userprincipalname',
  // a person's name, not an account (4720/4738 DisplayName, directory exports)
  'displayname',
  'fullname',
  'givenname',
  'surname',
  'realname',
]);
const HOST_NAMES = new Set([
  'host',
  'hostname',
  'computer',
  'computername',
  'workstation',
  'workstationname',
  'machine',
  'machinename',
  'devicename',
  'clientname',
  'dvchost',
  'shost',
  'dhost',
  'srchost',
  'dsthost',
  'sourcehostname',
  'destinationhostname',
  'rhost',
  'targetservername',
  'server',
  'servername',
  'cshost',
]);
/** JSON fields naming the machine that wrote or is described by the record. */
const MACHINE_FIELDS = new Set([
  'computer',
  'computername',
  'workstation',
  'workstationname',
  'machine',
  'machinename',
  'devicename',
  'clientname',
  'dvchost',
  'hostname',
  'sourcehostname',
]);
const DOMAIN_NAMES = new Set([
  'domain',
  'domainname',
  'subjectdomainname',
  'targetdomainname',
  'targetoutbounddomainname',
  'userdomain',
  'accountdomain',
  'realm',
]);

/** The kind of a JSON field by its key and its parent's key (`user` + `name` is ECS user.name). */
export function fieldKind(key: string, parentKey: string | undefined): NameKind | undefined {
  const k = normalizeName(key);
  if (k === 'name' && parentKey !== undefined) {
    const p = normalizeName(parentKey);
    if (p === 'user' || p === 'useridentity') return 'user';
    if (p === 'host' || p === 'agent' || p === 'observer' || p === 'computer') return 'machine';
    if (p === 'domain') return 'domain';
    return undefined;
  }
  if (MACHINE_FIELDS.has(k)) return 'machine';
  return nameKind(key);
}

/**
 * The kind of a name in text (`password=`, `--token`, `/user:`). `prefix` is the switch character before it:
 * Windows tools spell user and password `/u:` `/p:` (xfreerdp, wmic), which only mean that after a slash.
 */
export function nameKind(name: string, prefix = ''): NameKind | undefined {
  const k = normalizeName(name);
  if (k.length === 0 || k.length > 64) return undefined;
  if (prefix === '/') {
    if (k === 'p' || k === 'rp') return 'secret';
    if (k === 'u' || k === 'ru') return 'user';
  }
  if (k.endsWith('authorization')) return 'auth';
  if (k.endsWith('cookie')) return 'cookie';
  if (USER_NAMES.has(k)) return 'user';
  if (HOST_NAMES.has(k)) return 'host';
  if (DOMAIN_NAMES.has(k)) return 'domain';
  if (SECRET_EXACT.has(k)) return 'secret';
  for (const s of SECRET_SUFFIXES) if (k.endsWith(s)) return 'secret';
  // key material by name, taken only when the value looks generated: `NTLM : 8846f7...` (mimikatz), `/rc4:`,
  // `AccountKey=` (Azure). Sysmon's `Hashes` field is not here: file hashes are indicators, not secrets.
  if (k.endsWith('key') || KEYISH_EXACT.has(k)) return 'keyish';
  return undefined;
}

/**
 * Values under a secret name that hide nothing: empty, placeholders, Windows message-table references (`%%1842`
 * is "Yes" in 4624's ElevatedToken), and references to a variable rather than a literal (`$pw`, `%PASS%`,
 * `${DB_PASSWORD}`, `$(cat file)`). Masking them would only hide that the password came from elsewhere.
 */
export function isPlaceholderValue(v: string): boolean {
  const t = v.trim();
  if (t.length === 0 || t.length > 4096) return t.length === 0;
  const lower = t.toLowerCase();
  if (PLACEHOLDERS.has(lower)) return true;
  if (/^[*x•#]+$/i.test(t) && t.length >= 3) return true;
  if (/^%%\d{1,6}$/.test(t)) return true;
  if (/^\$[A-Za-z_][A-Za-z0-9_:]{0,63}$/.test(t)) return true;
  if (/^\$\{[A-Za-z_][A-Za-z0-9_]{0,63}\}$/.test(t) || /^%[A-Za-z_][A-Za-z0-9_]{0,63}%$/.test(t)) return true;
  if (t.startsWith('$(') || t.startsWith('(')) return true;
  return false;
}
const PLACEHOLDERS = new Set([
  '-',
  '*',
  '?',
  'null',
  '(null)',
  'none',
  'n/a',
  'na',
  'nil',
  'undefined',
  'true',
  'false',
  'yes',
  'no',
  'redacted',
  '[redacted]',
  '<redacted>',
  'hidden',
  'masked',
  'empty',
]);

/**
 * Accounts that name a role, not a person: masking them would only hide what an analyst needs ("the command ran
 * as SYSTEM", "a service account logged on", "krbtgt was requested"). Lower case.
 */
export const WELL_KNOWN_USERS: ReadonlySet<string> = new Set([
  'system',
  'local service',
  'localservice',
  'network service',
  'networkservice',
  'anonymous logon',
  'anonymous',
  'administrator',
  'guest',
  'defaultaccount',
  'wdagutilityaccount',
  'krbtgt',
  'sa',
  'trustedinstaller',
  'iusr',
  'root',
  'daemon',
  'bin',
  'sys',
  'nobody',
  'www-data',
  'sshd',
  'mail',
  'postfix',
  'syslog',
  'messagebus',
  '_apt',
  'git',
  'hidden_due_to_security_reasons',
]);

/** `DWM-1`, `UMFD-0` (per-session window manager and font driver accounts), `systemd-*`. */
export function isWellKnownUser(name: string, keep: ReadonlySet<string>): boolean {
  const l = name.toLowerCase();
  return keep.has(l) || /^(?:dwm|umfd)-\d{1,4}$/.test(l) || l.startsWith('systemd-');
}

/**
 * Words never learned as names. A user-name field can be attacker-controlled (a failed logon's TargetUserName);
 * if `powershell` were learned as a user, every later `powershell` in a command line would become `<user-N>` and
 * the model would lose the evidence. (A learned name is matched as a whole word, so `alice.ps1` is not `alice`.)
 */
export const NOT_NAMES: ReadonlySet<string> = new Set([
  'cmd', 'powershell', 'pwsh', 'wscript', 'cscript', 'mshta', 'rundll32', 'regsvr32', 'certutil', 'bitsadmin',
  'wmic', 'msiexec', 'schtasks', 'psexec', 'mimikatz', 'whoami', 'net', 'net1', 'reg', 'sc', 'curl', 'wget',
  'bash', 'sh', 'python', 'python3', 'perl', 'nc', 'ncat', 'netcat', 'ssh', 'sudo', 'su', 'explorer', 'svchost',
  'lsass', 'winlogon', 'services', 'system32', 'windows', 'temp', 'tmp', 'users', 'program', 'files', 'appdata',
  'invoke', 'expression', 'iex', 'encodedcommand', 'enc', 'echo', 'copy', 'move', 'del', 'type', 'start', 'exec',
  'user', 'admin', 'test', 'guest', 'http', 'https', 'tcp', 'udp', 'benign', 'malicious', 'ignore', 'system',
]); // prettier-ignore

/** NetBIOS "domains" that are really built-in authorities. Lower case. */
export const WELL_KNOWN_DOMAINS: ReadonlySet<string> = new Set([
  'nt authority',
  'builtin',
  'nt service',
  'window manager',
  'font driver host',
  'workgroup',
  'iis apppool',
  'nt virtual machine',
  'nt-authority',
  '.',
  '-',
]);

/** Profile folders under C:\Users that belong to nobody in particular. Lower case. */
export const SHARED_PROFILES: ReadonlySet<string> = new Set([
  'public',
  'default',
  'default user',
  'all users',
  'defaultuser0',
  'desktop.ini',
  'shared',
]);

/** Host names that name no machine. Lower case. */
export const NON_HOSTS: ReadonlySet<string> = new Set(['localhost', 'localhost.localdomain', '-', 'unknown', 'n/a']);
