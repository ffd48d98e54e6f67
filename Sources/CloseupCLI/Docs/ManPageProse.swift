// The hand-written prose of the man page: what no table row says. Flag and
// command text lives in CommandTable.swift only.

enum ManPageProse {
    static let description = """
        closeup is the tool ops engineers, support staff and scripts use on the Close-Up backend's Redis layer: one-time login codes (otp:USER), failed-attempt counters (otp:attempts:USER), rate limits (rate_limit:ACTION:IDENTIFIER), the verification cache (user:verification:USER) and the pending video cache (video:pending:USER). It reads and writes exactly the keys, values and TTLs the backend does, so either side can act on what the other wrote.

        Redis first, SQLite behind it, decided once per run, and a change is never the first thing sent to a server that has not answered yet (without a password, a writing command starts with a PING). Commands use Redis when it answers and an SQLite database when it does not, with one warning on stderr naming both. Unreachable means refused, no route, a host name the resolver cannot look up within the connect timeout, no connection within the connect timeout, or a server that accepted the connection but sent nothing within the operation timeout. A host name the resolver says does not exist is a configuration error (exit 5), not an absent Redis. Once Redis has answered, it serves the whole run: losing it later (a cluster master down, a connection cut) ends the command with exit 3 and nothing is done on SQLite alone; only an idempotent read retries once on a new connection. --store redis turns the fallback off; --store sqlite uses SQLite alone.

        An error reply is never data. NOAUTH, WRONGPASS and NOPERM (and a script whose command the ACL refuses) exit 5; WRONGTYPE, READONLY, OOM, BUSY, LOADING, MISCONF, CLUSTERDOWN and any other error reply exit 3. The one line names the command or the key and the error; none is ever read as "no such key", as 0 or as corrupt data, none is papered over by the SQLite fallback, and a command that met one wrote nothing to SQLite alone.

        Least privilege. closeup needs only the commands it uses on its own keys: GET, SET, DEL, UNLINK, TTL, PTTL, EXPIRE, INCR, DECR, EVALSHA and EVAL (its scripts call the same commands), SCAN, PING for doctor, MONITOR for monitor, and CLUSTER SLOTS in a cluster. A refused INFO, CLUSTER or CONFIG never fails a command: cluster detection then asks CLUSTER SLOTS, or relies on --cluster and MOVED, and doctor shows version and role as unknown. When INFO and CLUSTER SLOTS are both refused, keys scan and monitor warn that only the server itself is seen. A refused MONITOR, whatever the error, is polling. An ACL user such as +@all -@dangerous is enough for every command. With no Redis configured and none on 127.0.0.1:6379, closeup works on SQLite silently: the embedded default. In SQLite every namespace keeps the same semantics and TTLs; counters do not carry over between the stores, OTP records do (closeup writes both while Redis is up).

        Codes. otp_hash is the lowercase hex HMAC-SHA256 of USER:CODE keyed with the OTP secret. Codes are 6 digits from the system CSPRNG without modulo bias and are never stored or logged in plain. A code verifies at most once, however many verifiers race and whichever store each one uses; a code consumed through one store cannot be replayed through the other; an expired code never verifies (in Redis a code lives while its key does: the TTL decides and expires_at is only shown; an SQLite copy lives while its stored expiry is in the future; where Redis has none, a live SQLite copy is live for every command, send included; a code used through SQLite while Redis was away keeps its Redis key live until it expires, is revoked, or a verify of it refuses it as used and deletes it: it never verifies twice). While a user is blocked (failed attempts at --max-attempts), verify neither consumes the code nor counts the try. Each verify takes an attempt before its comparison counts and gives it back unless the code was wrong, so however many verifiers race, at most --max-attempts codes are compared; while that many verifications of one user are in flight, a further one is refused as blocked. Nothing is consumed before the attempt is known to be taken, so a verify that is refused or fails never costs the user the code. Both stores run the same algorithm. No live code exits 1 and is not counted as a failure. A failed delivery withdraws the code from both stores and takes the send back from the rate limit. The delivery command runs without closeup's secrets in its environment (CLOSEUP_OTP_SECRET, REDIS_PASSWORD, REDIS_URL and whatever variable a password came from), with no descriptor above 2, in a process group of its own with default signal dispositions; on its 10 s timeout, or when closeup gets SIGINT, SIGTERM or SIGHUP during a send, the whole group is killed, the code withdrawn and the send released, and the run ends by that signal. --via stdout is a delivery too: a code that does not reach stdout in full (a full disk, a closed stdout, a reader that went away) is withdrawn (exit 3).

        Values written by others are read leniently: extra JSON fields, any UTC offset or Z, fractional seconds; only otp_hash is required and a missing expires_at is derived from the TTL. A value that cannot be read is reported as corrupt with its key (exit 6) and left as it is. closeup writes timestamps in the local zone (TZ) as YYYY-MM-DDTHH:MM:SS+HH:MM, never Z.

        Atomicity. Every read-modify-write on Redis is one step (a Lua script touching one key, SET NX EX, or a pipeline of independent commands), so no key is left without its TTL and no counter over-admits; a key found without a TTL gets one from the next write that touches it. Bulk commands stream their commands through one pipeline.

        Configuration comes from flags, then the environment, then the env file, then defaults, setting by setting. The env file is ./.env when present (or --env-file FILE; --no-env-file skips it): KEY=value lines, optional export, single or double quotes, # comments after whitespace; lines end in LF or CRLF; a line that does not parse, holds a control character other than tab or text that is not UTF-8, or has a key that is not a name is an error naming the file and line, never quoting its text. An empty value counts as unset. A URL supplies host, port, db, username, password and TLS at its own level; a part given on its own at the same level overrides the URL's. A password in --url on the command line draws a warning (other users see it in ps); there is no --password option. Passwords appear in no output: in a URL everything before the last @ is the user and password, and a malformed URL is repeated redacted.

        Files closeup trusts. The data folder must be yours and closed to others, the SQLite database, its -wal file and the OTP secret yours and neither readable nor writable by others, and the secret a regular file (not a symbolic link) of at least 32 UTF-8 characters; a database given with --sqlite must not sit in a folder others may write to without the sticky bit. Anything else is a warning on every run naming the file, its mode and the chmod that fixes it, and a failure of doctor (exit 5); a secret that is not a regular file at all is refused (exit 5).

        TLS verifies the server's certificate chain (--cacert, else the system trust store) and host name, and sends SNI; --sni NAME sends and verifies NAME instead of the host (for tunnels); --cert and --key present a client certificate; --insecure skips verification, with a warning. A failed verification, an unreadable TLS file or a refused client certificate is a configuration error (exit 5), never papered over by the SQLite fallback; the files are loaded before connecting, so a bad one is reported even while the server is down. The handshake counts against the connect timeout.

        Redis Cluster is used with --cluster, or as soon as a reply says MOVED or ASK; keys scan, monitor and doctor also ask INFO cluster. Commands are routed by the CRC16 slot of their key (hash tags honoured), MOVED refreshes the slot map, ASK is followed with ASKING, and pipelines are split per node. After MOVED or ASK only the redirected commands are sent again: a command is never sent twice, so one wrong code counts one failed attempt. keys scan and monitor cover every master; doctor shows them and their slot coverage.

        Output. Results go to stdout, diagnostics to stderr. --json prints one JSON object per result (one per line for bulk clears and keys scan) with stable snake_case fields; each carries store, redis or sqlite: the store that served it (monitor events say redis; doctor's store is the --store setting). With --json a negative answer or refusal (exit 1 or 4) is a result on stdout with a reason (no_live_otp, wrong_code, not_cached, rate_limited, live_otp, blocked) and what a script needs next (ttl_seconds, reset_in_seconds, count, max); an error (exit 2, 3, 5, 6, 70) is one object on stderr, {"error":{"exit":N,"kind":"usage|unavailable|configuration|corrupt|internal","message":"..."}}, with nothing on stdout (a listing still prints what it read; doctor its report); with --json stderr holds JSON objects only, a warning being {"warning":{"message":"..."}}, and no progress line is drawn. Human output served by SQLite while a Redis is configured says "(from SQLite)" on its first line (for keys scan, the fallback warning and the delete summary say it). Mobile numbers are masked in human output (98******10) and full in JSON. Colour is used on a terminal only, never with NO_COLOR or TERM=dumb. A reader that went away (| head) ends a listing quietly (keys scan --delete goes on deleting and counts what it removed); any other failed write to stdout (a full disk, a closed stdout) is exit 3, so a truncated file never comes with a success status. keys scan, stats and the bulk clears show how far they have got on stderr once they have run for a second, on a terminal only (not with --quiet or TERM=dumb, nor while keys are listed to the terminal), and erase the line at the end. Help wins over every other mistake on a command line.
        """

