/* The curses loop: starts and always ends curses, turns curses keys into
 * the state machine's keys, and draws after each one. */
#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "tui/tui.h"

static volatile sig_atomic_t got_signal;
static SCREEN *screen;

static void on_signal(int sig)
{
	got_signal = sig;
}

/* Leaves curses if it is on: on every way out, atexit included. */
static void curses_end(void)
{
	if (screen && !isendwin())
		endwin();
}

enum { KEY_NOTHING = -1, KEY_RESIZED = -2, KEY_MOUSED = -3 };

static int map_key(int rc, wint_t wc)
{
	if (rc == KEY_CODE_YES) {
		switch (wc) {
		case KEY_UP: return TUI_KEY_UP;
		case KEY_DOWN: return TUI_KEY_DOWN;
		case KEY_LEFT: return TUI_KEY_LEFT;
		case KEY_RIGHT: return TUI_KEY_RIGHT;
		case KEY_PPAGE: return TUI_KEY_PPAGE;
		case KEY_NPAGE: return TUI_KEY_NPAGE;
		case KEY_HOME: return TUI_KEY_HOME;
		case KEY_END: return TUI_KEY_END;
		case KEY_BTAB: return TUI_KEY_BTAB;
		case KEY_F(1): return TUI_KEY_F1;
		case KEY_BACKSPACE: return TUI_KEY_BACKSPACE;
		case KEY_ENTER: return TUI_KEY_ENTER;
		case KEY_RESIZE: return KEY_RESIZED;
		case KEY_MOUSE: return KEY_MOUSED;
		default: return KEY_NOTHING;
		}
	}
	if (wc == '\r')
		return TUI_KEY_ENTER;
	return (int)wc;
}

int tui_run(const tui_ops *ops, int month, int compare, const char *const *taxonomies, size_t ntaxonomies,
	    size_t tax)
{
	tui_state st;
	char err[512];
	/* the terminal's character set, but numbers always with a '.' (the
	 * exports written from here must match crimetab report's) */
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	/* the first report is built before the screen changes, so a failure
	 * is a plain message on a plain terminal */
	if (tui_init(&st, ops, month, compare, taxonomies, ntaxonomies, tax, err, sizeof err) != 0) {
		ct_error("%s", err);
		return CT_EDATA; /* the driver knows better, and says */
	}
	st.ascii = strcmp(nl_langinfo(CODESET), "UTF-8") != 0;

	/* installed before curses starts, so curses keeps them */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	static int registered;
	if (!registered && atexit(curses_end) == 0)
		registered = 1;

	screen = newterm(NULL, stdout, stdin);
	if (!screen) {
		const char *term = getenv("TERM");
		ct_error("cannot start the terminal (TERM=%s)", term ? term : "unset");
		tui_release(&st);
		return CT_EUSAGE;
	}
	set_term(screen);
	/* a terminal that cannot move its cursor (TERM=dumb, an editor's shell
	 * buffer) would get a stream of escape codes: refuse before drawing */
	const char *cup = tigetstr("cup");
	if (!cup || cup == (const char *)-1) {
		const char *term = getenv("TERM");
		endwin();
		delscreen(screen);
		screen = NULL;
		ct_error("tui: the terminal (TERM=%s) cannot move its cursor; run it in a terminal emulator such "
			 "as xterm, or use crimetab report",
			 term ? term : "unset");
		tui_release(&st);
		return CT_EUSAGE;
	}
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	timeout(250); /* wakes to notice a signal */
	mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0); /* a press is a click: no waiting to tell it from a double click */
	tui_draw_init();
	tui_resize(&st, COLS, LINES);

	int dirty = 1;
	while (!got_signal) {
		if (dirty)
			tui_draw(&st);
		dirty = 0;
		wint_t wc;
		int rc = get_wch(&wc);
		if (rc == ERR)
			continue;
		dirty = 1;
		int key = map_key(rc, wc);
		if (key == KEY_RESIZED) {
			tui_resize(&st, COLS, LINES);
			continue;
		}
		if (key == KEY_MOUSED) {
			MEVENT ev;
			if (getmouse(&ev) != OK || st.lay.too_small)
				continue;
			if (ev.bstate & BUTTON1_PRESSED)
				tui_handle_mouse(&st, TUI_MOUSE_CLICK, ev.y, ev.x);
			else if (ev.bstate & BUTTON4_PRESSED)
				tui_handle_mouse(&st, TUI_MOUSE_WHEEL_UP, ev.y, ev.x);
			else if (ev.bstate & BUTTON5_PRESSED)
				tui_handle_mouse(&st, TUI_MOUSE_WHEEL_DOWN, ev.y, ev.x);
			continue;
		}
		if (key == KEY_NOTHING)
			continue;
		/* a screen too small to draw on only listens for quit */
		if (st.lay.too_small && st.mode == TUI_MODE_TABLE && tui_key_request(key) != REQ_QUIT)
			continue;
		tui_action act = tui_handle_key(&st, key);
		if (act == TUI_ACT_QUIT)
			break;
		if (act == TUI_ACT_REDRAW)
			clearok(curscr, TRUE);
	}
	/* a blank screen to leave: a multiplexer that resized its alternate
	 * screen may keep some of it */
	erase();
	refresh();
	curses_end();
	delscreen(screen);
	screen = NULL;
	tui_release(&st);
	if (got_signal) {
		int sig = got_signal;
		got_signal = 0;
		return 128 + sig;
	}
	return CT_OK;
}
