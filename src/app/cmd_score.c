/* Temporary until the scoring command lands. */
#include <stdio.h>
#include "app/commands.h"
int cmd_score(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "score: not built yet\n"); return 1; }
