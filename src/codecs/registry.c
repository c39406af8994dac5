/* registry.c — the codec table. The list comes from the build: every
 * src/codecs/codec_<name>.c defines dw_codec_<name> and is listed in the
 * generated codec_list.h as DW_CODEC(name). */
#include <string.h>

#include "dronewall/codec.h"
#include "codec_list.h"

#define DW_CODEC(n) extern const dw_codec_ops dw_codec_##n;
DW_CODEC_LIST
#undef DW_CODEC

static const dw_codec_ops *const table[] = {
#define DW_CODEC(n) &dw_codec_##n,
    DW_CODEC_LIST
#undef DW_CODEC
    NULL};

const dw_codec_ops *const *dw_codecs(void) { return table; }

const dw_codec_ops *dw_codec_find(const char *name)
{
    for (size_t i = 0; table[i]; i++)
        if (!strcmp(table[i]->name, name))
            return table[i];
    return NULL;
}

const dw_codec_ops *dw_codec_detect(const uint8_t *buf, size_t len, const dw_frame_meta *meta)
{
    const dw_codec_ops *best = NULL;
    int best_score = 49;
    for (size_t i = 0; table[i]; i++) {
        if (!table[i]->detect)
            continue;
        int s = table[i]->detect(buf, len, meta);
        if (s > best_score) {
            best_score = s;
            best = table[i];
        }
    }
    return best;
}
