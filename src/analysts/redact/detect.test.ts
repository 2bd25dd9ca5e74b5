// What is masked and what is not, one string at a time, each through a fresh redactor (so mask numbers start
// at 1). Positives name the threat; negatives name the indicator an analyst would lose if it were masked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRedactor, type RedactorOptionsInput } from './index.ts';

type Case = { readonly name: string; readonly in: string; readonly out: string; readonly opts?: RedactorOptionsInput };

const CORP: RedactorOptionsInput = { internalDomains: ['corp.example.jp'] };

/** Runs every case and reports all mismatches at once. */
function run(cases: readonly Case[]): void {
  const wrong: string[] = [];
  for (const c of cases) {
    const got = createRedactor(c.opts ?? CORP).redact(c.in);
    if (got !== c.out)
      wrong.push(`${c.name}:\n    got      ${JSON.stringify(got)}\n    expected ${JSON.stringify(c.out)}`);
  }
  assert.deepEqual(wrong, []);
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

test('secrets and credentials are masked', () => {
  run([
    {
      name: 'PEM private key: body masked, armour kept',
      in: '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7xq\n-----END RSA PRIVATE KEY-----',
      out: '-----BEGIN RSA PRIVATE KEY-----<secret-1>-----END RSA PRIVATE KEY-----',
    },
    {
      name: 'PEM key cut by a truncated log line',
      in: 'echo -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
      out: 'echo -----BEGIN PRIVATE KEY-----<secret-1>',
    },
    {
      name: 'a public key or certificate is not a secret',
      in: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
      out: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
    },
    { name: 'AWS access key id', in: 'key AKIAIOSFODNN7EXAMPLE used', out: 'key <secret-1> used' },
    { name: 'AWS temporary key id', in: 'ASIAY34FZKBOKMUTVV7A', out: '<secret-1>' },
    {
      name: 'AWS secret key by name',
      in: 'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      out: 'aws_secret_access_key=<secret-1>',
    },
    {
      name: 'AWS secret key as a CLI argument (no separator, high entropy)',
      in: 'aws configure set aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      out: 'aws configure set aws_secret_access_key <secret-1>',
    },
    { name: 'GitHub classic token', in: 'ghp_R4nd0mT0k3nF0rT3st1ngPurp0s3sOnly123', out: '<secret-1>' },
    {
      name: 'GitHub fine-grained token',
      in: 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU',
      out: '<secret-1>',
    },
    { name: 'GitLab token', in: 'PRIVATE-TOKEN glpat-xY9z8W7v6U5t4S3r2Q1p', out: 'PRIVATE-TOKEN <secret-1>' },
    { name: 'Slack bot token', in: 'xoxb-2718281828-3141592653589-Zx8Cv7Bn6Mm5Lk4Jh3Gf2Dd1', out: '<secret-1>' },
    { name: 'Stripe live key', in: 'sk_live_51HqR2T3xYz4AbCdEfGhIjKlMnOp9', out: '<secret-1>' },
    { name: 'Google API key', in: 'AIzaSyD4x9Qk2Lm8Np3Rt7Vw1Yz5Bc6Df0Gh2Jk', out: '<secret-1>' },
    { name: 'OpenAI project key', in: 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAB7cD', out: '<secret-1>' },
    {
      name: 'Anthropic key',
      in: 'sk-ant-api03-Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8L9z0X1c2V3b4N5m6-AbCdEfGh',
      out: '<secret-1>',
    },
    {
      name: 'JWT',
      in: 'jwt=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk.',
      out: 'jwt=<secret-1>.',
    },
    {
      name: 'Authorization: Bearer (scheme kept)',
      in: 'Authorization: Bearer abcDEF123456ghiJKL789',
      out: 'Authorization: Bearer <secret-1>',
    },
    {
      name: 'Authorization: Basic',
      in: `Authorization: Basic ${b64('user:pass')}`,
      out: 'Authorization: Basic <secret-1>',
    },
    {
      name: 'Basic credentials quoted in a message',
      in: `sent Basic ${b64('svc:Spring2026!')}`,
      out: 'sent Basic <secret-1>',
    },
    {
      name: 'curl -H with a bearer token',
      in: 'curl -H "Authorization: Bearer 0123456789abcdefXYZ" https://api.example.com',
      out: 'curl -H "Authorization: Bearer <secret-1>" https://api.example.com',
    },
    {
      name: 'Cookie header values',
      in: 'Cookie: sid=abc123; theme=dark',
      out: 'Cookie: sid=<secret-1>; theme=<secret-2>',
    },
    { name: 'mysql -p (attached)', in: 'mysql -u root -pS3cr3t db', out: 'mysql -u root -p<secret-1> db' },
    { name: 'mysql --password=', in: 'mysqldump --password=S3cr3t db', out: 'mysqldump --password=<secret-1> db' },
    { name: 'sshpass -p', in: 'sshpass -p Hunter2 ssh 203.0.113.5', out: 'sshpass -p <secret-1> ssh 203.0.113.5' },
    {
      name: 'PsExec -u -p',
      in: 'PsExec64.exe \\\\10.0.0.9 -u CONTOSO\\alice -p Summer2026! cmd',
      out: 'PsExec64.exe \\\\<ip-1> -u <domain-1>\\<user-1> -p <secret-1> cmd',
    },
    { name: 'sqlcmd -P', in: 'sqlcmd -S db -U sa -P Pa55word', out: 'sqlcmd -S db -U sa -P <secret-1>' },
    { name: '7z -p', in: '7z.exe a -pInfected123 out.7z C:\\Temp', out: '7z.exe a -p<secret-1> out.7z C:\\Temp' },
    { name: 'redis-cli -a', in: 'redis-cli -h cache -a r3d1sPass', out: 'redis-cli -h cache -a <secret-1>' },
    {
      name: 'ldapsearch -w',
      in: 'ldapsearch -D cn=admin -w LdapPw1 -b dc=x',
      out: 'ldapsearch -D cn=admin -w <secret-1> -b dc=x',
    },
    { name: 'plink -pw', in: 'plink.exe -pw P1inkPass host', out: 'plink.exe -pw <secret-1> host' },
    {
      name: 'curl -u user:password',
      in: 'curl -u ops:Tr0ub4dor&3 http://x',
      out: 'curl -u <user-1>:<secret-1> http://x',
    },
    {
      name: 'smbclient -U user%password',
      in: 'smbclient //fs/share -U "CONTOSO\\bob%B0bPass"',
      out: 'smbclient //fs/share -U "<domain-1>\\<user-1>%<secret-1>"',
    },
    {
      name: 'docker login -p',
      in: 'docker login -u ci -p d0ckerPw reg',
      out: 'docker login -u <user-1> -p <secret-1> reg',
    },
    {
      name: '--password spaced',
      in: 'tool --password "my pass" --verbose',
      out: 'tool --password "<secret-1>" --verbose',
    },
    { name: 'PowerShell -Password', in: "Set-X -Password 'P@ss1' -Force", out: "Set-X -Password '<secret-1>' -Force" },
    {
      name: 'Windows /p: switch',
      in: 'xfreerdp /u:alice /p:Rdp!Pass /v:10.1.1.1',
      out: 'xfreerdp /u:<user-1> /p:<secret-1> /v:<ip-1>',
    },
    {
      name: 'cmdkey /pass:',
      in: 'cmdkey /generic:x /user:bob /pass:CmdK3y',
      out: 'cmdkey /generic:x /user:<user-1> /pass:<secret-1>',
    },
    {
      name: 'wmic /password:',
      in: 'wmic /node:h /user:adm /password:Wm1cPw process',
      out: 'wmic /node:h /user:<user-1> /password:<secret-1> process',
    },
    {
      name: 'schtasks /RU /RP',
      in: 'schtasks /create /tn x /tr y /RU CONTOSO\\svc /RP T4skPass',
      out: 'schtasks /create /tn x /tr y /RU <domain-1>\\<user-1> /RP <secret-1>',
    },
    {
      name: 'net user <name> <password>',
      in: 'net user backdoor P@ssw0rd1 /add',
      out: 'net user <user-1> <secret-1> /add',
    },
    {
      name: 'net user with prompt (*) keeps the star',
      in: 'net1 user bob * /domain',
      out: 'net1 user <user-1> * /domain',
    },
    {
      name: 'net use with a password and /user:',
      in: 'net use Z: \\\\10.2.2.2\\c$ NetUs3Pw /user:CONTOSO\\carol',
      out: 'net use Z: \\\\<ip-1>\\c$ <secret-1> /user:<domain-1>\\<user-1>',
    },
    {
      name: 'ConvertTo-SecureString literal',
      in: '$p = ConvertTo-SecureString "S3cure!" -AsPlainText -Force',
      out: '$p = ConvertTo-SecureString "<secret-1>" -AsPlainText -Force',
    },
    {
      name: 'ConvertTo-SecureString -String first',
      in: "ConvertTo-SecureString -String 'Pw2' -AsPlainText -Force",
      out: "ConvertTo-SecureString -String '<secret-1>' -AsPlainText -Force",
    },
    {
      name: 'NetworkCredential(user, password)',
      in: 'New-Object System.Net.NetworkCredential("svc_app", "N3tCred!")',
      out: 'New-Object System.Net.NetworkCredential("<user-1>", "<secret-1>")',
    },
    {
      name: 'openssl -pass pass:',
      in: 'openssl enc -aes256 -pass pass:0pensslPw',
      out: 'openssl enc -aes256 -pass pass:<secret-1>',
    },
    { name: 'environment variable', in: 'PGPASSWORD=pgPw123 psql -h db', out: 'PGPASSWORD=<secret-1> psql -h db' },
    { name: 'PowerShell variable assignment', in: "$password = 'Vari4ble!'", out: "$password = '<secret-1>'" },
    {
      name: 'JSON text inside a message',
      in: '{"client_secret": "cs_9f8e7d"}',
      out: '{"client_secret": "<secret-1>"}',
    },
    { name: 'query string token', in: '/cb?token=abc123&state=ok', out: '/cb?token=<secret-1>&state=ok' },
    {
      name: 'connection string with a spaced password',
      in: 'Server=db01;User ID=app_user;Password=P@ss w0rd;Encrypt=true',
      out: 'Server=<host-1>;User ID=<user-1>;Password=<secret-1>;Encrypt=true',
    },
    { name: 'ODBC braces', in: 'DSN=x;UID=app;PWD={a b;c};', out: 'DSN=x;UID=app;PWD={<secret-1>};' },
    {
      name: 'URL user:password',
      in: 'https://deploy:S3cret@repo.example.com/x',
      out: 'https://<user-1>:<secret-1>@repo.example.com/x',
    },
    {
      name: 'URL with a token as user',
      in: 'https://ghp_R4nd0mT0k3nF0rT3st1ngPurp0s3sOnly123@github.com/o/r',
      out: 'https://<secret-1>@github.com/o/r',
    },
    {
      name: 'mongodb URL',
      in: 'mongodb://app:M0ngo@10.3.3.3:27017/db',
      out: 'mongodb://<user-1>:<secret-1>@<ip-1>:27017/db',
    },
    {
      name: 'LM:NT pair (pwdump)',
      in: 'suzuki:1104:aad3b435b51404eeaad3b435b51404ee:64f12cddaa88057e06a81b54e73b949b:::',
      out: '<user-1>:1104:<secret-1>:::',
    },
    {
      name: 'mimikatz /ntlm:',
      in: 'sekurlsa::pth /user:alice /domain:corp.example.jp /ntlm:8846f7eaee8fb117ad06bdd830b7586c',
      out: 'sekurlsa::pth /user:<user-1> /domain:<domain-1> /ntlm:<secret-1>',
    },
    {
      name: 'impacket -hashes',
      in: 'wmiexec.py -hashes aad3b435b51404eeaad3b435b51404ee:8846f7eaee8fb117ad06bdd830b7586c CORP/adm@10.0.0.1',
      out: 'wmiexec.py -hashes <secret-1> CORP/adm@<ip-1>',
    },
    {
      name: 'impacket target with password',
      in: 'secretsdump.py CORP/adm:Imp4cket!@10.0.0.1',
      out: 'secretsdump.py <domain-1>/<user-1>:<secret-1>@<ip-1>',
    },
    {
      name: 'NetNTLMv2 (Responder)',
      in: 'bob::CONTOSO:1122334455667788:0123456789ABCDEF0123456789ABCDEF:0101000000000000',
      out: '<user-1>::<domain-1>:<secret-1>',
    },
    { name: 'Kerberoast hash', in: 'got $krb5tgs$23$*svc$CORP$http/x*$abcdef0123456789', out: 'got <secret-1>' },
    { name: 'shadow hash', in: 'alice:$6$salt1234$hashhashhashhash:19000:0', out: '<user-1>:<secret-1>:19000:0' },
    {
      name: 'key material after a key-ish name',
      in: 'AccountKey=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg==;EndpointSuffix=core.windows.net',
      out: 'AccountKey=<secret-1>;EndpointSuffix=core.windows.net',
    },
  ]);
});

test('personal data is masked', () => {
  run([
    { name: 'e-mail', in: 'mail from Taro.Yamada+x@mail.example.co.jp today', out: 'mail from <email-1> today' },
    { name: 'international phone', in: 'call +1 (415) 555-0100 now', out: 'call <phone-1> now' },
    { name: 'international phone, JP', in: 'tel +81-90-1234-5678', out: 'tel <phone-1>' },
    { name: 'JP mobile', in: 'tel 090-1234-5678', out: 'tel <phone-1>' },
    { name: 'JP mobile unbroken', in: 'tel:09012345678', out: 'tel:<phone-1>' },
    { name: 'JP landline', in: 'TEL 03-1234-5678', out: 'TEL <phone-1>' },
    { name: 'JP landline with parentheses', in: 'TEL 03(1234)5678', out: 'TEL <phone-1>' },
    { name: 'JP free dial', in: '0120-123-456', out: '<phone-1>' },
    { name: 'Visa', in: 'card 4111111111111111 ok', out: 'card <card-1> ok' },
    { name: 'Visa grouped', in: 'card 4111 1111 1111 1111.', out: 'card <card-1>.' },
    { name: 'Mastercard 2-series', in: '2223-0031-2200-3222', out: '<card-1>' },
    { name: 'Amex 4-6-5', in: '3782 822463 10005', out: '<card-1>' },
    { name: 'JCB', in: 'jcb=3530111333300000', out: 'jcb=<card-1>' },
    { name: 'a card inside a list of numbers', in: 'n 12 4111 1111 1111 1111 100', out: 'n 12 <card-1> 100' },
    { name: 'My Number', in: 'マイナンバー 123456789018', out: 'マイナンバー <mynumber-1>' },
    { name: 'My Number grouped', in: 'MyNumber: 1234-5678-9018', out: 'MyNumber: <mynumber-1>' },
    { name: 'IBAN', in: 'IBAN DE89370400440532013000.', out: 'IBAN <iban-1>.' },
    { name: 'IBAN grouped', in: 'GB82 WEST 1234 5698 7654 32 paid', out: '<iban-1> paid' },
    {
      name: 'Windows profile path',
      in: 'C:\\Users\\alice\\AppData\\Local\\x.exe',
      out: 'C:\\Users\\<user-1>\\AppData\\Local\\x.exe',
    },
    { name: 'profile with a space', in: 'C:\\Users\\John Smith\\Desktop', out: 'C:\\Users\\<user-1>\\Desktop' },
    { name: 'escaped profile path', in: 'C:\\\\Users\\\\bob\\\\x', out: 'C:\\\\Users\\\\<user-1>\\\\x' },
    { name: 'Linux home', in: 'cat /home/bob/.ssh/id_rsa', out: 'cat /home/<user-1>/.ssh/id_rsa' },
    { name: 'macOS home', in: '/Users/carol/Library/x', out: '/Users/<user-1>/Library/x' },
    {
      name: 'same user in path and field text',
      in: 'C:\\Users\\alice\\ and /home/alice',
      out: 'C:\\Users\\<user-1>\\ and /home/<user-1>',
    },
    {
      name: 'sshd failure',
      in: 'Failed password for invalid user oracle from 203.0.113.9 port 22 ssh2',
      out: 'Failed password for invalid user <user-1> from 203.0.113.9 port 22 ssh2',
    },
    {
      name: 'sshd accept',
      in: 'Accepted publickey for h.ito from 10.1.2.3 port 5',
      out: 'Accepted publickey for <user-1> from <ip-1> port 5',
    },
    {
      name: 'su',
      in: 'pam_unix(su:session): session opened for user root(uid=0) by alice(uid=1000)',
      out: 'pam_unix(su:session): session opened for user root(uid=0) by <user-1>(uid=1000)',
    },
    {
      name: 'sudo',
      in: 'bob : TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/sh',
      out: '<user-1> : TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/sh',
    },
    { name: 'ssh login', in: 'ssh alice@10.9.9.9', out: 'ssh <user-1>@<ip-1>' },
    {
      name: 'Windows message text',
      in: 'Account Name:\t\tsato\n\tAccount Domain:\t\tCONTOSO',
      out: 'Account Name:\t\t<user-1>\n\tAccount Domain:\t\t<domain-1>',
    },
    {
      name: 'DN: person and AD domain',
      in: 'CN=Alice Smith,OU=Staff,DC=corp,DC=example,DC=jp',
      out: 'CN=<user-1>,OU=Staff,DC=<domain-1>',
    },
  ]);
});

test('internal names and addresses are masked as configured', () => {
  run([
    { name: 'internal FQDN', in: 'connect ws01.corp.example.jp:445', out: 'connect <host-1>:445' },
    {
      name: 'internal FQDN, case-insensitive and the same mask',
      in: 'WS01.Corp.Example.JP ws01.corp.example.jp',
      out: '<host-1> <host-1>',
    },
    { name: 'the internal domain itself', in: 'realm corp.example.jp', out: 'realm <domain-1>' },
    { name: 'internal e-mail is an e-mail', in: 'to a.b@corp.example.jp', out: 'to <email-1>' },
    { name: 'UNC single label', in: 'copy \\\\FS01\\share$\\x', out: 'copy \\\\<host-1>\\share$\\x' },
    { name: 'URL host', in: 'https://intranet.corp.example.jp/login', out: 'https://<host-1>/login' },
    { name: 'private IPv4 with port', in: 'from 10.0.0.5:445', out: 'from <ip-1>:445' },
    { name: '172.16/12 and 192.168/16', in: '172.20.1.1 192.168.1.1', out: '<ip-1> <ip-2>' },
    { name: 'loopback and link-local', in: '127.0.0.1 169.254.10.1', out: '<ip-1> <ip-2>' },
    { name: 'CGNAT shared space', in: '100.64.0.1', out: '<ip-1>' },
    { name: 'IPv6 loopback', in: 'bind ::1', out: 'bind <ip-1>' },
    { name: 'IPv6 ULA', in: 'fd12:3456:789a::1', out: '<ip-1>' },
    { name: 'IPv6 link-local with zone (zone kept)', in: 'fe80::1%eth0', out: '<ip-1>%eth0' },
    { name: 'IPv4-mapped shares the IPv4 mask', in: '::ffff:10.0.0.5 10.0.0.5', out: '<ip-1> <ip-1>' },
    {
      name: 'ips: all masks public too',
      in: '8.8.8.8 2001:4860:4860::8888',
      out: '<ip-1> <ip-2>',
      opts: { ips: 'all' },
    },
    { name: 'ips: none', in: '10.0.0.5', out: '10.0.0.5', opts: { ips: 'none' } },
    {
      name: 'internalNetworks: the bank’s own public block',
      in: '203.0.113.7 198.51.100.7',
      out: '<ip-1> 198.51.100.7',
      opts: { internalNetworks: ['203.0.113.0/24'] },
    },
    {
      name: 'hosts: false keeps names',
      in: 'ws01.corp.example.jp',
      out: 'ws01.corp.example.jp',
      opts: { ...CORP, hosts: false },
    },
  ]);
});

test('indicators and everyday values are not masked', () => {
  const keep = (name: string, s: string, opts?: RedactorOptionsInput): Case => ({
    name,
    in: s,
    out: s,
    ...(opts ? { opts } : {}),
  });
  run([
    keep('event ids and process ids', 'EventID 4624 ProcessId 9720 LogonType 3'),
    keep('GUIDs, even when a group is 12 digits with a valid check digit', '{0197231E-E9EE-692F-B004-123456789018}'),
    keep('SHA-256', '9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08'),
    keep('Sysmon Hashes text', 'Hashes: MD5=1736263E02468939F808C0528E8DBB7E,IMPHASH=68A9FF9C8D0D4655E46E1A7A190A41D2'),
    keep('a lone MD5', 'md5 1736263e02468939f808c0528e8dbb7e'),
    keep('version numbers', 'FileVersion 10.0.26100.1 (WinBuild.160101.0800) v1.2.3.4.5'),
    keep('ISO and Windows timestamps', '2025-12-03T07:42:01.210937Z 2025-12-03 07:42:01.210 +09:00'),
    keep('epoch milliseconds', 'ts=1733211721210'),
    keep('rule ids and CVE ids', 'rule 5af54681-df95-4c26-854f-2565e13cfab0 CVE-2024-12345 CVE-2021-44228'),
    keep('public domains', 'update.microsoft.com microsoft.com login.microsoftonline.com'),
    keep('public addresses by default', '8.8.8.8 185.220.101.45 2001:4860:4860::8888'),
    keep('well-known accounts', 'NT AUTHORITY\\SYSTEM LOCAL SERVICE NETWORK SERVICE'),
    keep('root in sshd', 'Accepted publickey for root from 203.0.113.9 port 22'),
    keep('a 16-digit number that fails Luhn', 'order 4111111111111112'),
    keep('a 12-digit number without the My Number check digit', 'account 123456789012'),
    keep('mkdir -p and cp -p', 'mkdir -p /tmp/x && cp -p a b'),
    keep('-p as a port', 'ssh -p 2222 203.0.113.5 && docker run -p 8080:80 nginx'),
    keep('perl -pe', "perl -pe 's/a/b/' f"),
    keep('the words Basic and Bearer', 'Basic authentication failed; Bearer token expired'),
    keep('sudo working directory', 'PWD=/tmp ; USER=root'),
    keep('placeholders', 'password: ******** token=- secret=%%1842 ElevatedToken: Yes'),
    keep('a password from a variable', '-Password $pw --password-stdin'),
    keep('password from a file or env (openssl)', 'openssl rsa -passin env:PW -passout file:/tmp/p'),
    keep('C++ and PowerShell statics', 'std::string [System.Text.Encoding]::UTF8'),
    keep('clock times and MAC addresses', '07:42:01 00:1A:2B:3C:4D:5E'),
    keep('not e-mails', 'icon@2x.png @types/node pkg:npm/lodash@4.17.21 npm i lodash@latest'),
    keep('shared and wildcard profiles', 'C:\\Users\\Public\\x C:\\Users\\Default\\y C:\\Users\\*\\AppData'),
    keep('localhost', 'http://localhost:8080/x'),
    keep('KB numbers, hex ids, SIDs', 'KB5001716 0x58c3c S-1-5-21-1004336348-1177238915-682003330-500'),
    keep('a signature name, a registry key', 'Signature: Microsoft Windows RegistryKey: HKLM\\Software\\Microsoft'),
    keep('a hyphenated word after sk-', 'pip install sk-learn-examples-for-beginners-here'),
    keep('AKIA followed by a short word', 'AKIANOTAKEY'),
    keep(
      'an encoded command stays encoded when nothing in it is secret',
      'powershell -enc aABlAGwAbABvACAAdwBvAHIAbABkAA==',
    ),
    keep('a mask-like but unknown word is unchanged when it is not mask-shaped', '<user> <host-0> <ip-01>'),
    keep('internal hosts are not masked without their suffix configured', 'ws01.corp.example.jp', {}),
  ]);
});

test('an encoded PowerShell command is decoded, redacted and re-encoded', () => {
  const r = createRedactor();
  const script = 'net user eve Passw0rd!Enc /add';
  const enc = Buffer.from(script, 'utf16le').toString('base64');
  const out = r.redact(`powershell.exe -NoP -EncodedCommand ${enc}`);
  const blob = out.split(' ').pop()!;
  assert.notEqual(blob, enc);
  assert.equal(Buffer.from(blob, 'base64').toString('utf16le'), 'net user <user-1> <secret-1> /add');
  assert.equal(r.restore('<secret-1>'), 'Passw0rd!Enc');
});