    static let environment = """
        .TP
        .B REDIS_URL
        Redis URL, as for \\-\\-url.
        .TP
        .BR REDIS_HOST ", " REDIS_PORT ", " REDIS_DB
        Host, port and database, as the backend's .env names them.
        .TP
        .BR REDIS_USERNAME ", " REDIS_PASSWORD
        ACL user and password.
        .TP
        .BR REDIS_TLS ", " REDIS_CACERT
        TLS (true/false, 1/0, yes/no, on/off) and CA file.
        .TP
        .BR REDIS_CONNECT_TIMEOUT ", " REDIS_TIMEOUT
        Seconds to connect, and to wait for each reply (default 5 each).
        .TP
        .B CLOSEUP_SQLITE_PATH
        The SQLite database (default $XDG_DATA_HOME/closeup/closeup.sqlite3).
        .TP
        .B CLOSEUP_OTP_SECRET
        The HMAC key of OTP hashes; the backend must use the same one.
        .TP
        .B CLOSEUP_SMS_COMMAND
        The command \\-\\-via command runs, split into words as a shell would, without a shell.
        .TP
        .B CLOSEUP_MAX_ATTEMPTS
        Failed verifications that block a user (default 5).
        .TP
        .BR NO_COLOR ", " TZ ", " XDG_DATA_HOME
        No colour; the time zone of written timestamps; where the data folder is.
        """

