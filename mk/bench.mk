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

bench: $(BENCH_GEN) $(BENCH_MEASURE)

-include $(BENCH_GEN).d $(BENCH_MEASURE).d
