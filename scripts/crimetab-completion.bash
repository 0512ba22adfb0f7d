# bash completion for crimetab, installed by `make install` as
# PREFIX/share/bash-completion/completions/crimetab.  Commands and options
# are read from crimetab's own --help, template and plugin names from
# `crimetab templates`, so the completion always matches the binary.

_crimetab_words() { # the long options in `crimetab [CMD] --help`
	"$1" ${2:+"$2"} --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u
}

_crimetab_commands() {
	"$1" --help 2>/dev/null | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p'
}

_crimetab_names() { # template or plugin names of one kind
	"$1" templates 2>/dev/null | awk -F '\t' -v k="$2" 'NR > 1 && $1 == k { print $2 }'
}

# COMPREPLY: the names of KIND that start with $cur, and files (for a path);
# uses _crimetab's bin and cur.
_crimetab_names_or_files() {
	mapfile -t COMPREPLY < <(compgen -W "$(_crimetab_names "$bin" "$1")" -- "$cur"; compgen -f -- "$cur")
}

_crimetab() {
	local cur prev bin cmd i w
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	bin=${COMP_WORDS[0]}
	COMPREPLY=()
	# the command: the first word that is neither an option nor an option's value
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--db | -C | --directory) ((i++)) ;;
		-*) ;;
		*) cmd=$w; break ;;
		esac
	done
	case $prev in
	--db | --md | --xlsx | --csv | --json)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return ;;
	-C | --directory)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return ;;
	--taxonomy) _crimetab_names_or_files taxonomy; return ;;
	--mapping) _crimetab_names_or_files 'column mapping'; return ;;
	--plugin) _crimetab_names_or_files plugin; return ;;
	--config)
		if [ "$cmd" = facematch ]; then
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		else
			_crimetab_names_or_files 'report config'
		fi
		return ;;
	--compare)
		mapfile -t COMPREPLY < <(compgen -W "yoy previous" -- "$cur")
		return ;;
	--dataset)
		mapfile -t COMPREPLY < <(compgen -W "force street" -- "$cur")
		return ;;
	--xlsx-layout)
		mapfile -t COMPREPLY < <(compgen -W "auto sheets long" -- "$cur")
		return ;;
	--significance)
		mapfile -t COMPREPLY < <(compgen -W "e-test z none" -- "$cur")
		return ;;
	--highlights-template) _crimetab_names_or_files 'Highlights wording'; return ;;
	--month | --from | --to | --area | --source) return ;;
	--treated | --control | --treated-buffer | --control-buffer | --start | --pre | --post | --skip | \
		--buffer | --category | --alpha | --highlight) return ;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_crimetab_words "$bin" "$cmd")" -- "$cur")
		return
	fi
	case $cmd in
	"") mapfile -t COMPREPLY < <(compgen -W "$(_crimetab_commands "$bin")" -- "$cur") ;;
	help) mapfile -t COMPREPLY < <(compgen -W "$(_crimetab_commands "$bin")" -- "$cur") ;;
	areas)
		if [ "$prev" = areas ]; then
			mapfile -t COMPREPLY < <(compgen -W "load list remove" -- "$cur")
		else
			_crimetab_names_or_files 'areas file'
		fi ;;
	facematch) mapfile -t COMPREPLY < <(compgen -W "run list" -- "$cur") ;;
	templates)
		if [ "$prev" = show ]; then
			mapfile -t COMPREPLY < <(compgen -W "$("$bin" templates 2>/dev/null | awk -F '\t' 'NR > 1 && $1 != "plugin" { print $2 }')" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "show" -- "$cur")
		fi ;;
	*) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	esac
}
complete -o filenames -F _crimetab crimetab
