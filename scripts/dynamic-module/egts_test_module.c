/*
 * egts's test dynamic module for Envoy's dynamic modules ABI (Envoy 1.40,
 * source/extensions/dynamic_modules/abi/abi.h upstream). The declarations below are the few
 * parts of that C ABI this module uses, written out here because no SDK of the exact Envoy
 * version is available offline; they follow the upstream header's calling convention (plain
 * pointers and {pointer, length} buffers passed by value).
 *
 * Two extensions in one shared library:
 *  - HTTP filter "header_mutation" (envoy.filters.http.dynamic_modules): adds the response header
 *    `x-dynamic-module: true` and, when the filter has a configuration, echoes it in
 *    `x-dynamic-module-config`. Any other filter name is refused at configuration time, so Envoy
 *    rejects a filter that names an implementation the module lacks.
 *  - Load balancer "first_healthy" (envoy.load_balancing_policies.dynamic_modules): always picks
 *    the first healthy host of priority 0, so every request of a cluster reaches one endpoint.
 *    Any other policy name is refused.
 *
 * Envoy only warns when the module's ABI version string differs from its own (dynamic_modules.cc:
 * "Dynamic module ABI version {} is deprecated"); the symbols and signatures are what must match.
 * Envoy 1.40's ABI version is "v0.2.0" (the one such string its binary holds).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const char* ptr;
  size_t length;
} egts_buffer;

typedef enum {
  egts_header_request = 0,
  egts_header_request_trailer = 1,
  egts_header_response = 2,
  egts_header_response_trailer = 3,
} egts_header_type;

/* Envoy's callbacks the module calls (exported by the Envoy binary). */
extern bool envoy_dynamic_module_callback_http_add_header(void* filter_envoy_ptr,
                                                          egts_header_type header_type,
                                                          egts_buffer key, egts_buffer value);

/* The ABI version this module was written against (upstream's ENVOY_DYNAMIC_MODULES_ABI_VERSION). */
const char* envoy_dynamic_module_on_program_init(void) { return "v0.2.0"; }

/* ------------------------------- HTTP filter ------------------------------- */

typedef struct {
  char* config;
  size_t config_length;
} filter_config;

static bool named(egts_buffer name, const char* expected) {
  return name.length == strlen(expected) && memcmp(name.ptr, expected, name.length) == 0;
}

const void* envoy_dynamic_module_on_http_filter_config_new(void* config_envoy_ptr, egts_buffer name,
                                                           egts_buffer config) {
  (void)config_envoy_ptr;
  if (!named(name, "header_mutation")) return NULL;
  filter_config* c = calloc(1, sizeof(filter_config));
  if (c == NULL) return NULL;
  if (config.length > 0) {
    c->config = malloc(config.length);
    if (c->config == NULL) {
      free(c);
      return NULL;
    }
    memcpy(c->config, config.ptr, config.length);
    c->config_length = config.length;
  }
  return c;
}

void envoy_dynamic_module_on_http_filter_config_destroy(const void* config_module_ptr) {
  filter_config* c = (filter_config*)config_module_ptr;
  free(c->config);
  free(c);
}

/* Per-route configuration is not used; Envoy resolves these only for per-route filters. */
const void* envoy_dynamic_module_on_http_filter_per_route_config_new(egts_buffer name,
                                                                     egts_buffer config) {
  (void)name;
  (void)config;
  return NULL;
}
void envoy_dynamic_module_on_http_filter_per_route_config_destroy(const void* config) {
  (void)config;
}

/* The filter's per-stream state is its configuration: it keeps nothing per request. */
const void* envoy_dynamic_module_on_http_filter_new(const void* config_module_ptr,
                                                    void* filter_envoy_ptr) {
  (void)filter_envoy_ptr;
  return config_module_ptr;
}

void envoy_dynamic_module_on_http_filter_destroy(const void* filter_module_ptr) {
  (void)filter_module_ptr;
}

