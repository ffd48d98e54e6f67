#!/usr/bin/env zsh
# Prints the completions zsh offers for a command line, one per line:
#   zsh-complete.zsh FOLDER-WITH-_closeup 'closeup otp '
# It runs an interactive zsh in a pseudo-terminal, loads compinit with the
# script's folder on fpath, wraps compadd to print every match it is given,
# and presses Tab.
zmodload zsh/zpty
zpty -b completer 'zsh -f -i'
zpty -w completer "PS1=''; PS2=''; unsetopt zle_bracketed_paste; fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w completer 'compadd () { local -a __hits; builtin compadd -O __hits "$@"; (( $#__hits )) && print -rl -- "<h""it>"${^__hits}; builtin compadd "$@" }'
zpty -w completer 'zstyle ":completion:*" list-prompt ""; zstyle ":completion:*" menu no; unsetopt beep; bindkey "^I" complete-word'
zpty -w completer 'print "<ready>"'
local output="" chunk
while zpty -r -t completer chunk; do output+=$chunk; [[ $output == *"<ready>"*$'\n'* ]] && break; done
zpty -n -w completer "$2"$'\t'
# Collect until the output stops growing for half a second.
output=""
for _ in {1..40}; do
  sleep 0.05
  while zpty -r -t completer chunk; do output+=$chunk; done
done
zpty -d completer
print -r -- "$output" | tr -d '\r' | grep -o '<hit>[^[:space:]]*' | sed 's/^<hit>//' | sort -u
