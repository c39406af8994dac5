#include "harness.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/track2d.h"

static const char *scn10(void) { return dw_test_shared("bench/track2d/scenario_N10_s1.csv"); }

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}


static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char p[1024];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        remove(p);
    }
    closedir(d);
    remove(dir);
}

static void reads_shipped_scenario(void **state)
{
    (void)state;
    dw_t2d_scenario sc;
    char err[512] = "";
    dw_status st = dw_t2d_read_scenario(scn10(), DW_T2D_MEAS | DW_T2D_TRUTH | DW_T2D_ORIGIN,
                                        &sc, err, sizeof err);
    if (st != DW_OK)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(st, DW_OK);
    assert_int_equal(sc.params.n_targets, 10);
    assert_int_equal(sc.params.n_scans, 100);
    assert_int_equal((int)sc.params.seed, 1);
    assert_near(sc.params.q, 0.05, 0);
    assert_near(sc.params.clutter_rate, 17.347698176836207, 0);
    assert_near(sc.params.box_xmin, -480.65745842756485, 0);
    assert_near(sc.params.spacing, 100, 0);
    assert_int_equal((int)sc.n_meas, 2713);         /* the README's count */
    assert_int_equal((int)sc.n_truth, 1000);
    assert_int_equal(sc.scan_start[0], 0);
    assert_int_equal(sc.scan_start[100], 2713);
    assert_int_equal(sc.truth_start[100], 1000);
    int clutter = 0;
    for (int k = 0; k < 100; k++) {
        assert_int_equal(sc.truth_start[k], 10 * k);
        for (int m = sc.scan_start[k]; m < sc.scan_start[k + 1]; m++) {
            assert_int_equal(sc.meas[m].scan, k);
            clutter += sc.origin[m] < 0;
        }
    }
    assert_int_equal(clutter, 1800);
    /* First rows of the file. */
    assert_int_equal(sc.truth[0].id, 0);
    assert_near(sc.meas[0].t, 0.0, 0);

    /* What a tracker asks for: measurements and nothing that tells origin. */
    dw_t2d_scenario m;
    assert_int_equal(dw_t2d_read_scenario(scn10(), DW_T2D_MEAS, &m, err, sizeof err), DW_OK);
    assert_null(m.origin);
    assert_null(m.truth);
    assert_int_equal((int)m.n_truth, 0);
    assert_int_equal((int)m.n_meas, 2713);
    for (size_t i = 0; i < sc.n_meas; i++) {
        assert_int_equal(m.meas[i].scan, sc.meas[i].scan);
        const double got[3] = {m.meas[i].t, m.meas[i].zx, m.meas[i].zy};
        const double want[3] = {sc.meas[i].t, sc.meas[i].zx, sc.meas[i].zy};
        assert_memory_equal(got, want, sizeof got);
    }
    assert_memory_equal(m.scan_start, sc.scan_start, 101 * sizeof *sc.scan_start);
    dw_t2d_scenario_free(&m);
    dw_t2d_scenario_free(&sc);
    dw_t2d_scenario_free(&sc);  /* zeroed: harmless */
    dw_t2d_scenario_free(NULL);
}

static const char good_header[] =
    "# format=dronewall-scn-1\n# seed=1\n# n_targets=2\n# n_scans=3\n# dt=1.0\n# q=0.05\n"
    "# sigma_z=1.0\n# sigma_v=1.0\n# pd=0.9\n# clutter_density=2e-05\n# clutter_rate=1.5\n"
    "# box_xmin=-10\n# box_xmax=10\n# box_ymin=-10\n# box_ymax=10\n# spacing=100.0\n"
    "rec,scan,t,id,a,b,c,d,origin\n";                                   /* line 17 */

struct bad_case {
    const char *body;       /* after good_header, or a whole file if header == 0 */
    int header;
    unsigned what;
    int line;
    dw_status st;
    const char *reason;     /* a fragment of the message */
};

