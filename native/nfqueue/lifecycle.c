/*
 * The lifecycle of an NlSocket (sock.h): stopping its poll handle, the env cleanup hook and
 * the finalizer, and the readiness callback into JavaScript. The ordering rule that matters:
 * a worker thread's env unloads this addon right after its cleanup hooks finish, so the hook
 * finishes only once libuv has run the poll handle's close callback (code in this file).
 */
#include <stdlib.h>

#include "sock.h"

static void free_poll(uv_handle_t *h) { free(h); }

/* The poll handle's close callback while a worker's env is torn down: Node unloads this addon
 * right after the cleanup hooks finish, so the hook finishes only once libuv has called us. */
static void free_poll_then_finish(uv_handle_t *h) {
  struct sock *s = h->data;
  free(h);
  napi_async_cleanup_hook_handle done = s->tearing;
  s->tearing = NULL;
  if (done) napi_remove_async_cleanup_hook(done);
}

static void drop_async(struct sock *s) {
  if (s->async) napi_async_destroy(s->env, s->async);
  s->async = NULL;
}

/* Stops readiness callbacks and drops the references start() took. */
void stop_poll(struct sock *s) {
  if (!s->poll) return;
  uv_poll_stop(s->poll);
  uv_close((uv_handle_t *)s->poll, s->tearing ? free_poll_then_finish : free_poll);
  s->poll = NULL;
  if (s->callback) napi_delete_reference(s->env, s->callback);
  if (s->self) napi_delete_reference(s->env, s->self);
  s->callback = s->self = NULL;
  if (!s->in_callback) drop_async(s);
}

void close_sock(struct sock *s) {
  stop_poll(s);
  nls_close(&s->nl);
}

/* Worker threads end by tearing their env down: release the socket then too. */
void env_cleanup(napi_async_cleanup_hook_handle handle, void *arg) {
  struct sock *s = arg;
  s->hook = NULL;
  int polling = s->poll != NULL;
  if (polling) s->tearing = handle;
  close_sock(s);
  if (!polling) napi_remove_async_cleanup_hook(handle);
}

void remove_hook(struct sock *s) {
  if (s->hook) napi_remove_async_cleanup_hook(s->hook);
  s->hook = NULL;
}

void finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  (void)env;
  struct sock *s = data;
  remove_hook(s);
  nls_close(&s->nl);
  free(s);
}

void on_ready(uv_poll_t *h, int status, int events) {
  (void)events;
  struct sock *s = h->data;
  if (status < 0) s->poll_errors++;
  napi_env env = s->env;
  napi_handle_scope scope;
  napi_value cb, self, result;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  if (napi_get_reference_value(env, s->callback, &cb) == napi_ok && napi_get_reference_value(env, s->self, &self) == napi_ok) {
    s->in_callback = 1;
    napi_status st = napi_make_callback(env, s->async, self, cb, 0, NULL, &result);
    s->in_callback = 0;
    if (!s->poll) drop_async(s); /* the callback stopped or closed the socket */
    if (st != napi_ok) {
      /* A throwing handler is an uncaught exception like any event listener's, not a crash here. */
      bool pending = false;
      napi_value err;
      if (napi_is_exception_pending(env, &pending) == napi_ok && pending && napi_get_and_clear_last_exception(env, &err) == napi_ok) napi_fatal_exception(env, err);
    }
  }
  napi_close_handle_scope(env, scope);
}

