// What each attack sample is a sample *of*. EVTX-ATTACK-SAMPLES files one recording per ATT&CK technique, named
// by hand (`Sysmon_UACME_43.evtx`, `LM_sysmon_psexec_smb_meterpreter.evtx`) under a folder per tactic; no file
// carries a machine-readable technique id. This table reads the technique(s) from the name: each row is a word or
// phrase of the file names and the ATT&CK techniques it stands for, as SigmaHQ tags them today (ATT&CK v18
// renumbered a few: clearing event logs is T1685.005 there, formerly T1070.001, so both are listed).
//
// The recordings also hold whatever the lab machine did meanwhile (logon noise, the tester's own tools, a cleared
// log before the run), which trips generic rules. A detection is labelled malicious only when its rule is about
// the sample's technique: see `relate`.

/** One row: a pattern of the sample's path (lower-cased) and the techniques it names. */
export type SampleTechniqueRow = {
  readonly pattern: RegExp;
  /** ATT&CK technique ids, lower-case as Sigma tags them (`t1003.001`). */
  readonly techniques: readonly string[];
  /** Words of a rule title that name the same tool or trick (tried when the rule shares no technique tag). */
  readonly title?: RegExp;
};

/** Folder (tactic) → the tactic tags SigmaHQ uses for it (v18 split defense evasion in two). */
export const FOLDER_TACTICS: ReadonlyMap<string, readonly string[]> = new Map([
  ['command and control', ['command-and-control']],
  ['credential access', ['credential-access']],
  ['defense evasion', ['defense-evasion', 'stealth', 'defense-impairment']],
  ['discovery', ['discovery']],
  ['execution', ['execution']],
  ['lateral movement', ['lateral-movement']],
  ['persistence', ['persistence']],
  ['privilege escalation', ['privilege-escalation']],
]);

const T = (pattern: RegExp, techniques: readonly string[], title?: RegExp): SampleTechniqueRow =>
  title ? { pattern, techniques, title } : { pattern, techniques };

/**
 * Words of the sample names → techniques. Several rows may match one file; the sample's techniques are the union.
 * A row's `title` pattern is tried on rule titles: a rule named for the tool the sample uses is about the sample
 * even when it carries no technique tag ("PsExec Service Execution", "MSSQL XPCmdshell Option Change").
 */
