/* sapient.h — SAPIENT (BSI Flex 335 v1.0 and v2.0): typed messages, encoders and node state.
 *
 * SAPIENT is the UK counter-UAS sensor protocol: each edge node (radar, camera, acoustic
 * array, RF detector) sends protobuf SapientMessages over TCP, each preceded by its length as
 * 4 little-endian bytes. The codec dw_codec_sapient (codec.h) reads such streams into raw JSON
 * and dw_obs; this header is for everything around it: the typed form of the four messages
 * dronewall reads and writes (Registration, StatusReport, DetectionReport, Alert), their
 * encoders for the simulator and tests, the full encoder of the raw JSON for round trips, and
 * what the codec remembers about each node. docs/formats.md "SAPIENT" has the mappings.
 *
 * The typed structs keep SAPIENT's own numbers and units (degrees or radians, metres or
 * kilometres, as the message declares them) so that parse → encode → parse gives the same
 * struct; the conversion to SI units and WGS-84 happens only on the way to dw_obs. They are
 * plain values with fixed-size text (longer text is cut, on a UTF-8 boundary) and own no
 * memory. Enumerations are the .proto values; the DW_SAPIENT_* constants name the ones the
 * mapping to dw_obs looks at.
 *
 * Ownership: every encoder writes into the caller's [buf, end) and allocates nothing that
 * outlives the call; dw_sapient_parse and dw_sapient_encode_json use the heap for protobuf-c's
 * unpacked tree during the call only (the codec's own decode path uses a fixed arena instead).
 */
#ifndef DRONEWALL_SAPIENT_H
#define DRONEWALL_SAPIENT_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/obs.h"
#include "dronewall/status.h"

typedef enum dw_sapient_version {
    DW_SAPIENT_V1_0 = 1,        /* BSI Flex 335 v1.0 (2023) */
    DW_SAPIENT_V2_0 = 2,        /* BSI Flex 335 v2.0 (2024) */
} dw_sapient_version;

/* "1.0" / "2.0"; "?" for anything else. */
const char *dw_sapient_version_name(dw_sapient_version v);
/* Reads "2.0", "v2.0", "V2", "BSI Flex 335 v2.0", "bsi_flex_335_v2_0", "BSI_Flex_335_v2.0"
 * (and the same for 1.0). DW_ERR_INVALID (nothing written) for anything else. */
dw_status dw_sapient_version_parse(const char *s, dw_sapient_version *out);

/* Largest SapientMessage accepted, in bytes, without the 4-byte prefix: a registration of a
 * many-mode sensor is tens of kB; a length above this is taken for garbage. */
#define DW_SAPIENT_MSG_MAX (512u << 10)
/* Deepest nesting of messages accepted below the SapientMessage: the schema needs about 7 without its
 * recursive ones (SubClass, ConfigurationData); 14 leaves room for a taxonomy and keeps the raw
 * JSON (two levels per message) within dw_jw's 32. Deeper is malformed: protobuf-c recurses once
 * per level, and a hostile frame could otherwise exhaust the stack. */
#define DW_SAPIENT_DEPTH_MAX 14

#define DW_SAPIENT_ID_MAX 48    /* node ids (UUID, 36 characters), ULIDs (26); NUL included */
#define DW_SAPIENT_NAME_MAX 48  /* class names, modes, states, short names */
#define DW_SAPIENT_TEXT_MAX 128 /* names, descriptions, object_info values */
#define DW_SAPIENT_ZONE_MAX 8   /* UTM zone, e.g. "30N" */
#define DW_SAPIENT_CLASSES_MAX 32
#define DW_SAPIENT_INFO_MAX 16   /* object_info entries kept: dronewall writes up to 10 */
#define DW_SAPIENT_ASSOC_MAX 4
#define DW_SAPIENT_MODES_MAX 4

