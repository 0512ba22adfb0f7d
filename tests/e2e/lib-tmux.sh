# shellcheck shell=bash
# The private tmux server of a TUI test, shared by tests/e2e/tui*.sh: set
# SOCK (the server's name), SESSION (the session's) and TMP (the test's
# folder), and source this file.
#   tm ARGS...                        tmux on that server
#   tmux_start SESSION W H COMMAND    a detached session of W x H running
#                                     COMMAND; three tries, as a busy machine
#                                     sometimes loses a starting server
#   tmux_stop                         the server killed and its socket removed
#   tmux_cleanup                      tmux_stop, then TMP removed: the EXIT trap
#   screen                            what SESSION shows now
#   shows PATTERN, gone PATTERN       poll the screen (every 0.1 s, up to 10 s)
#                                     until PATTERN (grep -E) shows, or is gone
#   check NAME COMMAND...             "ok N - NAME" if COMMAND succeeds, else
#                                     "not ok N - NAME" and the screen
#   tap_end                           the plan line "1..N"; status 1 if any failed
# tmux leaves its socket (and a .lock beside it) in its folder when the
# server is killed, so tmux_stop removes them.

n=0
failed=0

tm() {
	tmux -L "$SOCK" "$@"
}

tmux_socket() {
	printf '%s/tmux-%s/%s' "${TMUX_TMPDIR:-/tmp}" "$(id -u)" "$SOCK"
}

tmux_stop() {
	tm kill-server >/dev/null 2>&1
	rm -f "$(tmux_socket)" "$(tmux_socket).lock"
}

tmux_start() {
	local try
	for try in 1 2 3; do
		tm -f /dev/null new-session -d -s "$1" -x "$2" -y "$3" "$4" && return 0
		# a server half started by the failed try goes before the next
		tmux_stop
		[ "$try" = 3 ] || sleep 1
	done
	return 1
}

tmux_cleanup() {
	tmux_stop
	# the shell may still be exiting in there
	rm -rf "$TMP" 2>/dev/null || { sleep 0.5; rm -rf "$TMP"; }
}

screen() {
	tm capture-pane -p -t "$SESSION"
}

shows() {
	local i
	for ((i = 0; i < 100; i++)); do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	return 1
}

gone() {
	local i
	for ((i = 0; i < 100; i++)); do
		screen | grep -Eq -- "$1" || return 0
		sleep 0.1
	done
	return 1
}

check() {
	local name=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $name"
	else
		failed=$((failed + 1))
		echo "not ok $n - $name"
		echo "# screen:"
		screen | sed 's/^/#   /'
	fi
}

tap_end() {
	echo "1..$n"
	if [ "$failed" -gt 0 ]; then
		echo "# $failed of $n failed"
		exit 1
	fi
	exit 0
}
