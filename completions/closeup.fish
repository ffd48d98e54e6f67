# fish completion for closeup (generated from the command table; do not edit)
set -g __closeup_paths 'otp' 'otp send' 'otp verify' 'otp ttl' 'inspect' 'attempts' 'attempts get' 'otp revoke' 'attempts clear' 'attempts list' 'ratelimit' 'ratelimit check' 'ratelimit reset' 'pending-video' 'pending-video get' 'pending-video set' 'pending-video clear' 'verification' 'verification get' 'verification set' 'verification clear' 'keys' 'keys scan' 'monitor' 'stats' 'audit' 'doctor' 'completions' 'help'

# The command path typed so far ("otp send"), skipping flags and their values.
function __closeup_path
    set -l words (commandline -opc)
    set -e words[1]
    set -l path
    set -l skip 0
    for word in $words
        if test $skip = 1
            set skip 0
            continue
        end
        switch $word
            case --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason --mobile --channel --via --ttl --min --max --window --kind --match --count --limit --user --duration --interval --sample --since --command
                set skip 1
                continue
            case '-*'
                continue
        end
        set -l candidate (string join ' ' $path $word)
        if contains -- $candidate $__closeup_paths
            set path $path $word
        else
            break
        end
    end
    string join ' ' $path
end

# The flags that take a value at a command path (--ttl does in otp send, not in keys scan).
function __closeup_value_flags
    switch "$argv[1]"
        case ''
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason
        case 'otp'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason
        case 'otp send'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason --mobile --channel --via --ttl
        case 'otp verify'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason
        case 'otp ttl'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason
        case 'inspect'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason --mobile
        case 'attempts'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason
        case 'attempts get'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason
        case 'otp revoke'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason
        case 'attempts clear'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason
        case 'attempts list'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason --min
        case 'ratelimit'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason
        case 'ratelimit check'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason --max --window
        case 'ratelimit reset'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason
        case 'pending-video'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason
        case 'pending-video get'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason
        case 'pending-video set'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason --ttl
        case 'pending-video clear'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason
        case 'verification'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason
        case 'verification get'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason
        case 'verification set'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason --ttl
        case 'verification clear'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason
        case 'keys'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason
        case 'keys scan'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason --kind --match --count --limit
        case 'monitor'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason --user --kind --duration --interval
        case 'stats'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason --kind --sample
        case 'audit'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason --since --user --command --limit
        case 'doctor'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason
        case 'completions'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason
        case 'help'
            printf '%s\n' --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason
    end
end

# Whether the word before is a flag that takes a value here (with an argument: that flag).
function __closeup_expects
    set -l words (commandline -opc)
    contains -- $words[-1] (__closeup_value_flags (__closeup_path)); or return 1
    test (count $argv) = 0; or test "$words[-1]" = "$argv[1]"
end

# At `path`, and not typing a flag's value (that is the value lines' turn).
function __closeup_at
    __closeup_expects; and return 1
    set -l path (__closeup_path)
    test "$path" = "$argv[1]"
end

# Positional arguments after the command path.
function __closeup_argument_count
    set -l words (commandline -opc)
    set -l path (string split ' ' (__closeup_path))
    math (count $words) - 1 - (count $path)
end

# For help: what may follow the command path typed after it.
function __closeup_help_words
    set -l words (commandline -opc)
    set -l typed
    set -l after 0
    for word in $words[2..-1]
        if test $after = 1
            string match -q -- '-*' $word; or set typed $typed $word
        else if test $word = help
            set after 1
        end
    end
    switch (string join ' ' $typed)
        case ''
            string join \n otp inspect attempts ratelimit pending-video verification keys monitor stats audit doctor completions help connection
        case 'otp'
            string join \n send verify ttl revoke
        case 'attempts'
            string join \n get clear list
        case 'ratelimit'
            string join \n check reset
        case 'pending-video'
            string join \n get set clear
        case 'verification'
            string join \n get set clear
        case 'keys'
            string join \n scan
    end
