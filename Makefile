# crimetab — build, test, bench, install.  `make V=1` shows full commands.

CC       ?= cc
PKGS     := sqlite3 libcjson xlsxwriter ncursesw nettle libzip proj shapelib
BUILD    ?= build
PREFIX   ?= /usr/local
SAN      ?=

WARN     := -Wall -Wextra -Werror -Wstrict-prototypes -Wwrite-strings \
            -Wformat-security -Wvla -Wshadow -Wno-unused-parameter
CSTD     := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
OPT      ?= -O2 -g

# PKG_CFLAGS and PKG_LIBS come from $(BUILD)/config.mk, which make writes
# (after scripts/install-deps.sh has installed what is missing) before it
# reads it: GNU make remakes an included makefile first and starts again.
# pkg-config therefore runs when the packages are there, never at parse time
# on a machine that does not have them yet.  Delete the file to look again.
CONFIG_MK := $(BUILD)/config.mk

CFLAGS_ALL  = $(CSTD) $(OPT) $(WARN) $(SAN) -Isrc -Iinclude -I$(BUILD)/gen $(PKG_CFLAGS) -MMD -MP $(CFLAGS)
LDFLAGS_ALL = $(SAN) $(LDFLAGS)

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRC  := $(filter-out src/main.c,$(wildcard src/*/*.c)) $(wildcard src/tui/*/*.c)
LIB_SRC  := $(filter-out src/plugins/%,$(LIB_SRC))
GEN_SRC  := $(BUILD)/gen/embedded.c
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/embedded.o
LIB      := $(BUILD)/libcrimetab.a
BIN      := $(BUILD)/crimetab

EMBED_FILES := $(sort $(wildcard sql/*.sql)) $(sort $(wildcard templates/*/*.json)) \
               $(sort $(wildcard templates/*/*.geojson))

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)

.PHONY: all deps demo test check-asan fuzz bench install uninstall clean lint plugins

all: $(BIN) plugins

deps:
	$(Q)./scripts/install-deps.sh

# Debian's libcsv ships no .pc file: plain -lcsv.  A missing package stops
# the build here, with pkg-config's message, rather than at a compile error.
$(CONFIG_MK): scripts/install-deps.sh Makefile
	@mkdir -p $(dir $@)
	$(Q)./scripts/install-deps.sh
	$(Q)cflags=$$(pkg-config --cflags $(PKGS)) && libs=$$(pkg-config --libs $(PKGS)) && \
		printf '# written by make from pkg-config: delete to look again\nPKG_CFLAGS := %s\nPKG_LIBS := %s -lcsv -lm -ldl\n' \
		"$$cflags" "$$libs" >$@.tmp && mv $@.tmp $@

# Every goal but these needs the flags.
NO_CONFIG_GOALS := clean uninstall
ifneq ($(if $(MAKECMDGOALS),$(filter-out $(NO_CONFIG_GOALS),$(MAKECMDGOALS)),all),)
include $(CONFIG_MK)
endif

$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=c11 -O1 -Wall -Wextra -Werror -o $@ $<

$(GEN_SRC): $(BUILD)/tools/embed $(EMBED_FILES)
	@mkdir -p $(dir $@)
	$(Q)$(BUILD)/tools/embed $@ $(EMBED_FILES)

$(BUILD)/gen/embedded.o: $(GEN_SRC)
	$(Q)$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(BUILD)/src/main.o $(LIB)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST-CC $<")
	$(Q)$(CC) $(CFLAGS_ALL) -Itests/unit $(LDFLAGS_ALL) -o $@ $< $(LIB) $(PKG_LIBS) -lcmocka

PLUGINS :=
-include mk/*.mk

plugins: $(PLUGINS)

demo: all
	$(Q)./scripts/demo.sh $(BIN)

test: all $(UNIT_BIN)
	$(Q)BUILD=$(BUILD) ./tests/run.sh

# The whole test suite again, built with AddressSanitizer + UBSan in build-asan/.
check-asan:
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" test

fuzz: $(CONFIG_MK)
	$(Q)./tests/fuzz/run.sh $(FUZZ_SRC)

bench: all
	$(Q)./tests/bench/run.sh $(BIN)

lint:
	$(Q)cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--suppress=missingIncludeSystem -Isrc -Iinclude src include
	$(Q)clang-tidy --quiet $(LIB_SRC) src/main.c -- $(CSTD) -Isrc -Iinclude -I$(BUILD)/gen $(PKG_CFLAGS)

# The installed layout.  The binary finds its plugins by name in
# BINDIR/../lib/crimetab/plugins, so the two keep this relation (any PREFIX,
# and a DESTDIR staging tree, work); templates are compiled in, none is
# installed.  `make uninstall` removes exactly what `make install` put there.
BINDIR      = $(PREFIX)/bin
PLUGINDIR   = $(PREFIX)/lib/crimetab/plugins
INCLUDEDIR  = $(PREFIX)/include/crimetab
MAN1DIR     = $(PREFIX)/share/man/man1
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
HEADERS     := $(wildcard include/crimetab/*.h)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PLUGINDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(MAN1DIR) \
		$(DESTDIR)$(BASHCOMPDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/crimetab
	install -m 755 $(PLUGINS) $(DESTDIR)$(PLUGINDIR)/
	install -m 644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 docs/crimetab.1 $(DESTDIR)$(MAN1DIR)/crimetab.1
	install -m 644 scripts/crimetab-completion.bash $(DESTDIR)$(BASHCOMPDIR)/crimetab

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/crimetab $(addprefix $(DESTDIR)$(PLUGINDIR)/,$(notdir $(PLUGINS))) \
		$(addprefix $(DESTDIR)$(INCLUDEDIR)/,$(notdir $(HEADERS))) $(DESTDIR)$(MAN1DIR)/crimetab.1 \
		$(DESTDIR)$(BASHCOMPDIR)/crimetab
	-rmdir $(DESTDIR)$(PLUGINDIR) $(DESTDIR)$(PREFIX)/lib/crimetab $(DESTDIR)$(INCLUDEDIR) 2>/dev/null

clean:
	rm -rf build build-asan

-include $(LIB_OBJ:.o=.d) $(BUILD)/src/main.d $(UNIT_BIN:=.d)
