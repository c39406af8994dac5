/* fuzz_scenario.c — the scenario loader (targets, raids, traffic, every sensor model's entry)
 * on arbitrary bytes, as YAML.
 *
 * Besides the sanitizers' checks: a failure must name the file; a success must give a world
 * whose targets exist at their launch, events in time order, and sensors whose table names
 * each one; and the first minute of the world and its sensors is stepped, so that what loads
 * also runs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sink_emit(void *ctx, const dw_obs *o, int64_t deliver_us, int32_t target)
{
    size_t *n = ctx;
    if (deliver_us < o->t_us || target < -1)
        abort();
    (*n)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    char err[512] = "";
    dw_scenario *s = NULL;
    dw_status st = dw_scenario_load_mem((const char *)data, size, "fuzz.yaml", 0, &s, err, sizeof err);
    if (st != DW_OK) {
        if (st == DW_ERR_PARSE && strncmp(err, "fuzz.yaml", 9) != 0)
            abort();
        return 0;
    }
    for (size_t i = 1; i < s->n_events; i++)
        if (s->events[i].t_us < s->events[i - 1].t_us)
            abort();
    size_t n_sens = 0;
    const dw_sim_sensor_info *tab = dw_sim_sensors_table(s->sensors, &n_sens);
    for (size_t i = 0; i < n_sens; i++)
        if (!tab[i].desc.id[0])
            abort();
    /* A minute of the world and its sensors (a few steps when the step is long). */
    size_t n_obs = 0;
    dw_sim_sink sink = {sink_emit, &n_obs};
    int64_t t = s->start_us;
    for (int k = 0; k < 60 && t < s->end_us && n_sens < 5000 && dw_sim_world_count(s->world) < 2000;
         k++, t += s->step_us) {
        dw_sim_world_advance(s->world, t);
        dw_sim_sensors_step(s->sensors, s->world, t, t + s->step_us, &sink);
    }
    dw_scenario_destroy(s);
    return 0;
}