export const SAMPLE_TECHNIQUES: readonly SampleTechniqueRow[] = [
  // privilege escalation
  T(
    /uacme|uac_?bypass|uacbypass|bypassuac|bypass_?uac|eventvwrbypass|sdcltbypass|perfmonuacbypass/,
    ['t1548.002'],
    /\buac\b|uacme/,
  ),
  // these bypasses plant their DLL in a system folder with `wusa /extract` (a rule with no technique tag)
  T(
    /sysprep|migwiz|mcx2prov|cliconfg|compmgmtlauncher|apppath_control|changepk|cdssync|windirectory_mocking|wscriptbypassuac/,
    ['t1548.002'],
    /\buac\b|wusa/,
  ),
  T(/cmstp/, ['t1548.002', 't1218.003'], /cmstp/),
  T(/uac_disabled/, ['t1548.002', 't1112']),
  T(/tokenduplication|token_manip|handle_inheritance|sedebugprivilege|sessiontoken/, ['t1134']),
  T(
    /potato|seimpersonate|roguewinrm|imperson|namedpipeimpersonation|getsystem|namedpipe_privesc/,
    ['t1134.001'],
    /potato|getsystem|impersonat/,
  ),
  T(/runas|createprocessasuser/, ['t1134.002']),
  T(/ppid_spoofing/, ['t1134.004']),
  T(/sidhistory/, ['t1134.005'], /sid history/),
  T(/cve-|smbv3ghost|spoolfool|spooler|spl_file_write|symlink|appcontainer|eop_/, ['t1068']),
  T(/krbrelayup|ntlm2selfrelay/, ['t1557.001', 't1558', 't1548']),
  T(/privexchange/, ['t1187', 't1098']),
  T(/samaccount_spoofing/, ['t1068', 't1078', 't1098']),
  T(/unquoted_svc/, ['t1574.009', 't1574']),
  T(/schedtask|scheduled_?task|remote task|task_src|atsvc|4698|4702/, ['t1053.005'], /schtasks|scheduled task/),
  T(/psexec|remcom/, ['t1569.002', 't1021.002', 't1570', 't1543.003'], /psexec|remcom/),
  T(/7045|remote_service|svcctl/, ['t1543.003', 't1569.002', 't1021.002']),
  // credential access
  T(
    /lsass|mimikatz|sekurlsa|memdump|minidump|dumpert|andrewspecial|rdrleakdiag|malseclogon|ppldump/,
    ['t1003.001', 't1003'],
    /lsass|mimikatz|dumpert|rdrleakdiag|memory dump/,
  ),
  T(/hashdump|sam_registry/, ['t1003.002', 't1003']),
  T(/ntdsutil/, ['t1003.003', 't1003'], /ntdsutil|ntds\.dit/),
  T(/dcsync/, ['t1003.006', 't1003'], /dcsync/),
  T(/iis_pwd|appcmd/, ['t1003', 't1552.001']),
  T(/memssp/, ['t1547.005', 't1003']),
  T(/keepass|keefarce|keethief/, ['t1555.005', 't1555'], /keepass/),
  T(/chrome_firefox_opera/, ['t1555.003', 't1555']),
  T(/teamviewer-dumper|protectedstorage|masterkey/, ['t1555', 't1003']),
  T(/kekeo|tsssp/, ['t1558', 't1003']),
  T(/keylogger/, ['t1056.001']),
  T(/phish_windows_credentials/, ['t1056.002']),
  T(/pwd_spray|failed_logon|18456/, ['t1110'], /failed logon/),
  T(/zerologon/, ['t1210', 't1068', 't1098']),
  T(/dsrm|password_change|pwd_reset|password_changed|password_hash_changed|forcepwd|spnadd/, ['t1098']),
  T(/logontype2_logonproc/, ['t1078', 't1556']),
  T(/pth|pass the hash|overpass/, ['t1550.002']),
  // defense evasion
  T(/log_cleared|security_log|system_log/, ['t1685.005', 't1070.001'], /eventlog cleared|log cleared/),
  T(/eventlog_svc|eventlogsvc|eventlog_service/, ['t1685', 't1562.002'], /eventlog/),
  T(/clm_disabled|scriptblocklogging|execpolicy|process_suspend/, ['t1685', 't1112', 't1059.001']),
  T(/byov|dse_bypass|dummydriver|zam64/, ['t1068', 't1014', 't1543.003']),
  T(/kerneldebug|testsigning/, ['t1553', 't1685']),
  T(
    /dll_?hijack|sideloading|knowdll|faxhell|wwlib|update session orchestrator/,
    ['t1574.001', 't1574.002', 't1574'],
    /sideload|hijack/,
  ),
  T(/codeinj|migrate|reflectivepeinjection|psinject|doppelganging|prochollowing|herpaderping|ntopenprocess/, ['t1055']),
  T(/timestomp/, ['t1070.006']),
  T(/mru_deletekey|antiforensics/, ['t1070.003', 't1070']),
  T(/hiding_files|attrib/, ['t1564.001']),
  T(/hidden_local_account|hidden_user/, ['t1564.002', 't1136.001']),
  T(/fake_computeraccount/, ['t1136', 't1036']),
  T(/portforward|tunnel|tunna|rdp_tun|rdp-tun/, ['t1572', 't1090', 't1021.001']),
  T(/rdp_settings/, ['t1112', 't1021.001']),
  T(/vba_security|accessvbom/, ['t1112', 't1137']),
  T(/renamed_psexec|renamed_regsvr32/, ['t1036.003']),
  T(/xp_cmdshell|xpcmdshell/, ['t1505.001', 't1059.003'], /xp_?cmdshell/),
  // execution
  T(/rundll32|shdocvw|zipfldr|advpack|pcwutl|routethecall|fileprotocolhandler/, ['t1218.011'], /rundll32/),
  T(/regsvr32|scrobj|_sct/, ['t1218.010'], /regsvr32/),
  T(/mshta|lethalhta/, ['t1218.005'], /mshta|\bhta\b/),
  T(/msi/, ['t1218.007'], /\bmsi\b|msiexec/),
  T(/compiledhtml/, ['t1218.001'], /hh\.exe/),
  T(/cpl|controlpanel/, ['t1218.002']),
  T(/msxsl|xsl/, ['t1220'], /msxsl|xsl/),
  T(/pcalua|_ftp|vshadow|zipexec|explorer_exec/, ['t1202'], /pcalua|ftp\.exe|vshadow|zipexec|explorer/),
  T(/wuauclt/, ['t1218']),
  T(/desktopimgdownldr/, ['t1105', 't1197'], /desktopimgdownldr/),
  T(/bits/, ['t1197'], /bits/),
  T(/visual_studio_prebuild/, ['t1127']),
  T(/jscript/, ['t1059.007']),
  T(/vbs|wscript/, ['t1059.005']),
  T(/powershell|powercat|4104|ps_800|_ps_/, ['t1059.001'], /powershell/),
  T(/revshell|cmd_svchost|bindshell|remshell/, ['t1059.003', 't1059']),
  T(/driveby/, ['t1189', 't1203']),
  T(/exec_from_vss/, ['t1202', 't1564']),
  T(/emotet|maldoc/, ['t1566.001', 't1204.002', 't1059.001']),
  // lateral movement
  T(/wmi|wmic/, ['t1047'], /wmi/),
  T(/dcom|mmc20|shellbrowserwindow|shwnd|docmexec/, ['t1021.003'], /dcom|mmc/),
  T(
    /winrm|wsman|winrshost|wsmprovhost|powershellremoting|remote_management/,
    ['t1021.006'],
    /winrm|remote powershell|windows remote shell/,
  ),
  T(/rdp|tsclient|mstscax|rdpcorets|terminalservices/, ['t1021.001'], /\brdp\b/),
  T(/5145|remote_filecopy|remote_file_copy|smbmap|newshare|share_drive|5142|nullsession/, ['t1021.002', 't1570']),
  T(/spoolsample/, ['t1187']),
  T(/remote_registry|poisonhandler/, ['t1112', 't1021']),
  T(/webshell/, ['t1505.003'], /webshell|web server/),
  T(/web_attack/, ['t1190', 't1189', 't1505.003'], /traversal|cross site|sql injection|webshell/),
  T(/directoryserviceextpt/, ['t1547.008', 't1112']),
  // persistence
  T(/shime/, ['t1546.011'], /shim/),
  T(/gpo/, ['t1484.001']),
  T(/local_account_creation|admingroup|guest_added|rid_hijack|guest/, ['t1136.001', 't1098', 't1078.001']),
  T(/startup/, ['t1547.001'], /startup/),
  T(/run_?key/, ['t1547.001', 't1112']),
  T(/bootexecute|setupexecute/, ['t1547.001', 't1547']),
  T(/wmighost|eventconsumer/, ['t1546.003'], /wmi/),
  T(/comhijack/, ['t1546.015']),
  T(/outlook/, ['t1137']),
  T(/dcshadow/, ['t1207']),
  T(/acl|dacl|add-domainobjectacl/, ['t1098', 't1222.001']),
  T(/silentprocessexit/, ['t1546.012']),
  T(/accessibility|osk/, ['t1546.008']),
  T(/winlogon_shell/, ['t1547.004']),
  T(/winsock/, ['t1547']),
  // discovery
  T(/bloodhound|userhunter|netsessionenum/, ['t1087.002', 't1069.002', 't1033', 't1049']),
  T(/net_group|domain_admins|4661/, ['t1087.002', 't1069.002']),
  T(/local_user_or_group|local_groups|4799|4798/, ['t1087.001', 't1069.001']),
  T(/psloggedon/, ['t1033', 't1087']),
  T(/enum_shares/, ['t1135']),
  T(/namedpipes/, ['t1018']),
  T(/process_listing/, ['t1057']),
  T(/uefi|rweverything/, ['t1082', 't1542.001']),
  T(/whoami/, ['t1033']),
  // command and control
  T(/openvpn/, ['t1197', 't1105']),
  T(/bluekeep|rpdscan/, ['t1210', 't1046']),
];

