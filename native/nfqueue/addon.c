/*
 * N-API binding of nlsock.c for Node: class NlSocket(protocol, rcvbuf, sndbuf) with
 * start(callback), stop(), recv(buf, slotSize, out), send(buf, length), counters(), info(),
 * enableTimestamps(), ref(), unref(), close(). Readiness comes from libuv (uv_poll on the socket, level
 * triggered) and calls the one JavaScript callback, which drains with recv() — so there is
 * no allocation per packet here, and no JavaScript object per datagram. Plain C against
 * node_api.h (Node-API 8), context-aware: one socket per worker thread works.
 */
#include <errno.h>
#include <stdlib.h>

#include "sock.h"

static const char *const COUNTER_NAMES[NLS_COUNTERS] = {
    "recvCalls", "datagrams", "recvEagain", "recvEnobufs", "recvEintr", "truncated", "foreign",
    "sendCalls", "sendBytes", "sendEagain", "sendEnobufs", "sendErrors"};

#define CHECK(call)                                   \
  do {                                                \
    if ((call) != napi_ok) return NULL;               \
  } while (0)

/* this + up to n arguments; returns the unwrapped socket or NULL (with an exception). */
static struct sock *unwrap(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  struct sock *s = NULL;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok) return NULL;
  if (napi_unwrap(env, self, (void **)&s) != napi_ok) return NULL;
  return s;
}

static napi_value number(napi_env env, double v) {
  napi_value out;
  napi_create_double(env, v, &out);
  return out;
}

static int32_t arg_int(napi_env env, napi_value v, int32_t fallback) {
  int32_t out;
  return napi_get_value_int32(env, v, &out) == napi_ok ? out : fallback;
}

static napi_value Construct(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], self;
  CHECK(napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  struct sock *s = calloc(1, sizeof *s);
  if (!s) {
    napi_throw_error(env, "ENOMEM", "NlSocket: out of memory");
    return NULL;
  }
  s->env = env;
  int r = nls_open(&s->nl, arg_int(env, argv[0], 0), arg_int(env, argv[1], 1 << 20), arg_int(env, argv[2], 1 << 20));
  s->open_errno = r < 0 ? -r : 0;
  if (napi_wrap(env, self, s, finalize, NULL, NULL) != napi_ok) {
    nls_close(&s->nl);
    free(s);
    return NULL;
  }
  if (r == 0) napi_add_async_cleanup_hook(env, env_cleanup, s, &s->hook);
  return self;
}

static napi_value Start(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1] = {NULL}, self, name;
  napi_valuetype type = napi_undefined;
  struct sock *s;
  uv_loop_t *loop;
  CHECK(napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  CHECK(napi_unwrap(env, self, (void **)&s));
  if (argc < 1 || napi_typeof(env, argv[0], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "start: expected a function");
    return NULL;
  }
  if (s->nl.fd < 0 || s->poll) return NULL;
  CHECK(napi_get_uv_event_loop(env, &loop));
  CHECK(napi_create_string_utf8(env, "ioamkit:nfqueue", NAPI_AUTO_LENGTH, &name));
  uv_poll_t *poll = malloc(sizeof *poll);
  if (!poll || uv_poll_init(loop, poll, s->nl.fd) != 0) {
    free(poll);
    napi_throw_error(env, "EIO", "NlSocket: uv_poll_init failed");
    return NULL;
  }
  /* From here on stop_poll() undoes everything, whatever fails. */
  poll->data = s;
  s->poll = poll;
  if (napi_create_reference(env, argv[0], 1, &s->callback) != napi_ok || napi_create_reference(env, self, 1, &s->self) != napi_ok || napi_async_init(env, NULL, name, &s->async) != napi_ok) {
    stop_poll(s);
    return NULL;
  }
  if (s->unrefd) uv_unref((uv_handle_t *)poll);
  uv_poll_start(poll, UV_READABLE, on_ready);
  return NULL;
}

static napi_value Stop(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  struct sock *s = unwrap(env, info, &argc, NULL);
  if (s) stop_poll(s);
  return NULL;
}

static napi_value Close(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  struct sock *s = unwrap(env, info, &argc, NULL);
  if (!s) return NULL;
  remove_hook(s);
  close_sock(s);
  return NULL;
}

static napi_value SetRef(napi_env env, napi_callback_info info, int unref) {
  size_t argc = 0;
  struct sock *s = unwrap(env, info, &argc, NULL);
  if (!s) return NULL;
  s->unrefd = unref;
  if (s->poll) unref ? uv_unref((uv_handle_t *)s->poll) : uv_ref((uv_handle_t *)s->poll);
  return NULL;
}
static napi_value Ref(napi_env env, napi_callback_info info) { return SetRef(env, info, 0); }
static napi_value Unref(napi_env env, napi_callback_info info) { return SetRef(env, info, 1); }