end

complete -c closeup -f
complete -c closeup -n "__closeup_at ''" -a otp -d 'One-time codes: send, verify, ttl, revoke'
complete -c closeup -n "__closeup_at ''" -a inspect -d 'Everything about a user, or many'
complete -c closeup -n "__closeup_at ''" -a attempts -d 'Failed-attempt counters: get, clear, list'
complete -c closeup -n "__closeup_at ''" -a ratelimit -d 'Fixed-window rate limits: check, reset'
complete -c closeup -n "__closeup_at ''" -a pending-video -d 'The pending video job cache: get, set, clear'
complete -c closeup -n "__closeup_at ''" -a verification -d 'The verification status cache: get, set, clear'
complete -c closeup -n "__closeup_at ''" -a keys -d 'Keys of closeup\'s namespaces: scan (and delete)'
complete -c closeup -n "__closeup_at ''" -a monitor -d 'Watch traffic on closeup\'s namespaces, decoded'
complete -c closeup -n "__closeup_at ''" -a stats -d 'Keys, TTLs, memory per namespace; server health'
complete -c closeup -n "__closeup_at ''" -a audit -d 'Who changed what: the audit log, newest first'
complete -c closeup -n "__closeup_at ''" -a doctor -d 'Check configuration, Redis, SQLite, OTP secret'
complete -c closeup -n "__closeup_at ''" -a completions -d 'Print the shell completion script'
complete -c closeup -n "__closeup_at ''" -a help -d 'Show help for a command'
complete -c closeup -n "__closeup_at 'otp'" -a send -d 'Issue a one-time code and deliver it'
complete -c closeup -n "__closeup_at 'otp'" -a verify -d 'Check a code; a right one is consumed'
complete -c closeup -n "__closeup_at 'otp'" -a ttl -d 'Seconds left on the live code'
complete -c closeup -n "__closeup_at 'otp'" -a revoke -d 'Revoke live codes: delete them in Redis, mark SQLite\'s copies used'
complete -c closeup -n "__closeup_expects --mobile" -x
complete -c closeup -n "__closeup_at 'otp send'; and not __fish_seen_argument -l mobile" -l mobile -x -d 'Mobile number: \'+\' optional, then 7-15 digits'
complete -c closeup -n "__closeup_expects --channel" -x -a 'sms whatsapp'
complete -c closeup -n "__closeup_at 'otp send'; and not __fish_seen_argument -l channel" -l channel -x -a 'sms whatsapp' -d 'Message channel (default sms)'
complete -c closeup -n "__closeup_expects --via" -x -a 'stdout command'
complete -c closeup -n "__closeup_at 'otp send'; and not __fish_seen_argument -l via" -l via -x -a 'stdout command' -d 'Print the code, or run CLOSEUP_SMS_COMMAND (default command when it is set, else stdout)'
complete -c closeup -n "__closeup_at 'otp send'; and not __fish_seen_argument -l force" -l force -d 'Replace a live code'
complete -c closeup -n "__closeup_expects --ttl" -x
complete -c closeup -n "__closeup_at 'otp send'; and not __fish_seen_argument -l ttl" -l ttl -x -d 'Lifetime of the code (default 300)'
complete -c closeup -n "__closeup_expects --mobile" -x
complete -c closeup -n "__closeup_at 'inspect'; and not __fish_seen_argument -l mobile" -l mobile -x -d 'A mobile number instead of users'
complete -c closeup -n "__closeup_at 'attempts'" -a get -d 'Failed verification attempts of a user'
complete -c closeup -n "__closeup_at 'attempts'" -a clear -d 'Clear failed attempts, unblocking users'
complete -c closeup -n "__closeup_at 'attempts'" -a list -d 'Users with failed attempts: who is blocked right now'
complete -c closeup -n "__closeup_at 'attempts list'; and not __fish_seen_argument -l blocked" -l blocked -d 'Only users at --max-attempts or over'
complete -c closeup -n "__closeup_expects --min" -x
complete -c closeup -n "__closeup_at 'attempts list'; and not __fish_seen_argument -l min" -l min -x -d 'Only users with at least N failed attempts (default 1)'
complete -c closeup -n "__closeup_at 'ratelimit'" -a check -d 'Count a request against a fixed-window rate limit'
complete -c closeup -n "__closeup_at 'ratelimit'" -a reset -d 'Delete a rate-limit counter'
complete -c closeup -n "__closeup_expects --max" -x
complete -c closeup -n "__closeup_at 'ratelimit check'; and not __fish_seen_argument -l max" -l max -x -d 'Requests allowed per window'
complete -c closeup -n "__closeup_expects --window" -x
complete -c closeup -n "__closeup_at 'ratelimit check'; and not __fish_seen_argument -l window" -l window -x -d 'Length of the window'
complete -c closeup -n "__closeup_at 'ratelimit check'; and not __fish_seen_argument -l peek" -l peek -d 'Report without counting'
complete -c closeup -n "__closeup_at 'pending-video'" -a get -d 'The user\'s pending video job'
complete -c closeup -n "__closeup_at 'pending-video'" -a set -d 'Cache a pending video job'
complete -c closeup -n "__closeup_at 'pending-video'" -a clear -d 'Clear pending video cache entries'
complete -c closeup -n "__closeup_expects --ttl" -x
complete -c closeup -n "__closeup_at 'pending-video set'; and not __fish_seen_argument -l ttl" -l ttl -x -d 'Lifetime of the entry (default 1800)'
complete -c closeup -n "__closeup_at 'verification'" -a get -d 'The cached verification status of a user'
complete -c closeup -n "__closeup_at 'verification'" -a set -d 'Cache a verification status'
complete -c closeup -n "__closeup_at 'verification'" -a clear -d 'Clear cached verification statuses'
complete -c closeup -n "__closeup_expects --ttl" -x
complete -c closeup -n "__closeup_at 'verification set'; and not __fish_seen_argument -l ttl" -l ttl -x -d 'Lifetime of the entry (default 3600)'
complete -c closeup -n "__closeup_at 'verification set'; and test (__closeup_argument_count) = 1" -a 'true false' -d 'true or false'
complete -c closeup -n "__closeup_at 'keys'" -a scan -d 'List (or delete) keys of closeup\'s namespaces'
complete -c closeup -n "__closeup_expects --kind" -x -a 'otp attempts verification pending-video rate-limit'
complete -c closeup -n "__closeup_at 'keys scan'" -l kind -x -a 'otp attempts verification pending-video rate-limit' -d 'Only this namespace, repeatable (default all five)'
complete -c closeup -n "__closeup_expects --match" -x
complete -c closeup -n "__closeup_at 'keys scan'; and not __fish_seen_argument -l match" -l match -x -d 'Only keys matching this Redis glob, the whole key (default every key)'
complete -c closeup -n "__closeup_expects --count" -x
complete -c closeup -n "__closeup_at 'keys scan'; and not __fish_seen_argument -l count" -l count -x -d 'SCAN COUNT hint (default 1000, at most 1000000)'
complete -c closeup -n "__closeup_expects --limit" -x
complete -c closeup -n "__closeup_at 'keys scan'; and not __fish_seen_argument -l limit" -l limit -x -d 'Stop after N keys (default no limit)'
complete -c closeup -n "__closeup_at 'keys scan'; and not __fish_seen_argument -l ttl" -l ttl -d 'Add the TTL column'
complete -c closeup -n "__closeup_at 'keys scan'; and not __fish_seen_argument -l no-expiry" -l no-expiry -d 'Only keys without a TTL (a bug signal here)'
complete -c closeup -n "__closeup_at 'keys scan'; and not __fish_seen_argument -l any-key" -l any-key -d 'Also list keys outside closeup\'s namespaces'
complete -c closeup -n "__closeup_at 'keys scan'; and not __fish_seen_argument -l null -s 0" -s 0 -l null -d 'Separate keys with NUL instead of newline'
complete -c closeup -n "__closeup_at 'keys scan'; and not __fish_seen_argument -l delete" -l delete -d 'Unlink the keys found'
complete -c closeup -n "__closeup_at 'keys scan'; and not __fish_seen_argument -l dry-run" -l dry-run -d 'With --delete: only list what would be deleted'
complete -c closeup -n "__closeup_at 'keys scan'; and not __fish_seen_argument -l yes" -l yes -d 'With --delete: do not ask'
complete -c closeup -n "__closeup_expects --user" -x
complete -c closeup -n "__closeup_at 'monitor'; and not __fish_seen_argument -l user" -l user -x -d 'Only this user\'s keys (default every user)'
complete -c closeup -n "__closeup_expects --kind" -x -a 'otp attempts verification pending-video rate-limit'
complete -c closeup -n "__closeup_at 'monitor'" -l kind -x -a 'otp attempts verification pending-video rate-limit' -d 'Only this namespace, repeatable (default all five)'
complete -c closeup -n "__closeup_expects --duration" -x
complete -c closeup -n "__closeup_at 'monitor'; and not __fish_seen_argument -l duration" -l duration -x -d 'Stop after this long (default at Ctrl-C)'
complete -c closeup -n "__closeup_at 'monitor'; and not __fish_seen_argument -l raw" -l raw -d 'Show the commands undecoded (still redacted)'
complete -c closeup -n "__closeup_expects --interval" -x
complete -c closeup -n "__closeup_at 'monitor'; and not __fish_seen_argument -l interval" -l interval -x -d 'Seconds between polls (default 1)'
complete -c closeup -n "__closeup_expects --kind" -x -a 'otp attempts verification pending-video rate-limit'
complete -c closeup -n "__closeup_at 'stats'" -l kind -x -a 'otp attempts verification pending-video rate-limit' -d 'Only this namespace, repeatable (default all five)'
complete -c closeup -n "__closeup_expects --sample" -x
complete -c closeup -n "__closeup_at 'stats'; and not __fish_seen_argument -l sample" -l sample -x -d 'Keys per namespace whose memory is measured (default 1000)'
complete -c closeup -n "__closeup_expects --since" -x
complete -c closeup -n "__closeup_at 'audit'; and not __fish_seen_argument -l since" -l since -x -d 'Only records this recent: 90s, 30m, 1h, 2d (default all)'
complete -c closeup -n "__closeup_expects --user" -x
complete -c closeup -n "__closeup_at 'audit'; and not __fish_seen_argument -l user" -l user -x -d 'Only records naming this user id (default every user)'
complete -c closeup -n "__closeup_expects --command" -x
complete -c closeup -n "__closeup_at 'audit'; and not __fish_seen_argument -l command" -l command -x -d 'Only this command, e.g. \'attempts clear\' (default every command)'
complete -c closeup -n "__closeup_expects --limit" -x
complete -c closeup -n "__closeup_at 'audit'; and not __fish_seen_argument -l limit" -l limit -x -d 'At most N records (default 50)'
complete -c closeup -n "__closeup_at 'completions'; and test (__closeup_argument_count) = 0" -a 'bash zsh fish' -d 'bash, zsh or fish'
complete -c closeup -n "__closeup_at 'help'" -a '(__closeup_help_words)' -d 'command'
complete -c closeup -n "not __fish_seen_argument -l help -s h" -s h -l help -d 'Show help for closeup or the command'
complete -c closeup -n "not __fish_seen_argument -l version" -l version -d 'Print the version and exit'
complete -c closeup -n "not __fish_seen_argument -l json" -l json -d 'One JSON object per result, one per line'
complete -c closeup -n "not __fish_seen_argument -l quiet -s q" -s q -l quiet -d 'Hide warnings (errors are always shown)'
complete -c closeup -n "__closeup_expects --color" -x -a 'auto always never'
complete -c closeup -n "not __fish_seen_argument -l color" -l color -x -a 'auto always never' -d 'auto (default: on a terminal), always or never'
complete -c closeup -n "__closeup_expects --url" -x
complete -c closeup -n "not __fish_seen_argument -l url" -l url -x -d 'Redis URL: redis://[user[:pass]@]host[:port][/db], rediss://… or unix:///path[?db=N]'
complete -c closeup -n "__closeup_expects --host" -x
complete -c closeup -n "not __fish_seen_argument -l host" -l host -x -d 'Redis host name or address (default 127.0.0.1)'
complete -c closeup -n "__closeup_expects --port" -x
complete -c closeup -n "not __fish_seen_argument -l port" -l port -x -d 'Redis port (default 6379)'
complete -c closeup -n "__closeup_expects --db" -x
complete -c closeup -n "not __fish_seen_argument -l db" -l db -x -d 'Redis database number (default 0)'
complete -c closeup -n "__closeup_expects --username" -x
complete -c closeup -n "not __fish_seen_argument -l username" -l username -x -d 'Redis ACL user name'
complete -c closeup -n "__closeup_expects --password-file" -F
complete -c closeup -n "not __fish_seen_argument -l password-file" -l password-file -r -F -d 'Read the Redis password from FILE (trailing whitespace stripped)'
complete -c closeup -n "not __fish_seen_argument -l askpass" -l askpass -d 'Prompt for the Redis password on the terminal'
complete -c closeup -n "not __fish_seen_argument -l tls" -l tls -d 'Connect to Redis over TLS'
complete -c closeup -n "__closeup_expects --cacert" -F
complete -c closeup -n "not __fish_seen_argument -l cacert" -l cacert -r -F -d 'CA certificates to verify the server with (default: system store)'
complete -c closeup -n "__closeup_expects --cert" -F
complete -c closeup -n "not __fish_seen_argument -l cert" -l cert -r -F -d 'Client certificate for mutual TLS'
complete -c closeup -n "__closeup_expects --key" -F
complete -c closeup -n "not __fish_seen_argument -l key" -l key -r -F -d 'Private key of the client certificate'
complete -c closeup -n "not __fish_seen_argument -l insecure" -l insecure -d 'Skip TLS certificate and host name verification'
complete -c closeup -n "__closeup_expects --sni" -x
complete -c closeup -n "not __fish_seen_argument -l sni" -l sni -x -d 'Send and verify NAME instead of the host'
complete -c closeup -n "not __fish_seen_argument -l cluster" -l cluster -d 'Treat Redis as a cluster from the start'
complete -c closeup -n "__closeup_expects --connect-timeout" -x
complete -c closeup -n "not __fish_seen_argument -l connect-timeout" -l connect-timeout -x -d 'Seconds to connect to Redis (default 5)'
complete -c closeup -n "__closeup_expects --timeout" -x
complete -c closeup -n "not __fish_seen_argument -l timeout" -l timeout -x -d 'Seconds to wait for each Redis reply (default 5)'
complete -c closeup -n "__closeup_expects --store" -x -a 'auto redis sqlite'
complete -c closeup -n "not __fish_seen_argument -l store" -l store -x -a 'auto redis sqlite' -d 'auto (default): Redis, else SQLite; redis; sqlite'
complete -c closeup -n "__closeup_expects --sqlite" -F
complete -c closeup -n "not __fish_seen_argument -l sqlite" -l sqlite -r -F -d 'SQLite database file (default $XDG_DATA_HOME/closeup/closeup.sqlite3)'
complete -c closeup -n "__closeup_expects --env-file" -F
complete -c closeup -n "not __fish_seen_argument -l env-file" -l env-file -r -F -d 'Read settings from FILE instead of ./.env'
complete -c closeup -n "not __fish_seen_argument -l no-env-file" -l no-env-file -d 'Do not read ./.env'
complete -c closeup -n "__closeup_expects --max-attempts" -x
complete -c closeup -n "not __fish_seen_argument -l max-attempts" -l max-attempts -x -d 'Failed verifications that block a user (default 5)'
complete -c closeup -n "__closeup_expects --reason" -x
complete -c closeup -n "not __fish_seen_argument -l reason" -l reason -x -d 'Why: kept in the audit log with the change'
