// What sshd knows about a keyword: how its value is read and printed (as `sshd -T` prints it), whether it may
// appear after `Match`, whether repeated lines add up, and OpenSSH 9.2's compiled-in default (Debian 12's build,
// taken from `sshd -T` on an empty file). Keywords not listed here are read as opaque text, first value wins.

/** How a value is read. `algos` are comma lists with sshd_config(5)'s `+`/`-`/`^` prefixes. */
export type ValueKind =
  'flag' | 'multistate' | 'int' | 'time' | 'algos' | 'loglevel' | 'facility' | 'maxstartups' | 'text';

export type KeywordInfo = {
  /** The spelling the man page uses (written when a fix inserts the keyword). */
  readonly name: string;
  readonly kind: ValueKind;
  /** Allowed after `Match` (sshd_config(5), "Only a subset of keywords may be used on the lines following a Match"). */
  readonly matchable: boolean;
  /** Every line adds to the value (Port, ListenAddress, HostKey, AcceptEnv, Allow/DenyUsers/Groups, Subsystem). */
  readonly accumulates?: boolean;
  /** The compiled-in default as `sshd -T` prints it; absent when there is none worth judging. */
  readonly default?: string;
  /** multistate: accepted spelling (lower-case) to what `sshd -T` prints. */
  readonly states?: Readonly<Record<string, string>>;
};

const FORWARDING = { yes: 'yes', all: 'yes', no: 'no', local: 'local', remote: 'remote' } as const;

// Debian 12 (OpenSSH 9.2p1) defaults; Debian adds sntrup761x25519-sha512 ahead of the @openssh.com name.
const CIPHERS =
  'chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com';
const MACS =
  'umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,' +
  'hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1';
const KEX =
  'sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,' +
  'ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,' +
  'diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256';
const KEYS =
  'ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,' +
  'sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256';
const CERT_KEYS =
  'ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp384-cert-v01@openssh.com,' +
  'ecdsa-sha2-nistp521-cert-v01@openssh.com,sk-ssh-ed25519-cert-v01@openssh.com,' +
  'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,' +
  KEYS;

type Row = [name: string, kind: ValueKind, matchable: boolean, dflt?: string, extra?: Partial<KeywordInfo>];