/** The techniques and tactics a sample stands for, read from its path relative to the samples folder. */
export type SampleTechniques = {
  readonly path: string;
  readonly tactics: readonly string[];
  readonly techniques: readonly string[];
  /** The rows that matched: their `title` patterns are tried on rule titles. */
  readonly rows: readonly SampleTechniqueRow[];
};

export function sampleTechniques(relPath: string): SampleTechniques {
  const p = relPath.replaceAll('\\', '/').toLowerCase();
  const folder = p.split('/')[0] ?? '';
  const tactics = FOLDER_TACTICS.get(folder) ?? [];
  const rows = SAMPLE_TECHNIQUES.filter((r) => r.pattern.test(p));
  const techniques = [...new Set(rows.flatMap((r) => r.techniques))].sort();
  return { path: relPath, tactics, techniques, rows };
}

/** How a detection's rule relates to the sample it fired in; only `technique` and `name` are labelled malicious. */
export type Relation = 'technique' | 'name' | 'tactic' | 'none';

export const RELATIONS: readonly Relation[] = ['technique', 'name', 'tactic', 'none'];

/** A rule's ATT&CK technique tags, lower-case without the `attack.` prefix. */
export function ruleTechniques(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of tags) {
    const m = /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(t);
    if (m) out.push(m[1]!.toLowerCase());
  }
  return out;
}

/** Same technique, or one is a sub-technique of the other (T1548 ~ T1548.002; T1218.010 ≁ T1218.011). */
export function techniquesRelated(a: string, b: string): boolean {
  return a === b || a.startsWith(b + '.') || b.startsWith(a + '.');
}

/**
 * The strongest relation between a rule and a sample: a shared technique; else the sample's tool named in the
 * rule's title; else a shared tactic (the folder's); else none.
 */
export function relate(rule: { title: string; tags: readonly string[] }, sample: SampleTechniques): Relation {
  const rt = ruleTechniques(rule.tags);
  if (rt.some((a) => sample.techniques.some((b) => techniquesRelated(a, b)))) return 'technique';
  const title = rule.title.toLowerCase();
  if (sample.rows.some((r) => r.title?.test(title))) return 'name';
  const tactics = new Set(rule.tags.map((t) => t.toLowerCase().replace(/^attack\./, '')));
  if (sample.tactics.some((t) => tactics.has(t))) return 'tactic';
  return 'none';
}
