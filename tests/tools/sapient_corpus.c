/* sapient_corpus.c — writes the seed corpus of fuzz/sapient: SAPIENT messages made by our own
 * encoders (every kind, both versions, detections in each location form), one stream of them
 * with garbage between, and their raw JSON. Rerun it when the encoders change:
 *
 *   build/tests/dw_tool_sapient_corpus fuzz/sapient/corpus
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/codec.h"
#include "dronewall/sapient.h"

static const char *dir;

static void put(const char *name, const void *data, size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
        perror(path);
        exit(1);
    }
}

static char last_raw[1 << 16];
static void on_raw(void *ctx, const char *json, size_t len)
{
    (void)ctx;
    if (len < sizeof last_raw)
        memcpy(last_raw, json, len + 1);
}

static void emit(const char *name, const dw_sapient_msg *m, uint8_t *stream, size_t *at)
{
    uint8_t buf[1 << 15], *end;
    if (dw_sapient_encode(m, buf, buf + sizeof buf, &end) != DW_OK) {
        fprintf(stderr, "%s: does not encode\n", name);
        exit(1);
    }
    size_t n = (size_t)(end - buf);
    char file[256];
    snprintf(file, sizeof file, "%s.bin", name);
    put(file, buf, n);
    memcpy(stream + *at, buf, n);
    *at += n;
    /* Its raw JSON too, for the JSON path of the fuzzer. */
    const dw_codec_ops *c = dw_codec_find("sapient");
    void *st;
    c->create(NULL, &st);
    dw_decode_sink k = {0};
    k.raw = on_raw;
    k.want_raw = 1;
    last_raw[0] = '\0';
    c->decode(st, buf, n, NULL, &k);
    c->destroy(st);
    snprintf(file, sizeof file, "%s.json", name);
    put(file, last_raw, strlen(last_raw));
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    dir = argv[1];
    static uint8_t stream[1 << 18];
    size_t at = 0;
    static dw_sapient_msg m;
    for (int v = DW_SAPIENT_V1_0; v <= DW_SAPIENT_V2_0; v++) {
        const char *vn = v == DW_SAPIENT_V1_0 ? "v1" : "v2";
        char name[64];
        memset(&m, 0, sizeof m);
        m.hdr.version = (dw_sapient_version)v;
        m.hdr.has_time = 1;
        m.hdr.t_us = 1757451000123456LL;
        strcpy(m.hdr.node_id, "b5546692-a0cc-4846-a36c-4b7098eae08e");

        m.kind = DW_SAPIENT_REGISTRATION;
        dw_sapient_registration *r = &m.u.reg;
        r->node_type = DW_SAPIENT_NODE_RADAR;
        strcpy(r->node_sub_type, "C-UAS radar");
        strcpy(r->name, "border radar");
        strcpy(r->short_name, "RAD1");
        r->has_status_interval = 1;
        r->status_interval_s = 5;
        r->n_modes = 2;
        strcpy(r->modes[0].name, "search");
        r->modes[0].range_bearing = 1;
        r->modes[0].units = DW_SAPIENT_RB_DEGREES_KM;
        r->modes[0].datum = DW_SAPIENT_NORTH_TRUE;
        r->modes[0].speed_units = DW_SAPIENT_SPEED_KPH;
        strcpy(r->modes[1].name, "utm");
        r->modes[1].units = DW_SAPIENT_LOC_UTM_M;
        r->modes[1].datum = DW_SAPIENT_DATUM_WGS84_G;
        strcpy(r->modes[1].zone, "34U");
        r->n_classes = 2;
        strcpy(r->classes[0], "UAV");
        strcpy(r->classes[1], "Bird");
        strcpy(r->manufacturer, "Acme");
        strcpy(r->model, "R1");
        snprintf(name, sizeof name, "registration_%s", vn);
        emit(name, &m, stream, &at);

        memset(&m.u, 0, sizeof m.u);
        m.kind = DW_SAPIENT_STATUS_REPORT;
        dw_sapient_status *s = &m.u.status;
        strcpy(s->report_id, "01K4PX7ZB0000000000000000D");
        s->system = DW_SAPIENT_SYSTEM_OK;
        s->info = DW_SAPIENT_INFO_NEW;
        strcpy(s->mode, "search");
        s->has_location = 1;
        s->node_location.has = DW_SAPIENT_HAS_XY | DW_SAPIENT_HAS_Z;
        s->node_location.x = 23.61;
        s->node_location.y = 51.55;
        s->node_location.z = 180;
        s->node_location.coordinate_system = DW_SAPIENT_LOC_LAT_LNG_DEG_M;
        s->node_location.datum = DW_SAPIENT_DATUM_WGS84_E;
        s->has_power_level = 1;
        s->power_level = 90;
        snprintf(name, sizeof name, "status_%s", vn);
        emit(name, &m, stream, &at);

        for (int form = 0; form < 3; form++) {
            memset(&m.u, 0, sizeof m.u);
            m.kind = DW_SAPIENT_DETECTION_REPORT;
            dw_sapient_detection *d = &m.u.det;
            dw_sapient_ulid(m.hdr.t_us, 1, d->report_id);
            dw_sapient_ulid(m.hdr.t_us, 2, d->object_id);
            if (form == 0) {
                d->where = DW_SAPIENT_AT_RANGE_BEARING;
                d->rb.has = DW_SAPIENT_HAS_AZIMUTH | DW_SAPIENT_HAS_ELEVATION | DW_SAPIENT_HAS_RANGE |
                            DW_SAPIENT_HAS_AZIMUTH_ERROR | DW_SAPIENT_HAS_RANGE_ERROR;
                d->rb.azimuth = 87.2;
                d->rb.elevation = 1.1;
                d->rb.range = 4.1;
                d->rb.azimuth_error = 0.5;
                d->rb.range_error = 0.05;
                d->rb.coordinate_system = DW_SAPIENT_RB_DEGREES_KM;
                d->rb.datum = DW_SAPIENT_NORTH_TRUE;
            } else if (form == 1) {
                d->where = DW_SAPIENT_AT_RANGE_BEARING;
                d->rb.has = DW_SAPIENT_HAS_AZIMUTH;
                d->rb.azimuth = 4.2;
                d->rb.coordinate_system = DW_SAPIENT_RB_RADIANS_M;
            } else {
                d->where = DW_SAPIENT_AT_LOCATION;
                d->loc.has = DW_SAPIENT_HAS_XY | DW_SAPIENT_HAS_Z | DW_SAPIENT_HAS_X_ERROR |
                             DW_SAPIENT_HAS_Y_ERROR | DW_SAPIENT_HAS_Z_ERROR;
                d->loc.x = 500100;
                d->loc.y = 5710000;
                d->loc.z = 850;
                d->loc.x_error = d->loc.y_error = 20;
                d->loc.z_error = 30;
                d->loc.coordinate_system = DW_SAPIENT_LOC_UTM_M;
                d->loc.datum = DW_SAPIENT_DATUM_WGS84_E;
                strcpy(d->loc.utm_zone, "34N");
            }
            d->has = DW_SAPIENT_DET_CONFIDENCE | DW_SAPIENT_DET_VELOCITY | DW_SAPIENT_DET_VEL_UP;
            d->detection_confidence = 0.9f;
            d->vel_east = -150;
            d->vel_north = 10;
            d->vel_up = 0;
            static const char *const types[] = {"Air Vehicle", "UAV", "Fixed Wing", "One-Way Attack", "Bird"};
            static const int parents[] = {-1, 0, 1, 2, -1};
            for (int i = 0; i < 5; i++) {
                strcpy(d->classes[i].type, types[i]);
                d->classes[i].has_confidence = 1;
                d->classes[i].confidence = i == 4 ? 0.1f : 0.8f;
                d->classes[i].parent = parents[i];
            }
            d->n_classes = 5;
            strcpy(d->object_info[0].type, "icao");
            strcpy(d->object_info[0].value, "48AE21");
            strcpy(d->object_info[1].type, "rcs_m2");
            strcpy(d->object_info[1].value, "0.05");
            d->n_info = 2;
            snprintf(name, sizeof name, "detection_%s_%d", vn, form);
            emit(name, &m, stream, &at);
        }

        memset(&m.u, 0, sizeof m.u);
        m.kind = DW_SAPIENT_ALERT;
        dw_sapient_alert *a = &m.u.alert;
        strcpy(a->alert_id, "01K4PX7ZB0000000000000000F");
        a->alert_type = DW_SAPIENT_ALERT_WARNING;
        a->status = DW_SAPIENT_ALERT_ACTIVE;
        strcpy(a->description, "UAV near the airfield");
        a->where = DW_SAPIENT_AT_RANGE_BEARING;
        a->rb.has = DW_SAPIENT_HAS_AZIMUTH | DW_SAPIENT_HAS_RANGE;
        a->rb.azimuth = 10;
        a->rb.range = 900;
        a->rb.coordinate_system = DW_SAPIENT_RB_DEGREES_M;
        a->priority = DW_SAPIENT_PRIORITY_HIGH;
        a->has_confidence = 1;
        a->confidence = 0.7f;
        a->n_assoc = 1;
        strcpy(a->assoc[0].node_id, m.hdr.node_id);
        dw_sapient_ulid(m.hdr.t_us, 2, a->assoc[0].object_id);
        snprintf(name, sizeof name, "alert_%s", vn);
        emit(name, &m, stream, &at);

        /* Garbage between messages in the stream. */
        static const char junk[] = "\x05\x00\x00\x00\x0agarbage\r\n";
        memcpy(stream + at, junk, sizeof junk - 1);
        at += sizeof junk - 1;
    }
    put("stream.bin", stream, at);
    return 0;
}
