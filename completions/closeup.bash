# bash completion for closeup (generated from the command table; do not edit)
_closeup() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local path="" word i skip=0 positional=0
    local -a given=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        if ((skip)); then skip=0; continue; fi
        case $word in
            --color|--url|--host|--port|--db|--username|--password-file|--cacert|--cert|--key|--sni|--connect-timeout|--timeout|--store|--sqlite|--env-file|--max-attempts|--reason|--mobile|--channel|--via|--ttl|--min|--max|--window|--kind|--match|--count|--limit|--user|--duration|--interval|--sample|--since|--command) skip=1; given+=("$word"); continue ;;
            --*=*) given+=("${word%%=*}"); continue ;;
            -*) given+=("$word"); continue ;;
        esac
        case "$path/$word" in
            "/otp") path="otp" ;;
            "otp/send") path="otp send" ;;
            "otp/verify") path="otp verify" ;;
            "otp/ttl") path="otp ttl" ;;
            "/inspect") path="inspect" ;;
            "/attempts") path="attempts" ;;
            "attempts/get") path="attempts get" ;;
            "otp/revoke") path="otp revoke" ;;
            "attempts/clear") path="attempts clear" ;;
            "attempts/list") path="attempts list" ;;
            "/ratelimit") path="ratelimit" ;;
            "ratelimit/check") path="ratelimit check" ;;
            "ratelimit/reset") path="ratelimit reset" ;;
            "/pending-video") path="pending-video" ;;
            "pending-video/get") path="pending-video get" ;;
            "pending-video/set") path="pending-video set" ;;
            "pending-video/clear") path="pending-video clear" ;;
            "/verification") path="verification" ;;
            "verification/get") path="verification get" ;;
            "verification/set") path="verification set" ;;
            "verification/clear") path="verification clear" ;;
            "/keys") path="keys" ;;
            "keys/scan") path="keys scan" ;;
            "/monitor") path="monitor" ;;
            "/stats") path="stats" ;;
            "/audit") path="audit" ;;
            "/doctor") path="doctor" ;;
            "/completions") path="completions" ;;
            "/help") path="help" ;;
            *) ((positional++)) ;;
        esac
    done

    case "$path:$prev" in
        *:--color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
        *:--url) COMPREPLY=(); return ;;
        *:--host) COMPREPLY=(); return ;;
        *:--port) COMPREPLY=(); return ;;
        *:--db) COMPREPLY=(); return ;;
        *:--username) COMPREPLY=(); return ;;
        *:--password-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        *:--cacert) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        *:--cert) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        *:--key) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        *:--sni) COMPREPLY=(); return ;;
        *:--connect-timeout) COMPREPLY=(); return ;;
        *:--timeout) COMPREPLY=(); return ;;
        *:--store) COMPREPLY=($(compgen -W "auto redis sqlite" -- "$cur")); return ;;
        *:--sqlite) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        *:--env-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        *:--max-attempts) COMPREPLY=(); return ;;
        *:--reason) COMPREPLY=(); return ;;
        "otp send:--mobile") COMPREPLY=(); return ;;
        "otp send:--channel") COMPREPLY=($(compgen -W "sms whatsapp" -- "$cur")); return ;;
        "otp send:--via") COMPREPLY=($(compgen -W "stdout command" -- "$cur")); return ;;
        "otp send:--ttl") COMPREPLY=(); return ;;
        "inspect:--mobile") COMPREPLY=(); return ;;
        "attempts list:--min") COMPREPLY=(); return ;;
        "ratelimit check:--max") COMPREPLY=(); return ;;
        "ratelimit check:--window") COMPREPLY=(); return ;;
        "pending-video set:--ttl") COMPREPLY=(); return ;;
        "verification set:--ttl") COMPREPLY=(); return ;;
        "keys scan:--kind") COMPREPLY=($(compgen -W "otp attempts verification pending-video rate-limit" -- "$cur")); return ;;
        "keys scan:--match") COMPREPLY=(); return ;;
        "keys scan:--count") COMPREPLY=(); return ;;
        "keys scan:--limit") COMPREPLY=(); return ;;
        "monitor:--user") COMPREPLY=(); return ;;
        "monitor:--kind") COMPREPLY=($(compgen -W "otp attempts verification pending-video rate-limit" -- "$cur")); return ;;
        "monitor:--duration") COMPREPLY=(); return ;;
        "monitor:--interval") COMPREPLY=(); return ;;
        "stats:--kind") COMPREPLY=($(compgen -W "otp attempts verification pending-video rate-limit" -- "$cur")); return ;;
        "stats:--sample") COMPREPLY=(); return ;;
        "audit:--since") COMPREPLY=(); return ;;
        "audit:--user") COMPREPLY=(); return ;;
        "audit:--command") COMPREPLY=(); return ;;
        "audit:--limit") COMPREPLY=(); return ;;
    esac
    if [[ $cur == --*=* ]]; then return; fi

    local words="" flags=""
    case "$path" in
        "") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason"; words="otp inspect attempts ratelimit pending-video verification keys monitor stats audit doctor completions help" ;;
        "otp") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason"; words="send verify ttl revoke" ;;
        "otp send") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason --mobile --channel --via --force --ttl"
            case $positional in
            esac ;;
        "otp verify") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason"
            case $positional in
            esac ;;
        "otp ttl") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason"
            case $positional in
            esac ;;
        "inspect") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason --mobile"
            case $positional in
            esac ;;
        "attempts") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason"; words="get clear list" ;;
        "attempts get") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason"
            case $positional in
            esac ;;
        "otp revoke") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason"
            case $positional in
            esac ;;
        "attempts clear") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason"
            case $positional in
            esac ;;
        "attempts list") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason --blocked --min"
            case $positional in
            esac ;;
        "ratelimit") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason"; words="check reset" ;;
        "ratelimit check") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason --max --window --peek"
            case $positional in
            esac ;;
        "ratelimit reset") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason"
            case $positional in
            esac ;;
        "pending-video") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason"; words="get set clear" ;;
        "pending-video get") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason"
            case $positional in
            esac ;;
        "pending-video set") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason --ttl"
            case $positional in
            esac ;;
        "pending-video clear") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason"
            case $positional in
            esac ;;
        "verification") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason"; words="get set clear" ;;
        "verification get") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason"
            case $positional in
            esac ;;
        "verification set") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason --ttl"
            case $positional in
                1) words="true false" ;;
            esac ;;
        "verification clear") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason"
            case $positional in
            esac ;;
        "keys") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason"; words="scan" ;;
        "keys scan") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason --kind --match --count --limit --ttl --no-expiry --any-key --null --delete --dry-run --yes"
            case $positional in
            esac ;;
        "monitor") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason --user --kind --duration --raw --interval"
            case $positional in
            esac ;;
        "stats") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason --kind --sample"
            case $positional in
            esac ;;
        "audit") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason --since --user --command --limit"
            case $positional in
            esac ;;
        "doctor") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason"
            case $positional in
            esac ;;
        "completions") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason"
            case $positional in
                0) words="bash zsh fish" ;;
            esac ;;
        "help") flags="--help --version --json --quiet --color --url --host --port --db --username --password-file --askpass --tls --cacert --cert --key --insecure --sni --cluster --connect-timeout --timeout --store --sqlite --env-file --no-env-file --max-attempts --reason"
            case $positional in
                *) words="otp inspect attempts ratelimit pending-video verification keys monitor stats audit doctor completions help" ;;
            esac ;;
    esac
    if [[ $cur == -* ]]; then
        local flag offered="" repeatable=" --kind --kind --kind "
        for flag in $flags; do
            [[ " ${given[*]} " == *" $flag "* && $repeatable != *" $flag "* ]] || offered+=" $flag"
        done
        COMPREPLY=($(compgen -W "$offered" -- "$cur"))
    else
        COMPREPLY=($(compgen -W "$words" -- "$cur"))
    fi
}
complete -F _closeup closeup