static void bad_scenario_lines_name_path_and_line(void **state)
{
    (void)state;
    const char *dir = dw_test_tmpdir();
    assert_non_null(dir);
    char path[512];
    snprintf(path, sizeof path, "%s/bad.csv", dir);
    const unsigned all = DW_T2D_MEAS | DW_T2D_TRUTH | DW_T2D_ORIGIN;
    static const struct bad_case cases[] = {
        {"T,0,0.0,0,1,2,3,4,\nX,0,0.0,1,1,2,3,4,\n", 1, DW_T2D_MEAS, 19, DW_ERR_PARSE, "record type"},
        {"T,0,0.0,0,1,2,3,4\n", 1, DW_T2D_TRUTH, 18, DW_ERR_PARSE, "fewer than 9"},
        {"T,0,0.0,0,1,2,3,4,,\n", 1, DW_T2D_TRUTH, 18, DW_ERR_PARSE, "more than 9"},
        {"T,3,0.0,0,1,2,3,4,\n", 1, DW_T2D_TRUTH, 18, DW_ERR_PARSE, "scan '3'"},
        {"T,1,1.0,0,1,2,3,4,\nT,0,0.0,0,1,2,3,4,\n", 1, DW_T2D_MEAS, 19, DW_ERR_PARSE, "sorted"},
        {"M,0,0.0,0,1,2,,,0\nT,0,0.0,0,1,2,3,4,\n", 1, DW_T2D_MEAS, 19, DW_ERR_PARSE, "T row after"},
        {"T,0,0.0,0,1,zz,3,4,\n", 1, DW_T2D_TRUTH, 18, DW_ERR_PARSE, "finite"},
        {"T,0,0.0,0,1,nan,3,4,\n", 1, DW_T2D_TRUTH, 18, DW_ERR_PARSE, "finite"},
        {"T,0,0.0,2,1,2,3,4,\n", 1, DW_T2D_TRUTH, 18, DW_ERR_PARSE, "truth id"},
        {"T,0,0.0,0,1,2,3,4,5\n", 1, DW_T2D_TRUTH, 18, DW_ERR_PARSE, "origin must be empty"},
        {"M,0,0.0,0,1,2,3,,0\n", 1, DW_T2D_MEAS, 18, DW_ERR_PARSE, "c and d"},
        {"M,0,0.0,0,1,2,,,7\n", 1, all, 18, DW_ERR_PARSE, "origin '7'"},
        {"M,0,0.0,0,1,2,,,-2\n", 1, all, 18, DW_ERR_PARSE, "origin '-2'"},
        {"M,0,x,0,1,2,,,0\n", 1, DW_T2D_MEAS, 18, DW_ERR_PARSE, "time"},
        {"# format=dronewall-trk-1\n", 0, DW_T2D_MEAS, 1, DW_ERR_PARSE, "format"},
        {"# format=dronewall-scn-1\n# seed=1\nrec,scan,t,id,a,b,c,d,origin\n", 0, DW_T2D_MEAS, 3,
         DW_ERR_PARSE, "missing header key 'n_targets'"},
        {"# format=dronewall-scn-1\n# n_scans=ten\n", 0, DW_T2D_MEAS, 2, DW_ERR_PARSE, "n_scans"},
        {"# format=dronewall-scn-1\nscan,t\n", 0, DW_T2D_MEAS, 2, DW_ERR_PARSE, "column line"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct bad_case *bc = &cases[i];
        char text[2048];
        snprintf(text, sizeof text, "%s%s", bc->header ? good_header : "", bc->body);
        write_file(path, text);
        dw_t2d_scenario sc;
        memset(&sc, 0x77, sizeof sc);
        dw_t2d_scenario keep = sc;
        char err[512] = "";
        dw_status st = dw_t2d_read_scenario(path, bc->what, &sc, err, sizeof err);
        char want[600];
        snprintf(want, sizeof want, "%s:%d: ", path, bc->line);
        if (st != bc->st || strncmp(err, want, strlen(want)) || !strstr(err, bc->reason))
            fprintf(stderr, "case %zu: status %s, err '%s'\n", i, dw_status_name(st), err);
        assert_int_equal(st, bc->st);
        assert_memory_equal(err, want, strlen(want));
        assert_non_null(strstr(err, bc->reason));
        assert_memory_equal(&sc, &keep, sizeof sc);
    }

    /* Without DW_T2D_ORIGIN the origin column is not even looked at, and
     * truth rows are not parsed when only measurements are asked for. */
    char text[2048];
    snprintf(text, sizeof text, "%sT,0,0.0,0,1,zz,3,4,\nM,0,0.0,0,1,2,,,whatever\n", good_header);
    write_file(path, text);
    dw_t2d_scenario sc;
    char err[512] = "";
    assert_int_equal(dw_t2d_read_scenario(path, DW_T2D_MEAS, &sc, err, sizeof err), DW_OK);
    assert_int_equal((int)sc.n_meas, 1);
    assert_int_equal(sc.scan_start[1], 1);
    assert_int_equal(sc.scan_start[3], 1);
    dw_t2d_scenario_free(&sc);

    /* A missing file says so, with the path. */
    snprintf(path, sizeof path, "%s/none.csv", dir);
    assert_int_equal(dw_t2d_read_scenario(path, DW_T2D_MEAS, &sc, err, sizeof err), DW_ERR_IO);
    assert_memory_equal(err, path, strlen(path));
    remove_dir(dir);
}

static void tracks_round_trip_through_writer(void **state)
{
    (void)state;
    const char *dir = dw_test_tmpdir();
    assert_non_null(dir);
    char path[512];
    snprintf(path, sizeof path, "%s/tracks.csv", dir);
    FILE *f = NULL;
    assert_int_equal(dw_t2d_tracks_writer_open(path, "dronewall gnn", "scenario_N10_s1.csv", &f),
                     DW_OK);
    assert_non_null(f);
    enum { N = 500 };
    static dw_t2d_track_row rows[N];
    srand(9);
    for (int i = 0; i < N; i++) {
        rows[i] = (dw_t2d_track_row){i / 5, (i / 5) * 0.1, 1LL << 40 | i,
                                     (rand() - RAND_MAX / 2) / 3.0e3, 1.0 / (i + 3),
                                     -exp(i * 0.01) * M_PI, 1e-300 * i};
        dw_t2d_tracks_write_row(f, &rows[i]);
    }
    /* Nothing under the final name until the writer is closed. */
    FILE *probe = fopen(path, "r");
    assert_null(probe);
    assert_int_equal(dw_t2d_tracks_writer_close(f), DW_OK);
    assert_int_equal(count_entries(dir), 1);

    size_t len;
    char *text = dw_test_read_file(path, &len);
    const char *head = "# format=dronewall-trk-1\n# tracker=dronewall gnn\n"
                       "# scenario=scenario_N10_s1.csv\nscan,t,track_id,x,vx,y,vy\n";
    assert_memory_equal(text, head, strlen(head));
    free(text);

    dw_t2d_track_row *back = NULL;
    size_t n = 0;
    char err[512] = "";
    assert_int_equal(dw_t2d_read_tracks(path, &back, &n, err, sizeof err), DW_OK);
    assert_int_equal((int)n, N);
    /* %.17g gives back the same bits (fields, not padding, are compared). */
    for (int i = 0; i < N; i++) {
        assert_int_equal(back[i].scan, rows[i].scan);
        assert_true(back[i].track_id == rows[i].track_id);
        const double got[5] = {back[i].t, back[i].x, back[i].vx, back[i].y, back[i].vy};
        const double want[5] = {rows[i].t, rows[i].x, rows[i].vx, rows[i].y, rows[i].vy};
        assert_memory_equal(got, want, sizeof got);
    }
    free(back);

    /* An empty tracks file is fine. */
    assert_int_equal(dw_t2d_tracks_writer_open(path, "x", "y", &f), DW_OK);
    assert_int_equal(dw_t2d_tracks_writer_close(f), DW_OK);
    assert_int_equal(dw_t2d_read_tracks(path, &back, &n, err, sizeof err), DW_OK);
    assert_int_equal((int)n, 0);
    assert_null(back);

    /* Header values may not break the file's lines. */
    assert_int_equal(dw_t2d_tracks_writer_open(path, "a\nb", "y", &f), DW_ERR_INVALID);
    char nodir[600];
    snprintf(nodir, sizeof nodir, "%s/no/such/dir/t.csv", dir);
    assert_int_equal(dw_t2d_tracks_writer_open(nodir, "x", "y", &f), DW_ERR_IO);
    remove_dir(dir);
}

static void peer_tracks_file_parses(void **state)
{
    (void)state;
    dw_t2d_track_row *rows = NULL;
    size_t n = 0;
    char err[512] = "";
    const char *p = dw_test_shared("bench/track2d/tracks_stonesoup-kdtree_N100_s1.csv");
    assert_int_equal(dw_t2d_read_tracks(p, &rows, &n, err, sizeof err), DW_OK);
    assert_true(n > 9000);
    assert_int_equal(rows[0].scan, 1);
    assert_int_equal((int)rows[0].track_id, 0);
    assert_near(rows[0].x, -484.0652718177641, 0);
    free(rows);
}

static void bad_tracks_lines_name_path_and_line(void **state)
{
    (void)state;
    const char *dir = dw_test_tmpdir();
    assert_non_null(dir);
    char path[512];
    snprintf(path, sizeof path, "%s/bad.csv", dir);
    static const struct {
        const char *text;
        int line;
        const char *reason;
    } cases[] = {
        {"# format=dronewall-scn-1\n", 1, "format"},
        {"# format=dronewall-trk-1\nscan,t,x\n", 2, "column line"},
        {"scan,t,track_id,x,vx,y,vy\n1,1.0,0,1,2,3\n", 2, "fewer than 7"},
        {"scan,t,track_id,x,vx,y,vy\n1,1.0,0,1,2,3,4\n-1,1.0,0,1,2,3,4\n", 3, "scan"},
        {"scan,t,track_id,x,vx,y,vy\n1,1.0,0.5,1,2,3,4\n", 2, "track_id"},
        {"scan,t,track_id,x,vx,y,vy\n\n1,1.0,0,1,2,inf,4\n", 3, "finite"},
        {"# only a comment\n", 1, "no column line"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_file(path, cases[i].text);
        dw_t2d_track_row *rows = (dw_t2d_track_row *)&cases;
        size_t n = 12345;
        char err[512] = "";
        dw_status st = dw_t2d_read_tracks(path, &rows, &n, err, sizeof err);
        char want[600];
        snprintf(want, sizeof want, "%s:%d: ", path, cases[i].line);
        if (st != DW_ERR_PARSE || strncmp(err, want, strlen(want)) || !strstr(err, cases[i].reason))
            fprintf(stderr, "case %zu: status %s, err '%s'\n", i, dw_status_name(st), err);
        assert_int_equal(st, DW_ERR_PARSE);
        assert_memory_equal(err, want, strlen(want));
        assert_non_null(strstr(err, cases[i].reason));
        assert_ptr_equal(rows, (dw_t2d_track_row *)&cases);
        assert_int_equal((int)n, 12345);
    }
    remove_dir(dir);
}

static const dw_t2d_params gen_params = {
    .n_targets = 30, .n_scans = 40, .dt = 1.0, .q = 0.05, .sigma_z = 1.0, .sigma_v = 1.0,
    .pd = 0.9, .clutter_density = 2e-5, .spacing = 100.0, .seed = 42,
};

static void generator_is_deterministic_and_parses(void **state)
{
    (void)state;
    const char *dir = dw_test_tmpdir();
    assert_non_null(dir);
    char a[512], b[512], c[512];
    snprintf(a, sizeof a, "%s/a.csv", dir);
    snprintf(b, sizeof b, "%s/b.csv", dir);
    snprintf(c, sizeof c, "%s/c.csv", dir);
    dw_t2d_params p = gen_params;
    assert_int_equal(dw_t2d_generate(&p, a), DW_OK);
    assert_int_equal(dw_t2d_generate(&p, b), DW_OK);
    p.seed = 43;
    assert_int_equal(dw_t2d_generate(&p, c), DW_OK);
    assert_int_equal(count_entries(dir), 3);     /* no temporary files left */
    size_t la, lb, lc;
    char *ta = dw_test_read_file(a, &la), *tb = dw_test_read_file(b, &lb), *tc = dw_test_read_file(c, &lc);
    assert_int_equal(la, lb);
    assert_memory_equal(ta, tb, la);
    assert_true(la != lc || memcmp(ta, tc, la) != 0);
    assert_non_null(strstr(ta, "# q=0.05\n"));      /* shortest round-trip numbers */
    assert_non_null(strstr(ta, "# seed=42\n"));
    free(ta);
    free(tb);
    free(tc);

    dw_t2d_scenario sc;
    char err[512] = "";
    dw_status st = dw_t2d_read_scenario(a, DW_T2D_MEAS | DW_T2D_TRUTH | DW_T2D_ORIGIN, &sc, err,
                                        sizeof err);
    if (st != DW_OK)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(st, DW_OK);
    assert_int_equal(sc.params.n_targets, 30);
    assert_int_equal(sc.params.n_scans, 40);
    assert_int_equal((int)sc.n_truth, 30 * 40);
    /* The box is the truth bounding box grown by spacing/2, and the rate
     * follows from it, as in the shipped files. */
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (size_t r = 0; r < sc.n_truth; r++) {
        xmin = fmin(xmin, sc.truth[r].x);
        xmax = fmax(xmax, sc.truth[r].x);
        ymin = fmin(ymin, sc.truth[r].y);
        ymax = fmax(ymax, sc.truth[r].y);
    }
    assert_near(sc.params.box_xmin, xmin - 50, 1e-9);
    assert_near(sc.params.box_xmax, xmax + 50, 1e-9);
    assert_near(sc.params.box_ymin, ymin - 50, 1e-9);
    assert_near(sc.params.box_ymax, ymax + 50, 1e-9);
    double area = (sc.params.box_xmax - sc.params.box_xmin) * (sc.params.box_ymax - sc.params.box_ymin);
    assert_near(sc.params.clutter_rate, 2e-5 * area, 1e-9);
    /* Initial positions in the square of side spacing*sqrt(N). */
    double half = 100.0 * sqrt(30.0) / 2;
    for (int i = 0; i < 30; i++) {
        assert_true(fabs(sc.truth[i].x) <= half && fabs(sc.truth[i].y) <= half);
        assert_int_equal(sc.truth[i].id, i);
    }
    /* Detections near their truth, clutter inside the box, rates plausible. */
    size_t det = 0, clutter = 0;
    for (int k = 0; k < 40; k++) {
        for (int m = sc.scan_start[k]; m < sc.scan_start[k + 1]; m++) {
            int o = sc.origin[m];
            const dw_t2d_meas *z = &sc.meas[m];
            assert_near(z->t, k * 1.0, 0);
            if (o < 0) {
                clutter++;
                assert_true(z->zx >= sc.params.box_xmin && z->zx <= sc.params.box_xmax);
                assert_true(z->zy >= sc.params.box_ymin && z->zy <= sc.params.box_ymax);
            } else {
                det++;
                const dw_t2d_truth *t = &sc.truth[sc.truth_start[k] + o];
                assert_int_equal(t->id, o);
                assert_true(hypot(z->zx - t->x, z->zy - t->y) < 7.0);
            }
        }
    }
    double pd = (double)det / (30 * 40);
    assert_true(pd > 0.85 && pd < 0.95);
    double rate = (double)clutter / 40;
    assert_true(fabs(rate - sc.params.clutter_rate) < 5 * sqrt(sc.params.clutter_rate / 40) + 0.5);
    dw_t2d_scenario_free(&sc);
    remove_dir(dir);
}

static void generator_rejects_nonsense(void **state)
{
    (void)state;
    const char *dir = dw_test_tmpdir();
    assert_non_null(dir);
    char path[512];
    snprintf(path, sizeof path, "%s/x.csv", dir);
    dw_t2d_params p = gen_params;
    p.pd = 1.5;
    assert_int_equal(dw_t2d_generate(&p, path), DW_ERR_INVALID);
    p = gen_params;
    p.n_scans = 0;
    assert_int_equal(dw_t2d_generate(&p, path), DW_ERR_INVALID);
    p = gen_params;
    p.dt = NAN;
    assert_int_equal(dw_t2d_generate(&p, path), DW_ERR_INVALID);
    p = gen_params;
    p.spacing = 0;
    assert_int_equal(dw_t2d_generate(&p, path), DW_ERR_INVALID);
    assert_int_equal(count_entries(dir), 0);
    remove_dir(dir);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(reads_shipped_scenario),
    cmocka_unit_test(bad_scenario_lines_name_path_and_line),
    cmocka_unit_test(tracks_round_trip_through_writer),
    cmocka_unit_test(peer_tracks_file_parses),
    cmocka_unit_test(bad_tracks_lines_name_path_and_line),
    cmocka_unit_test(generator_is_deterministic_and_parses),
    cmocka_unit_test(generator_rejects_nonsense),
};

DW_TEST_MAIN("track2d_io", tests)
