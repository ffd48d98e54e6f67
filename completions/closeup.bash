# bash completion for closeup (generated from the command table; do not edit)

# The flags that take a value at a command path: a word after one of them is its value.
# (Per path: --ttl takes a value in otp send and is a switch in keys scan.)
_closeup_value_flags() {
    case $1 in
        "") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason " ;;
        "otp") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason " ;;
        "otp send") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason --mobile --channel --via --ttl " ;;
        "otp verify") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason " ;;
        "otp ttl") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason " ;;
        "inspect") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason --mobile " ;;
        "attempts") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason " ;;
        "attempts get") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason " ;;
        "otp revoke") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason " ;;
        "attempts clear") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason " ;;
        "attempts list") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason --min " ;;
        "ratelimit") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason " ;;
        "ratelimit check") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason --max --window " ;;
        "ratelimit reset") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason " ;;
        "pending-video") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason " ;;
        "pending-video get") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason " ;;
        "pending-video set") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason --ttl " ;;
        "pending-video clear") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason " ;;
        "verification") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason " ;;
        "verification get") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason " ;;
        "verification set") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason --ttl " ;;
        "verification clear") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason " ;;
        "keys") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason " ;;
        "keys scan") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason --kind --match --count --limit " ;;
        "monitor") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason --user --kind --duration --interval " ;;
        "stats") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason --kind --sample " ;;
        "audit") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason --since --user --command --limit " ;;
        "doctor") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason " ;;
        "completions") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason " ;;
        "help") echo " --color --url --host --port --db --username --password-file --cacert --cert --key --sni --connect-timeout --timeout --store --sqlite --env-file --max-attempts --reason " ;;
    esac
}

_closeup() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local path="" word i skip=0 positional=0 arguments=""
    local -a given=()
    # bash splits "--store=auto" at "=" (COMP_WORDBREAKS): "--store" "=" "auto".
    if [[ $cur == "=" ]]; then cur=""
    elif [[ $prev == "=" ]]; then prev=${COMP_WORDS[COMP_CWORD-2]}
    elif [[ $cur == --*=* ]]; then prev=${cur%%=*}; cur=${cur#*=}
    fi
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        if ((skip)); then skip=0; continue; fi
        if [[ $word == "=" ]]; then skip=1; continue; fi
        case $word in
            --*=*) given+=("${word%%=*}"); continue ;;
            -*)
                case $word in -h) word=--help ;; -q) word=--quiet ;; -0) word=--null ;; esac
                given+=("$word")
                [[ $(_closeup_value_flags "$path") == *" $word "* ]] && skip=1
                continue ;;
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
            *) ((positional++)); arguments+="${arguments:+ }$word" ;;
        esac
    done

    case "$path:$prev" in
        *:--color) mapfile -t COMPREPLY < <(compgen -W "auto always never" -- "$cur"); return ;;
        *:--url) COMPREPLY=(); return ;;
        *:--host) COMPREPLY=(); return ;;
        *:--port) COMPREPLY=(); return ;;
        *:--db) COMPREPLY=(); return ;;
        *:--username) COMPREPLY=(); return ;;
        *:--password-file) _closeup_files; return ;;
        *:--cacert) _closeup_files; return ;;
        *:--cert) _closeup_files; return ;;
        *:--key) _closeup_files; return ;;
        *:--sni) COMPREPLY=(); return ;;
        *:--connect-timeout) COMPREPLY=(); return ;;
        *:--timeout) COMPREPLY=(); return ;;
        *:--store) mapfile -t COMPREPLY < <(compgen -W "auto redis sqlite" -- "$cur"); return ;;
        *:--sqlite) _closeup_files; return ;;
        *:--env-file) _closeup_files; return ;;
        *:--max-attempts) COMPREPLY=(); return ;;
        *:--reason) COMPREPLY=(); return ;;
        "otp send:--mobile") COMPREPLY=(); return ;;
        "otp send:--channel") mapfile -t COMPREPLY < <(compgen -W "sms whatsapp" -- "$cur"); return ;;
        "otp send:--via") mapfile -t COMPREPLY < <(compgen -W "stdout command" -- "$cur"); return ;;
        "otp send:--ttl") COMPREPLY=(); return ;;
        "inspect:--mobile") COMPREPLY=(); return ;;
        "attempts list:--min") COMPREPLY=(); return ;;
        "ratelimit check:--max") COMPREPLY=(); return ;;
        "ratelimit check:--window") COMPREPLY=(); return ;;
        "pending-video set:--ttl") COMPREPLY=(); return ;;
        "verification set:--ttl") COMPREPLY=(); return ;;
        "keys scan:--kind") mapfile -t COMPREPLY < <(compgen -W "otp attempts verification pending-video rate-limit" -- "$cur"); return ;;
        "keys scan:--match") COMPREPLY=(); return ;;
        "keys scan:--count") COMPREPLY=(); return ;;
        "keys scan:--limit") COMPREPLY=(); return ;;
        "monitor:--user") COMPREPLY=(); return ;;
        "monitor:--kind") mapfile -t COMPREPLY < <(compgen -W "otp attempts verification pending-video rate-limit" -- "$cur"); return ;;
        "monitor:--duration") COMPREPLY=(); return ;;
        "monitor:--interval") COMPREPLY=(); return ;;
        "stats:--kind") mapfile -t COMPREPLY < <(compgen -W "otp attempts verification pending-video rate-limit" -- "$cur"); return ;;
        "stats:--sample") COMPREPLY=(); return ;;
        "audit:--since") COMPREPLY=(); return ;;
        "audit:--user") COMPREPLY=(); return ;;
        "audit:--command") COMPREPLY=(); return ;;
        "audit:--limit") COMPREPLY=(); return ;;
    esac

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
            case $arguments in
                "") words="otp inspect attempts ratelimit pending-video verification keys monitor stats audit doctor completions help connection" ;;
                "otp") words="send verify ttl revoke" ;;
                "attempts") words="get clear list" ;;
                "ratelimit") words="check reset" ;;
                "pending-video") words="get set clear" ;;
                "verification") words="get set clear" ;;
                "keys") words="scan" ;;
            esac ;;
    esac
    if [[ $cur == -* ]]; then
        local flag offered="" repeatable=" --kind --kind --kind "
        for flag in $flags; do
            [[ " ${given[*]} " == *" $flag "* && $repeatable != *" $flag "* ]] || offered+=" $flag"
        done
        mapfile -t COMPREPLY < <(compgen -W "$offered" -- "$cur")
    else
        mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
    fi
}
_closeup_files() {
    if declare -F _filedir >/dev/null; then _filedir; return; fi
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}
complete -F _closeup closeup
