#!/bin/bash
# The TUI leaves when its terminal goes away, even when no SIGHUP reaches it
# (it runs in a session of its own on a terminal it does not control): its
# input then fails at once, and it must not spin on that for ever.
. tests/e2e/lib.sh
DB=$T/db
"$BIN" import -q --db "$DB" --mapping cleveland-force-export sample-data/force >/dev/null 2>&1
check_eq "a database to browse" 0 $?

python3 - "$BIN" "$DB" >"$T/out" 2>&1 <<'PY'
import fcntl, os, pty, select, struct, subprocess, sys, termios, time
master, slave = pty.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
env = dict(os.environ, TERM="xterm", LANG="C.UTF-8")
p = subprocess.Popen([sys.argv[1], "tui", "--db", sys.argv[2]], stdin=slave, stdout=slave, stderr=slave,
                     env=env, start_new_session=True)
os.close(slave)
# wait until it has drawn something, so it is in its key loop
deadline = time.time() + 20
seen = b""
while time.time() < deadline and b"September 2024" not in seen:
    r, _, _ = select.select([master], [], [], 0.5)
    if r:
        try:
            seen += os.read(master, 65536)
        except OSError:
            break
print("drawn" if b"September 2024" in seen else "never drew")
os.close(master)  # the terminal goes away; nobody sends SIGHUP
try:
    rc = p.wait(timeout=10)
    print("exited", rc)
except subprocess.TimeoutExpired:
    p.kill()
    p.wait()
    print("still running after 10 s")
PY
check_grep "the TUI drew its table" "^drawn" "$T/out"
check_grep "with its terminal gone, the TUI exits (status 129, as for a hangup)" "^exited 129" "$T/out"
finish