/* Every on_*_headers/body/trailers status enum has Continue = 0. */
uint32_t envoy_dynamic_module_on_http_filter_request_headers(void* filter, const void* module,
                                                             bool end_of_stream) {
  (void)filter, (void)module, (void)end_of_stream;
  return 0;
}

uint32_t envoy_dynamic_module_on_http_filter_response_headers(void* filter, const void* module,
                                                              bool end_of_stream) {
  (void)end_of_stream;
  const filter_config* c = (const filter_config*)module;
  egts_buffer key = {"x-dynamic-module", 16};
  egts_buffer value = {"true", 4};
  envoy_dynamic_module_callback_http_add_header(filter, egts_header_response, key, value);
  if (c->config_length > 0) {
    egts_buffer config_key = {"x-dynamic-module-config", 23};
    egts_buffer config_value = {c->config, c->config_length};
    envoy_dynamic_module_callback_http_add_header(filter, egts_header_response, config_key,
                                                  config_value);
  }
  return 0;
}

uint32_t envoy_dynamic_module_on_http_filter_request_body(void* f, const void* m, bool end) {
  (void)f, (void)m, (void)end;
  return 0;
}
uint32_t envoy_dynamic_module_on_http_filter_request_trailers(void* f, const void* m) {
  (void)f, (void)m;
  return 0;
}
uint32_t envoy_dynamic_module_on_http_filter_response_body(void* f, const void* m, bool end) {
  (void)f, (void)m, (void)end;
  return 0;
}
uint32_t envoy_dynamic_module_on_http_filter_response_trailers(void* f, const void* m) {
  (void)f, (void)m;
  return 0;
}
void envoy_dynamic_module_on_http_filter_stream_complete(void* f, const void* m) {
  (void)f, (void)m;
}

/* Hooks Envoy requires for callouts, scheduling and flow control; this module starts none. */
void envoy_dynamic_module_on_http_filter_http_callout_done(void) {}
void envoy_dynamic_module_on_http_filter_http_stream_headers(void) {}
void envoy_dynamic_module_on_http_filter_http_stream_data(void) {}
void envoy_dynamic_module_on_http_filter_http_stream_trailers(void) {}
void envoy_dynamic_module_on_http_filter_http_stream_complete(void) {}
void envoy_dynamic_module_on_http_filter_http_stream_reset(void) {}
void envoy_dynamic_module_on_http_filter_scheduled(void) {}
void envoy_dynamic_module_on_http_filter_downstream_above_write_buffer_high_watermark(void) {}
void envoy_dynamic_module_on_http_filter_downstream_below_write_buffer_low_watermark(void) {}

/* ------------------------------ Load balancer ------------------------------ */

static int lb_config_marker;
static int lb_marker;

const void* envoy_dynamic_module_on_lb_config_new(void* config_envoy_ptr, egts_buffer name,
                                                  egts_buffer config) {
  (void)config_envoy_ptr, (void)config;
  return named(name, "first_healthy") ? &lb_config_marker : NULL;
}

void envoy_dynamic_module_on_lb_config_destroy(const void* config_module_ptr) {
  (void)config_module_ptr;
}

const void* envoy_dynamic_module_on_lb_new(const void* config_module_ptr, void* lb_envoy_ptr) {
  (void)config_module_ptr, (void)lb_envoy_ptr;
  return &lb_marker;
}

/* Envoy checks the index against the healthy hosts and selects none when there are none. */
bool envoy_dynamic_module_on_lb_choose_host(void* lb_envoy_ptr, const void* lb_module_ptr,
                                            void* context_envoy_ptr, uint32_t* priority,
                                            uint32_t* index) {
  (void)lb_envoy_ptr, (void)lb_module_ptr, (void)context_envoy_ptr;
  *priority = 0;
  *index = 0;
  return true;
}

void envoy_dynamic_module_on_lb_on_host_membership_update(void* lb, const void* module,
                                                          size_t added, size_t removed) {
  (void)lb, (void)module, (void)added, (void)removed;
}

void envoy_dynamic_module_on_lb_destroy(const void* lb_module_ptr) { (void)lb_module_ptr; }
