# The private tmux server of a TUI test, shared by tests/e2e/tui*.sh: set
# SOCK (the server's name) and source this file.
#   tm ARGS...                        tmux on that server
#   tmux_start SESSION W H COMMAND    a detached session of W x H running
#                                     COMMAND; three tries, as a busy machine
#                                     sometimes loses a starting server
#   tmux_stop                         the server killed and its socket removed
# tmux leaves its socket (and a .lock beside it) in its folder when the
# server is killed, so tmux_stop removes them: call it from the EXIT trap.

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
