# `make bench` tools: the police.uk data generator and the timer that reports
# peak RSS (tests/bench/run.sh builds them too when run by hand).

BENCH_GEN := $(BUILD)/tests/bench/gen-policeuk
BENCH_MEASURE := $(BUILD)/tests/bench/measure

$(BENCH_GEN): tests/bench/gen_policeuk.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< -lm

$(BENCH_MEASURE): tests/bench/measure.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $<

# The XLSX writer alone, on a report model of thousands of areas built in memory.
BENCH_XLSX := $(BUILD)/tests/bench/bench-xlsx

$(BENCH_XLSX): tests/bench/bench_xlsx.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(LIB) $(PKG_LIBS)

bench: $(BENCH_GEN) $(BENCH_MEASURE) $(BENCH_XLSX)

-include $(BENCH_GEN).d $(BENCH_MEASURE).d $(BENCH_XLSX).d
