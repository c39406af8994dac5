/* Temporary: commands not built yet. */
#include <stdio.h>
#include "app/commands.h"
int cmd_track(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "track: not built yet\n"); return 1; }
int cmd_score(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "score: not built yet\n"); return 1; }