const ROWS: readonly Row[] = [
  ['AcceptEnv', 'text', true, undefined, { accumulates: true }],
  ['AddressFamily', 'multistate', false, 'any', { states: { any: 'any', inet: 'inet', inet6: 'inet6' } }],
  ['AllowAgentForwarding', 'flag', true, 'yes'],
  ['AllowGroups', 'text', true, undefined, { accumulates: true }],
  ['AllowStreamLocalForwarding', 'multistate', true, 'yes', { states: FORWARDING }],
  ['AllowTcpForwarding', 'multistate', true, 'yes', { states: FORWARDING }],
  ['AllowUsers', 'text', true, undefined, { accumulates: true }],
  ['AuthenticationMethods', 'text', true, 'any'],
  ['AuthorizedKeysFile', 'text', true, '.ssh/authorized_keys .ssh/authorized_keys2'],
  ['Banner', 'text', true, 'none'],
  ['CASignatureAlgorithms', 'algos', true, KEYS],
  ['ChrootDirectory', 'text', true, 'none'],
  ['Ciphers', 'algos', false, CIPHERS],
  ['ClientAliveCountMax', 'int', true, '3'],
  ['ClientAliveInterval', 'time', true, '0'],
  ['Compression', 'multistate', false, 'yes', { states: { yes: 'yes', delayed: 'yes', no: 'no' } }],
  ['DenyGroups', 'text', true, undefined, { accumulates: true }],
  ['DenyUsers', 'text', true, undefined, { accumulates: true }],
  ['DisableForwarding', 'flag', true, 'no'],
  ['ExposeAuthInfo', 'flag', true, 'no'],
  ['ForceCommand', 'text', true, 'none'],
  ['GatewayPorts', 'multistate', true, 'no', { states: { no: 'no', yes: 'yes', clientspecified: 'clientspecified' } }],
  ['GSSAPIAuthentication', 'flag', true, 'no'],
  ['HostbasedAcceptedAlgorithms', 'algos', true, CERT_KEYS],
  ['HostbasedAuthentication', 'flag', true, 'no'],
  ['HostCertificate', 'text', false, undefined, { accumulates: true }],
  ['HostKey', 'text', false, undefined, { accumulates: true }],
  ['HostKeyAlgorithms', 'algos', false, CERT_KEYS],
  ['IgnoreRhosts', 'multistate', true, 'yes', { states: { yes: 'yes', no: 'no', 'shosts-only': 'shosts-only' } }],
  ['IgnoreUserKnownHosts', 'flag', false, 'no'],
  ['KbdInteractiveAuthentication', 'flag', true, 'yes'],
  ['KerberosAuthentication', 'flag', true, 'no'],
  ['KexAlgorithms', 'algos', false, KEX],
  ['ListenAddress', 'text', false, undefined, { accumulates: true }],
  ['LoginGraceTime', 'time', false, '120'],
  ['LogLevel', 'loglevel', true, 'INFO'],
  ['MACs', 'algos', false, MACS],
  ['MaxAuthTries', 'int', true, '6'],
  ['MaxSessions', 'int', true, '10'],
  ['MaxStartups', 'maxstartups', false, '10:30:100'],
  ['PasswordAuthentication', 'flag', true, 'yes'],
  ['PermitEmptyPasswords', 'flag', true, 'no'],
  ['PermitListen', 'text', true, 'any'],
  ['PermitOpen', 'text', true, 'any'],
  [
    'PermitRootLogin',
    'multistate',
    true,
    'without-password',
    {
      // sshd -T prints the older alias first in its table: `prohibit-password` reads back as `without-password`
      states: {
        yes: 'yes',
        no: 'no',
        'prohibit-password': 'without-password',
        'without-password': 'without-password',
        'forced-commands-only': 'forced-commands-only',
      },
    },
  ],
  ['PermitTTY', 'flag', true, 'yes'],
  [
    'PermitTunnel',
    'multistate',
    true,
    'no',
    { states: { yes: 'yes', no: 'no', 'point-to-point': 'point-to-point', ethernet: 'ethernet' } },
  ],
  ['PermitUserEnvironment', 'text', false, 'no'],
  ['PermitUserRC', 'flag', true, 'yes'],
  ['Port', 'text', false, '22', { accumulates: true }],
  ['PrintLastLog', 'flag', false, 'yes'],
  ['PrintMotd', 'flag', false, 'yes'],
  ['PubkeyAcceptedAlgorithms', 'algos', true, CERT_KEYS],
  ['PubkeyAuthentication', 'flag', true, 'yes'],
  ['RekeyLimit', 'text', true, '0 0'],
  ['RevokedKeys', 'text', true, 'none'],
  ['SetEnv', 'text', true],
  ['StrictModes', 'flag', false, 'yes'],
  ['Subsystem', 'text', false, undefined, { accumulates: true }],
  ['SyslogFacility', 'facility', false, 'AUTH'],
  ['TCPKeepAlive', 'flag', false, 'yes'],
  ['TrustedUserCAKeys', 'text', true, 'none'],
  ['UseDNS', 'flag', false, 'no'],
  ['UsePAM', 'flag', false, 'no'],
  ['X11DisplayOffset', 'int', true, '10'],
  ['X11Forwarding', 'flag', true, 'no'],
  ['X11UseLocalhost', 'flag', true, 'yes'],
  // matchable keywords we read as opaque text
  ['AuthorizedKeysCommand', 'text', true, 'none'],
  ['AuthorizedKeysCommandUser', 'text', true, 'none'],
  ['AuthorizedPrincipalsCommand', 'text', true, 'none'],
  ['AuthorizedPrincipalsCommandUser', 'text', true, 'none'],
  ['AuthorizedPrincipalsFile', 'text', true, 'none'],
  ['ChannelTimeout', 'text', true],
  ['HostbasedUsesNameFromPacketOnly', 'flag', true, 'no'],
  ['Include', 'text', true],
  ['IPQoS', 'text', true, 'lowdelay throughput'],
  ['PubkeyAuthOptions', 'text', true, 'none'],
  ['RDomain', 'text', true],
  ['StreamLocalBindMask', 'text', true, '0177'],
  ['StreamLocalBindUnlink', 'flag', true, 'no'],
  ['UnusedConnectionTimeout', 'text', true, 'none'],
  ['Match', 'text', true],
];

/** Old names sshd 9.2 still accepts for the same option (servconf.c keyword table). */
const ALIASES: Readonly<Record<string, string>> = {
  challengeresponseauthentication: 'kbdinteractiveauthentication',
  pubkeyacceptedkeytypes: 'pubkeyacceptedalgorithms',
  hostbasedacceptedkeytypes: 'hostbasedacceptedalgorithms',
};

const TABLE: ReadonlyMap<string, KeywordInfo> = new Map(
  ROWS.map(([name, kind, matchable, dflt, extra]) => {
    const info: KeywordInfo = { name, kind, matchable, ...(dflt === undefined ? {} : { default: dflt }), ...extra };
    return [name.toLowerCase(), info];
  }),
);

/** The canonical lower-case key for a keyword as written (`ChallengeResponseAuthentication` → its successor). */
export function canonicalKey(keyword: string): string {
  const k = keyword.toLowerCase();
  return ALIASES[k] ?? k;
}

/** What we know of a keyword (by any spelling); undefined for keywords outside the table. */
export function keywordInfo(keyword: string): KeywordInfo | undefined {
  return TABLE.get(canonicalKey(keyword));
}
