/**
 * Programs that take a password as a short flag's value or as a plain argument, where no name says so: the same
 * `-p` is a password to `mongo` and `sshpass`, a port to `ssh` and `redis-cli`, a path to `mkdir`, a port
 * mapping to `docker run`. Flags are matched per program, so only these programs' flags are read as secrets.
 * (Long flags and `NAME=value` need no table: `secret-names.ts` reads them for every program.)
 */
export interface ProgramArgs {
  /** Flags whose next argument is the secret: `-p SECRET`. */
  readonly spaced?: readonly string[];
  /** Flags with the secret glued on: `-pSECRET` (getopt's attached form; `mysql -p db` prompts instead). */
  readonly attached?: readonly string[];
  /** The flags apply only after this word: `docker login -p`, not `docker run -p 8080:80`. */
  readonly after?: string;
  /** The n-th plain argument after `after` (or after the program) is the secret: `add_user NAME PASSWORD`. */
  readonly positional?: number;
  /** Which part of the value is secret: the whole of it, or what follows `user%`, `user,`, `user/`. */
  readonly part?: 'whole' | 'after-percent' | 'after-comma' | 'oracle-login';
  /** The program runs another one after its own flags (`sshpass -p X ssh -p 22 host`): stop at the first operand. */
  readonly wrapsCommand?: boolean;
  /** `after` is followed by a setting's name, and the next argument is its value if the name is a secret's. */
  readonly namedSetting?: boolean;
}

const MYSQL = { attached: ['-p'] } as const;
const MONGO = { spaced: ['-p'] } as const;
const LDAP = { spaced: ['-w'], attached: ['-w'] } as const;
const SNMP = { spaced: ['-A', '-X'], attached: ['-A', '-X'] } as const;
const MSSQL = { spaced: ['-P'], attached: ['-P'] } as const;
const REDIS = { spaced: ['-a'] } as const;
const REGISTRY_LOGIN = { spaced: ['-p'], after: 'login' } as const;
const ORACLE = { positional: 1, part: 'oracle-login' } as const;
const SAMBA = { spaced: ['-U'], part: 'after-percent' } as const;
const SETTING = { after: 'set', namedSetting: true } as const;

function each(names: readonly string[], args: readonly ProgramArgs[]): [string, readonly ProgramArgs[]][] {
  return names.map((name) => [name, args]);
}

export const PROGRAMS: ReadonlyMap<string, readonly ProgramArgs[]> = new Map([
  ...each(
    [
      'mysql',
      'mysqldump',
      'mysqladmin',
      'mysqlimport',
      'mysqlcheck',
      'mysqlpump',
      'mysqlshow',
      'mysqlslap',
      'mysqlbinlog',
      'mariadb',
      'mariadb-dump',
      'mariadb-admin',
      'mariadb-import',
      'mariadb-check',
    ],
    [MYSQL],
  ),
  ...each(
    ['mongo', 'mongosh', 'mongodump', 'mongorestore', 'mongoexport', 'mongoimport', 'mongostat', 'mongotop'],
    [MONGO],
  ),
  ...each(
    [
      'ldapsearch',
      'ldapadd',
      'ldapmodify',
      'ldapdelete',
      'ldapwhoami',
      'ldappasswd',
      'ldapcompare',
      'ldapmodrdn',
      'ldapexop',
    ],
    [LDAP],
  ),
  ...each(
    ['snmpwalk', 'snmpbulkwalk', 'snmpget', 'snmpgetnext', 'snmpbulkget', 'snmpset', 'snmptable', 'snmptrap'],
    [SNMP],
  ),
  ...each(['sqlcmd', 'bcp', 'tsql', 'isql', 'ipmitool'], [MSSQL]),
  ...each(['redis-cli', 'keydb-cli', 'valkey-cli'], [REDIS]),
  ...each(['docker', 'podman', 'buildah', 'nerdctl', 'helm', 'oras'], [REGISTRY_LOGIN]),
  ...each(['sqlplus', 'expdp', 'impdp', 'exp', 'imp', 'rman', 'sqlldr', 'dgmgrl'], [ORACLE]),
  ...each(['smbclient', 'rpcclient', 'smbcacls', 'smbget'], [SAMBA]),
  ...each(['aws', 'npm', 'yarn', 'pnpm'], [SETTING]),
  ['sshpass', [{ spaced: ['-p'], attached: ['-p'], wrapsCommand: true }]],
  ['cqlsh', [{ spaced: ['-p'] }]],
  ['az', [{ spaced: ['-p'] }]],
  ['cf', [{ spaced: ['-p'] }, { after: 'auth', positional: 2 }]],
  ['oc', [{ spaced: ['-p'], after: 'login' }]],
  ['twine', [{ spaced: ['-p'] }]],
  ['doctl', [{ spaced: ['-t'] }]],
  ['pd-send', [{ spaced: ['-k'] }]],
  ['openssl', [{ spaced: ['-k'] }]],
  ['zip', [{ spaced: ['-P'], attached: ['-P'] }]],
  ['unzip', [{ spaced: ['-P'], attached: ['-P'] }]],
  ['7z', [{ attached: ['-p'] }]],
  ['7za', [{ attached: ['-p'] }]],
  ['lftp', [{ spaced: ['-u'], part: 'after-comma' }]],
  ['xfreerdp', [{ attached: ['/p:'] }]],
  [
    'rabbitmqctl',
    [
      { after: 'add_user', positional: 2 },
      { after: 'change_password', positional: 2 },
    ],
  ],
  ['neo4j-admin', [{ after: 'set-initial-password', positional: 1 }]],
  ['db2', [{ after: 'using', positional: 1 }]],
  ['nmcli', [{ after: 'password', positional: 1 }]],
  ['wpa_passphrase', [{ positional: 2 }]],
  // `htpasswd -b FILE USER PASSWORD`; without -b there is no third argument.
  ['htpasswd', [{ positional: 3 }]],
  // `mc alias set NAME URL ACCESS-KEY SECRET-KEY` and the older `mc config host add ...`.
  [
    'mc',
    [
      { after: 'set', positional: 4 },
      { after: 'add', positional: 4 },
    ],
  ],
]);