/* The .proto enumerations the obs mapping reads (values as in the .proto files). */
enum {
    DW_SAPIENT_LOC_UNSPECIFIED = 0,
    DW_SAPIENT_LOC_LAT_LNG_DEG_M = 1,   /* x = longitude, y = latitude, degrees; z metres */
    DW_SAPIENT_LOC_LAT_LNG_RAD_M = 2,   /* the same in radians                           */
    DW_SAPIENT_LOC_UTM_M = 5,           /* x = easting, y = northing, metres; zone given */
};
enum {
    DW_SAPIENT_DATUM_UNSPECIFIED = 0,
    DW_SAPIENT_DATUM_WGS84_E = 1,       /* heights above the ellipsoid */
    DW_SAPIENT_DATUM_WGS84_G = 2,       /* heights above the geoid     */
};
enum {
    DW_SAPIENT_RB_UNSPECIFIED = 0,
    DW_SAPIENT_RB_DEGREES_M = 1,
    DW_SAPIENT_RB_RADIANS_M = 2,
    DW_SAPIENT_RB_DEGREES_KM = 3,
    DW_SAPIENT_RB_RADIANS_KM = 4,
};
enum {
    DW_SAPIENT_NORTH_UNSPECIFIED = 0,
    DW_SAPIENT_NORTH_TRUE = 1,
    DW_SAPIENT_NORTH_MAGNETIC = 2,
    DW_SAPIENT_NORTH_GRID = 3,
    DW_SAPIENT_NORTH_PLATFORM = 4,      /* the heading of the platform carrying the node */
};
enum {
    DW_SAPIENT_SPEED_UNSPECIFIED = 0,
    DW_SAPIENT_SPEED_MS = 1,
    DW_SAPIENT_SPEED_KPH = 2,
};
/* Registration.NodeType (a selection; any .proto value may be used). */
enum {
    DW_SAPIENT_NODE_OTHER = 1,
    DW_SAPIENT_NODE_RADAR = 2,
    DW_SAPIENT_NODE_CAMERA = 4,
    DW_SAPIENT_NODE_ACOUSTIC = 6,
    DW_SAPIENT_NODE_PASSIVE_RF = 8,
    DW_SAPIENT_NODE_HUMAN = 9,
    DW_SAPIENT_NODE_FUSION = 20,        /* v2.0 only */
};
/* StatusReport.System and .Info. */
enum {
    DW_SAPIENT_SYSTEM_OK = 1,
    DW_SAPIENT_SYSTEM_WARNING = 2,
    DW_SAPIENT_SYSTEM_ERROR = 3,
    DW_SAPIENT_SYSTEM_GOODBYE = 5,
};
enum { DW_SAPIENT_INFO_NEW = 1, DW_SAPIENT_INFO_UNCHANGED = 2 };
/* Alert.AlertType, .AlertStatus, .DiscretePriority. */
enum {
    DW_SAPIENT_ALERT_INFORMATION = 1,
    DW_SAPIENT_ALERT_WARNING = 2,
    DW_SAPIENT_ALERT_CRITICAL = 3,
    DW_SAPIENT_ALERT_ERROR = 4,
    DW_SAPIENT_ALERT_FATAL = 5,
    DW_SAPIENT_ALERT_MODE_CHANGE = 6,
};
enum {
    DW_SAPIENT_ALERT_ACTIVE = 1,
    DW_SAPIENT_ALERT_ACKNOWLEDGE = 2,
    DW_SAPIENT_ALERT_REJECT = 3,
    DW_SAPIENT_ALERT_IGNORE = 4,
    DW_SAPIENT_ALERT_CLEAR = 5,
};
enum { DW_SAPIENT_PRIORITY_LOW = 1, DW_SAPIENT_PRIORITY_MEDIUM = 2, DW_SAPIENT_PRIORITY_HIGH = 3 };

/* Which optional numbers of a location or a range-bearing are present. */
enum {
    DW_SAPIENT_HAS_Z = 1u << 0,
    DW_SAPIENT_HAS_X_ERROR = 1u << 1,
    DW_SAPIENT_HAS_Y_ERROR = 1u << 2,
    DW_SAPIENT_HAS_Z_ERROR = 1u << 3,
    DW_SAPIENT_HAS_AZIMUTH = 1u << 4,
    DW_SAPIENT_HAS_ELEVATION = 1u << 5,
    DW_SAPIENT_HAS_RANGE = 1u << 6,
    DW_SAPIENT_HAS_AZIMUTH_ERROR = 1u << 7,
    DW_SAPIENT_HAS_ELEVATION_ERROR = 1u << 8,
    DW_SAPIENT_HAS_RANGE_ERROR = 1u << 9,
    DW_SAPIENT_HAS_XY = 1u << 10,       /* x and y themselves (mandatory, but may be missing) */
};

