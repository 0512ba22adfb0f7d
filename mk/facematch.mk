# Face-match plugins: the reference plugin (installed by `make install`), the
# deliberately broken ones the host's unit tests load, and the clustering bench.
# Plugins see only include/crimetab/facematch.h and never link libcrimetab.

FM_PLUGIN := $(BUILD)/plugins/facematch-embeddings.so
PLUGINS += $(FM_PLUGIN)

TEST_PLUGINS := $(patsubst tests/plugins/%.c,$(BUILD)/tests/plugins/%.so,$(wildcard tests/plugins/*.c))

# Only the entry symbol is exported.  The similarity kernel relies on -O3's
# complete unrolling of its lane loop to vectorise (at -O2 it runs at half
# speed), so -O2 builds get -O3 for the plugin; a debug OPT is left alone.
FM_SO_CFLAGS = $(CFLAGS_ALL) $(if $(filter -O2,$(OPT)),-O3) -fPIC -fvisibility=hidden -pthread

FME_SRC := $(wildcard src/plugins/facematch-embeddings/*.c)
FME_OBJ := $(FME_SRC:src/plugins/%.c=$(BUILD)/plugins/obj/%.o)

$(BUILD)/plugins/obj/%.o: src/plugins/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(FM_SO_CFLAGS) -c -o $@ $<

$(FM_PLUGIN): $(FME_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  PLUGIN  $@")
	$(Q)$(CC) $(FM_SO_CFLAGS) -shared $(LDFLAGS_ALL) -o $@ $^ -lcjson -lnettle -lm

# The same plugin under a later version, for the test that an upgrade
# replaces the runs of the version before it.
FM_PLUGIN_NEXT := $(BUILD)/tests/plugins/facematch-embeddings-next.so
$(FM_PLUGIN_NEXT): $(FME_SRC) src/plugins/facematch-embeddings/fme.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  PLUGIN  $@")
	$(Q)$(CC) $(FM_SO_CFLAGS) -DFME_VERSION='"1.1.1-next"' -shared $(LDFLAGS_ALL) -o $@ $(FME_SRC) -lcjson -lnettle -lm

$(BUILD)/tests/plugins/%.so: tests/plugins/%.c tests/plugins/test_plugin.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  PLUGIN  $@")
	$(Q)$(CC) $(FM_SO_CFLAGS) -shared $(LDFLAGS_ALL) -o $@ $<

# Built as a plugin of ABI 1.0 was: against the frozen 1.0 header, found
# before include/.
$(BUILD)/tests/plugins/abi10.so: tests/plugins/abi10.c tests/plugins/test_plugin.h tests/plugins/abi-1.0/crimetab/facematch.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  PLUGIN  $@")
	$(Q)$(CC) -Itests/plugins/abi-1.0 $(FM_SO_CFLAGS) -shared $(LDFLAGS_ALL) -o $@ $<

# The unit tests and end-to-end tests dlopen these at run time rather than
# linking them.
$(BUILD)/tests/test_fm_host $(BUILD)/tests/test_fm_match: | $(TEST_PLUGINS) $(FM_PLUGIN)
plugins: $(TEST_PLUGINS) $(FM_PLUGIN_NEXT)

FM_BENCH := $(BUILD)/tests/bench/bench_facematch
FM_ACCURACY := $(BUILD)/tests/bench/fm_accuracy

$(FM_BENCH) $(FM_ACCURACY): $(BUILD)/tests/bench/%: tests/bench/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< -ldl -lm

.PHONY: bench-facematch
bench-facematch: $(FM_BENCH) $(FM_ACCURACY) $(FM_PLUGIN)
	$(Q)BUILD=$(BUILD) ./tests/bench/bench-facematch.sh

-include $(FME_OBJ:.o=.d) $(TEST_PLUGINS:.so=.d) $(FM_BENCH).d $(FM_ACCURACY).d
