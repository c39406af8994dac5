/* main.c — `dronewall <command>`: the one binary's dispatcher. */
#include <stdio.h>
#include <string.h>

#include "app/commands.h"

static const struct dw_command commands[] = {
#define DW_CMD_ENTRY(name, fn, summary) {#name, fn, summary},
    DW_COMMANDS(DW_CMD_ENTRY)
#undef DW_CMD_ENTRY
};

static void usage(FILE *f)
{
    fprintf(f, "usage: dronewall <command> [options]\n\n"
               "dronewall fuses many sensors into one air picture.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'dronewall <command> --help' describes a command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("dronewall %s\n", DW_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "dronewall: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