/* Location: x-y-z in the declared coordinate system and datum. */
typedef struct dw_sapient_location {
    uint32_t has;                       /* DW_SAPIENT_HAS_XY, _Z, _X_ERROR, _Y_ERROR, _Z_ERROR */
    double x, y, z;
    double x_error, y_error, z_error;   /* in the units of x, y, z */
    int coordinate_system;              /* DW_SAPIENT_LOC_*   */
    int datum;                          /* DW_SAPIENT_DATUM_* */
    char utm_zone[DW_SAPIENT_ZONE_MAX];
} dw_sapient_location;

/* RangeBearing: from the node's location, azimuth from the declared north. */
typedef struct dw_sapient_range_bearing {
    uint32_t has;                       /* DW_SAPIENT_HAS_AZIMUTH, _ELEVATION, _RANGE and _ERRORs */
    double azimuth, elevation, range;
    double azimuth_error, elevation_error, range_error;
    int coordinate_system;              /* DW_SAPIENT_RB_*    */
    int datum;                          /* DW_SAPIENT_NORTH_* */
} dw_sapient_range_bearing;

typedef enum dw_sapient_where {
    DW_SAPIENT_AT_NONE = 0,
    DW_SAPIENT_AT_RANGE_BEARING,
    DW_SAPIENT_AT_LOCATION,
} dw_sapient_where;

/* One node of a classification tree, flattened in pre-order: a top-level class has parent -1,
 * a sub-class the index of its parent (always smaller than its own). */
typedef struct dw_sapient_class {
    char type[DW_SAPIENT_NAME_MAX];
    int has_confidence;
    float confidence;                   /* 0..1 */
    int parent;
} dw_sapient_class;

typedef struct dw_sapient_info {        /* object_info: a type/value pair */
    char type[DW_SAPIENT_NAME_MAX];
    char value[DW_SAPIENT_TEXT_MAX];
} dw_sapient_info;

/* Every message starts with these. */
typedef struct dw_sapient_header {
    dw_sapient_version version;
    int has_time;
    int64_t t_us;                       /* SapientMessage.timestamp, µs (nanoseconds cut) */
    char node_id[DW_SAPIENT_ID_MAX];    /* "" when absent */
    char destination_id[DW_SAPIENT_ID_MAX];
} dw_sapient_header;

enum {
    DW_SAPIENT_DET_CONFIDENCE = 1u << 0,
    DW_SAPIENT_DET_VELOCITY = 1u << 1,  /* vel_east, vel_north */
    DW_SAPIENT_DET_VEL_UP = 1u << 2,
};
typedef struct dw_sapient_detection {
    char report_id[DW_SAPIENT_ID_MAX];
    char object_id[DW_SAPIENT_ID_MAX];  /* the node's track id */
    char task_id[DW_SAPIENT_ID_MAX];
    char state[DW_SAPIENT_NAME_MAX];    /* e.g. "lost" */
    dw_sapient_where where;
    dw_sapient_range_bearing rb;        /* where == DW_SAPIENT_AT_RANGE_BEARING */
    dw_sapient_location loc;            /* where == DW_SAPIENT_AT_LOCATION      */
    uint32_t has;                       /* DW_SAPIENT_DET_* */
    float detection_confidence;
    double vel_east, vel_north, vel_up; /* ENUVelocity, in the registered speed units */
    size_t n_classes;
    dw_sapient_class classes[DW_SAPIENT_CLASSES_MAX];
    size_t n_info;
    dw_sapient_info object_info[DW_SAPIENT_INFO_MAX];
    char colour[DW_SAPIENT_NAME_MAX];
    char id[DW_SAPIENT_NAME_MAX];       /* e.g. a tail number */
} dw_sapient_detection;

