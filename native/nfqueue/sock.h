/*
 * One NlSocket object's native state and its lifecycle (lifecycle.c): the libuv poll handle
 * that reports readiness, the references that keep the callback and the object alive while it
 * polls, and the env cleanup hook that releases everything when a worker thread ends.
 */
#ifndef IOAMKIT_SOCK_H
#define IOAMKIT_SOCK_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <uv.h>

#include "nlsock.h"

struct sock {
  struct nls nl;
  int open_errno;       /* errno of a failed open, else 0 */
  napi_env env;
  uv_poll_t *poll;      /* while started; freed by its close callback */
  napi_ref callback;    /* the JavaScript readiness callback while started */
  napi_ref self;        /* keeps the object alive while started */
  napi_async_context async;
  int unrefd;           /* the process may exit while polling */
  napi_async_cleanup_hook_handle hook;     /* registered env cleanup hook, or NULL */
  napi_async_cleanup_hook_handle tearing;  /* the hook running now: removed once the poll handle is closed */
  int in_callback;      /* on_ready is calling JavaScript: keep the async context until it returns */
  double poll_errors;
};

/* Stops readiness callbacks and drops the references start() took. */
void stop_poll(struct sock *s);
/* stop_poll, then close the socket. */
void close_sock(struct sock *s);
/* napi async cleanup hook: a worker's env is going away. */
void env_cleanup(napi_async_cleanup_hook_handle handle, void *arg);
/* Unregisters the env cleanup hook (close, finalize). */
void remove_hook(struct sock *s);
/* napi_wrap finalizer. */
void finalize(napi_env env, void *data, void *hint);
/* libuv readiness callback: calls the JavaScript callback. */
void on_ready(uv_poll_t *h, int status, int events);

#endif