/* The bytes of a typed array of the given type, or NULL after throwing a TypeError. */
static void *typed(napi_env env, napi_value v, napi_typedarray_type want, size_t *count) {
  napi_typedarray_type type;
  void *data;
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is || napi_get_typedarray_info(env, v, &type, count, &data, NULL, NULL) != napi_ok || type != want) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", want == napi_int32_array ? "expected an Int32Array" : "expected a Uint8Array");
    return NULL;
  }
  return data;
}

/* recv(buf: Uint8Array, slotSize: number, out: Int32Array): datagrams read, or -errno. */
static napi_value Recv(napi_env env, napi_callback_info info) {
  size_t argc = 3, len, pairs;
  napi_value argv[3];
  struct sock *s = unwrap(env, info, &argc, argv);
  if (!s) return NULL;
  uint8_t *buf = typed(env, argv[0], napi_uint8_array, &len);
  int32_t *out = buf ? typed(env, argv[2], napi_int32_array, &pairs) : NULL;
  if (!out) return NULL;
  int32_t slot = arg_int(env, argv[1], 0);
  if (s->nl.fd < 0) return number(env, -EBADF);
  return number(env, nls_recv_batch(&s->nl, buf, len, slot > 0 ? (size_t)slot : 0, out, pairs / 2));
}

/* send(buf: Uint8Array, length: number): bytes sent, or -errno. */
static napi_value Send(napi_env env, napi_callback_info info) {
  size_t argc = 2, len;
  napi_value argv[2];
  struct sock *s = unwrap(env, info, &argc, argv);
  if (!s) return NULL;
  uint8_t *buf = typed(env, argv[0], napi_uint8_array, &len);
  if (!buf) return NULL;
  int32_t n = arg_int(env, argv[1], -1);
  if (n < 0 || (size_t)n > len) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "send: length outside the buffer");
    return NULL;
  }
  if (s->nl.fd < 0) return number(env, -EBADF);
  return number(env, (double)nls_send(&s->nl, buf, (size_t)n));
}

/* enableTimestamps(): 0 or -errno. */
static napi_value EnableTimestamps(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  struct sock *s = unwrap(env, info, &argc, NULL);
  if (!s) return NULL;
  return number(env, s->nl.fd < 0 ? -EBADF : nls_enable_timestamps(&s->nl));
}

static void put(napi_env env, napi_value obj, const char *key, double v) {
  napi_set_named_property(env, obj, key, number(env, v));
}

static napi_value Counters(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  napi_value out;
  struct sock *s = unwrap(env, info, &argc, NULL);
  if (!s) return NULL;
  CHECK(napi_create_object(env, &out));
  for (int i = 0; i < NLS_COUNTERS; i++) put(env, out, COUNTER_NAMES[i], (double)s->nl.counters[i]);
  put(env, out, "pollErrors", s->poll_errors);
  return out;
}

static napi_value Info(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  napi_value out;
  struct sock *s = unwrap(env, info, &argc, NULL);
  if (!s) return NULL;
  CHECK(napi_create_object(env, &out));
  put(env, out, "errno", s->open_errno);
  put(env, out, "fd", s->nl.fd);
  put(env, out, "portId", s->nl.port_id);
  put(env, out, "rcvbuf", s->nl.rcvbuf);
  put(env, out, "sndbuf", s->nl.sndbuf);
  put(env, out, "noEnobufs", s->nl.no_enobufs);
  return out;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor methods[] = {
      {"start", NULL, Start, NULL, NULL, NULL, napi_default, NULL},
      {"stop", NULL, Stop, NULL, NULL, NULL, napi_default, NULL},
      {"recv", NULL, Recv, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, Send, NULL, NULL, NULL, napi_default, NULL},
      {"counters", NULL, Counters, NULL, NULL, NULL, napi_default, NULL},
      {"info", NULL, Info, NULL, NULL, NULL, napi_default, NULL},
      {"enableTimestamps", NULL, EnableTimestamps, NULL, NULL, NULL, napi_default, NULL},
      {"ref", NULL, Ref, NULL, NULL, NULL, napi_default, NULL},
      {"unref", NULL, Unref, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, Close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value cls;
  if (napi_define_class(env, "NlSocket", NAPI_AUTO_LENGTH, Construct, NULL, sizeof methods / sizeof methods[0], methods, &cls) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "NlSocket", cls) != napi_ok) return NULL;
  return exports;
}