typedef struct dw_sapient_status {
    char report_id[DW_SAPIENT_ID_MAX];
    int system;                         /* DW_SAPIENT_SYSTEM_* */
    int info;                           /* DW_SAPIENT_INFO_*   */
    char active_task_id[DW_SAPIENT_ID_MAX];
    char mode[DW_SAPIENT_NAME_MAX];
    int has_location;
    dw_sapient_location node_location;
    int has_power_level;
    int power_level;                    /* battery 0..100 */
} dw_sapient_status;

/* What a registration says about one mode's detection reports. */
typedef struct dw_sapient_mode {
    char name[DW_SAPIENT_NAME_MAX];
    int range_bearing;                  /* 1: range/bearing from the node; 0: locations */
    int units;                          /* DW_SAPIENT_RB_* or DW_SAPIENT_LOC_*          */
    int datum;                          /* DW_SAPIENT_NORTH_* or DW_SAPIENT_DATUM_*     */
    char zone[DW_SAPIENT_ZONE_MAX];
    int speed_units;                    /* DW_SAPIENT_SPEED_*, 0 when no velocity        */
} dw_sapient_mode;

typedef struct dw_sapient_registration {
    int node_type;                      /* NodeType of the first node definition */
    char node_sub_type[DW_SAPIENT_NAME_MAX];
    char icd_version[DW_SAPIENT_NAME_MAX]; /* "" when encoding: the version's own name */
    char name[DW_SAPIENT_TEXT_MAX];
    char short_name[DW_SAPIENT_NAME_MAX];
    int has_status_interval;
    float status_interval_s;
    size_t n_modes;
    dw_sapient_mode modes[DW_SAPIENT_MODES_MAX];
    size_t n_classes;                   /* class names of the first mode's definition */
    char classes[8][DW_SAPIENT_NAME_MAX];
    char manufacturer[DW_SAPIENT_NAME_MAX]; /* v2.0 config_data */
    char model[DW_SAPIENT_NAME_MAX];
} dw_sapient_registration;

typedef struct dw_sapient_alert {
    char alert_id[DW_SAPIENT_ID_MAX];
    int alert_type;                     /* DW_SAPIENT_ALERT_* (type)     */
    int status;                         /* DW_SAPIENT_ALERT_* (status)   */
    char description[DW_SAPIENT_TEXT_MAX];
    dw_sapient_where where;
    dw_sapient_range_bearing rb;
    dw_sapient_location loc;
    char region_id[DW_SAPIENT_ID_MAX];
    int priority;                       /* DW_SAPIENT_PRIORITY_* */
    int has_ranking, has_confidence;
    float ranking, confidence;
    size_t n_assoc;                     /* associated detections */
    struct {
        char node_id[DW_SAPIENT_ID_MAX];
        char object_id[DW_SAPIENT_ID_MAX];
    } assoc[DW_SAPIENT_ASSOC_MAX];
    char additional_information[DW_SAPIENT_TEXT_MAX];
} dw_sapient_alert;

typedef enum dw_sapient_kind {
    DW_SAPIENT_OTHER = 0,               /* acks, tasks, errors: raw JSON only */
    DW_SAPIENT_REGISTRATION,
    DW_SAPIENT_STATUS_REPORT,
    DW_SAPIENT_DETECTION_REPORT,
    DW_SAPIENT_ALERT,
} dw_sapient_kind;

typedef struct dw_sapient_msg {
    dw_sapient_header hdr;
    dw_sapient_kind kind;
    union {
        dw_sapient_registration reg;
        dw_sapient_status status;
        dw_sapient_detection det;
        dw_sapient_alert alert;
    } u;
} dw_sapient_msg;

/* The next length-prefixed message in a TCP byte stream, as codec.h's frame(): *skip bytes of
 * garbage, then *frame_len bytes (the 4-byte prefix included). A frame is only reported once
 * it is whole and its first 512 bytes (all of it, when shorter) parse as the start of a
 * SapientMessage with content, of either version; anything else is skipped a byte at a time
 * until a plausible prefix lines up again. (Checking only the start keeps garbage built to
 * hold a plausible prefix every few bytes linear; decode checks the whole message.) */
dw_status dw_sapient_frame(const uint8_t *buf, size_t len, size_t *skip, size_t *frame_len);

