#include "cli/cli.h"
#include "core/util.h"
int cmd_report(int argc, char **argv) { (void)argc; (void)argv; ct_error("report: not built yet"); return 1; }
int cmd_tui(int argc, char **argv) { (void)argc; (void)argv; ct_error("tui: not built yet"); return 1; }
int cmd_facematch(int argc, char **argv) { (void)argc; (void)argv; ct_error("facematch: not built yet"); return 1; }
