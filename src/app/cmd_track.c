/* Temporary until the tracker command lands. */
#include <stdio.h>
#include "app/commands.h"
int cmd_track(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "track: not built yet\n"); return 1; }