/* One message (the bytes after the prefix) into its typed form; hint is the version to read it
 * as, or 0 to decide from its fields (docs/formats.md). DW_ERR_PARSE for bytes that are not a
 * SapientMessage with content. */
dw_status dw_sapient_parse(const uint8_t *msg, size_t len, dw_sapient_version hint,
                           dw_sapient_msg *out);

/* Encoders: one length-prefixed SapientMessage of hdr->version into [buf, end); *out_end is set
 * on DW_OK. DW_ERR_FULL when it does not fit, DW_ERR_INVALID for a bad version or kind,
 * DW_ERR_RANGE for a text longer than the struct could have held. Empty strings and clear
 * has-bits are left out of the message. */
dw_status dw_sapient_encode_registration(const dw_sapient_header *hdr,
                                         const dw_sapient_registration *r, uint8_t *buf,
                                         uint8_t *end, uint8_t **out_end);
dw_status dw_sapient_encode_status(const dw_sapient_header *hdr, const dw_sapient_status *s,
                                   uint8_t *buf, uint8_t *end, uint8_t **out_end);
dw_status dw_sapient_encode_detection(const dw_sapient_header *hdr, const dw_sapient_detection *d,
                                      uint8_t *buf, uint8_t *end, uint8_t **out_end);
dw_status dw_sapient_encode_alert(const dw_sapient_header *hdr, const dw_sapient_alert *a,
                                  uint8_t *buf, uint8_t *end, uint8_t **out_end);
/* Any of the four, by m->kind. */
dw_status dw_sapient_encode(const dw_sapient_msg *m, uint8_t *buf, uint8_t *end, uint8_t **out_end);

/* The full encoder of the raw form: one length-prefixed message from JSON text, either the
 * codec's raw JSON (snake_case keys, timestamps as RFC 3339 with *_us siblings) or protobuf's
 * JSON mapping (lowerCamelCase keys, as the Apex samples are written). Every field of the
 * schema is carried, so decode → raw JSON → this → decode gives the same JSON and bytes.
 * The version is `version`, else the JSON's "version" key, else 2.0. On DW_ERR_PARSE or
 * DW_ERR_INVALID a reason is written to err (if errlen > 0). */
dw_status dw_sapient_encode_json(const char *json, size_t len, dw_sapient_version version,
                                 uint8_t *buf, uint8_t *end, uint8_t **out_end, char *err,
                                 size_t errlen);

/* A ULID (26 characters of Crockford base32 and a NUL) for time t_us and 80 bits taken from
 * `entropy` (the high 16 bits are zero): deterministic, so a replay makes the same ids. */
void dw_sapient_ulid(int64_t t_us, uint64_t entropy, char out[27]);

/* The dw_obs sensor id of a node: node_id itself when it fits (47 bytes), else its first 47
 * bytes; a UUID (36 characters) fits whole (see docs/formats.md). */
void dw_sapient_sensor_id(const char *node_id, char out[DW_ID_MAX]);

/* The SAPIENT classification tree → dw_obs.class_score[] (every score in [0, 1]); returns the
 * number of class names that mapped to a dw_class (0: class_score untouched). */
int dw_sapient_class_scores(const dw_sapient_class *classes, size_t n, float score[DW_NCLASSES]);

/* What the codec knows about one node (from its registration and status reports). */
typedef struct dw_sapient_node {
    char node_id[DW_SAPIENT_ID_MAX];
    dw_sapient_version version;         /* as registered, else as last decoded */
    int registered;
    int node_type;
    char name[DW_SAPIENT_TEXT_MAX];
    size_t n_modes;
    dw_sapient_mode modes[DW_SAPIENT_MODES_MAX];
    char mode[DW_SAPIENT_NAME_MAX];     /* current mode from the last status report */
    int has_site;                       /* node_location of the last status report, WGS-84 */
    int has_site_alt;
    double site_lat_deg, site_lon_deg, site_alt_m;
    int64_t last_us;                    /* time of its last message */
} dw_sapient_node;

/* Look up a node in a dw_codec_sapient state (from its create). DW_ERR_NOT_FOUND if the codec
 * has not heard of it; *out is a copy. */
dw_status dw_sapient_node_get(const void *codec_state, const char *node_id, dw_sapient_node *out);

#endif