    static let files = """
        .TP
        .I ./.env
        Settings, read when present.
        .TP
        .I $XDG_DATA_HOME/closeup/closeup.sqlite3
        The SQLite database (~/.local/share/closeup/ when XDG_DATA_HOME is unset; file 0600, folder 0700; wider modes draw a warning).
        .TP
        .I $XDG_DATA_HOME/closeup/otp\\-secret
        The OTP secret closeup creates (64 hex characters, 0600) when CLOSEUP_OTP_SECRET is not set; a symbolic link, a wider mode or fewer than 32 characters draw a warning.
        """

    static let exitStatus = """
        .TP
        .B 0
        Success: sent, valid, allowed, found (a cached false is found), cleared; inspect whenever it could look.
        .TP
        .B 1
        A negative answer: wrong code, no live code, rate-limited, nothing cached.
        .TP
        .B 2
        Usage error or invalid input.
        .TP
        .B 3
        Unavailable: Redis unreachable with the fallback off or lost after it answered, an error reply (WRONGTYPE, READONLY, OOM, BUSY, LOADING, MISCONF, CLUSTERDOWN and any other), SQLite unusable, delivery failed, stdout not writable.
        .TP
        .B 4
        Refused by policy: user blocked, live code exists, send rate limit reached.
        .TP
        .B 5
        Configuration error: bad URL or variable, unreadable or malformed file, doctor finding files others can read or change, a Redis host that does not exist, TLS verification failed, authentication or permission refused (NOAUTH, WRONGPASS, NOPERM).
        .TP
        .B 6
        Corrupt data: a stored value cannot be parsed (the message names the key; the value is left as it is).
        .TP
        .B 70
        Internal error: a bug; please report it.
        .TP
        .BR 129 ", " 130 ", " 143
        Ended by SIGHUP, SIGINT or SIGTERM; an otp send caught mid-delivery withdraws its code first.
        """
}
