/* names.c — the federation's names on the bus (fed.h). */
#include <stdio.h>
#include <string.h>

#include "dronewall/fed.h"

static const char *const kind_names[] = {
#define DW_FED_KIND_STR(e, s) s,
    DW_FED_KINDS(DW_FED_KIND_STR)
#undef DW_FED_KIND_STR
};

const char *dw_fed_kind_name(dw_fed_kind k)
{
    return (unsigned)k < DW_FED_NKINDS ? kind_names[k] : "?";
}

int dw_fed_kind_parse(const char *s, dw_fed_kind *out)
{
    for (int k = 0; k < DW_FED_NKINDS; k++)
        if (strcmp(s, kind_names[k]) == 0) {
            *out = (dw_fed_kind)k;
            return 0;
        }
    return -1;
}

int dw_fed_name_ok(const char *s)
{
    size_t n = 0;
    if (!s)
        return 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return n >= 1 && n < DW_FED_NAME_MAX;
}

static dw_status put(char *buf, size_t cap, int n)
{
    return n < 0 || (size_t)n >= cap ? DW_ERR_RANGE : DW_OK;
}

dw_status dw_fed_stream_name(const char *node, const char *audience, char *buf, size_t cap)
{
    if (!dw_fed_name_ok(node) || !dw_fed_name_ok(audience))
        return DW_ERR_INVALID;
    return put(buf, cap, snprintf(buf, cap, "DW_%s_%s", node, audience));
}

dw_status dw_fed_subject(const char *node, const char *audience, dw_fed_kind kind, char *buf,
                         size_t cap)
{
    if (!dw_fed_name_ok(node) || !dw_fed_name_ok(audience) || (unsigned)kind >= DW_FED_NKINDS)
        return DW_ERR_INVALID;
    return put(buf, cap, snprintf(buf, cap, "dw.%s.%s.%s", node, audience, kind_names[kind]));
}

dw_status dw_fed_stream_subjects(const char *node, const char *audience, char *buf, size_t cap)
{
    if (!dw_fed_name_ok(node) || !dw_fed_name_ok(audience))
        return DW_ERR_INVALID;
    return put(buf, cap, snprintf(buf, cap, "dw.%s.%s.>", node, audience));
}

dw_status dw_fed_inbox_prefix(const char *node, char *buf, size_t cap)
{
    if (!dw_fed_name_ok(node))
        return DW_ERR_INVALID;
    return put(buf, cap, snprintf(buf, cap, "_INBOX_%s", node));
}
