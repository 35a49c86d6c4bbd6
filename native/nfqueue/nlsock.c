/*
 * See nlsock.h. Socket options from include/uapi/linux/netlink.h and socket(7):
 * SO_RCVBUFFORCE lets CAP_NET_ADMIN exceed rmem_max (a queue under load needs megabytes);
 * NETLINK_NO_ENOBUFS stops the kernel from reporting receive overruns as ENOBUFS errors
 * (the fail-open queue already lets what does not fit pass; an error changes nothing);
 * NETLINK_CAP_ACK keeps error acks from echoing whole verdicts (payloads) back;
 * NETLINK_EXT_ACK makes the kernel say why it refused a configuration request.
 */
#define _GNU_SOURCE
#include "nlsock.h"

#include <errno.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* recvmmsg(2) batch size; the caller's out array and buffer may allow fewer. */
#define NLS_MAX_BATCH 256

static void set_int(int fd, int level, int name, int value, int *ok) {
  int r = setsockopt(fd, level, name, &value, sizeof value);
  if (ok) *ok = r == 0;
}

static int get_int(int fd, int level, int name) {
  int v = 0;
  socklen_t len = sizeof v;
  return getsockopt(fd, level, name, &v, &len) == 0 ? v : -1;
}

static void size_buffers(struct nls *s, int rcvbuf, int sndbuf) {
  /* Without CAP_NET_ADMIN the FORCE variants fail; the plain ones are capped by rmem_max. */
  if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0) set_int(s->fd, SOL_SOCKET, SO_RCVBUF, rcvbuf, NULL);
  if (setsockopt(s->fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf) != 0) set_int(s->fd, SOL_SOCKET, SO_SNDBUF, sndbuf, NULL);
  s->rcvbuf = get_int(s->fd, SOL_SOCKET, SO_RCVBUF);
  s->sndbuf = get_int(s->fd, SOL_SOCKET, SO_SNDBUF);
}

int nls_open(struct nls *s, int protocol, int rcvbuf, int sndbuf) {
  memset(s, 0, sizeof *s);
  s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (s->fd < 0) return -errno;
  struct sockaddr_nl local = {.nl_family = AF_NETLINK};
  socklen_t len = sizeof local;
  if (bind(s->fd, (struct sockaddr *)&local, sizeof local) != 0 || getsockname(s->fd, (struct sockaddr *)&local, &len) != 0) {
    int e = errno;
    close(s->fd);
    s->fd = -1;
    return -e;
  }
  s->port_id = local.nl_pid;
  size_buffers(s, rcvbuf, sndbuf);
  set_int(s->fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, 1, &s->no_enobufs);
  set_int(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, 1, NULL);
  set_int(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, 1, NULL);
  return 0;
}

/* One recvmmsg(2) call; returns its result with errno preserved. */
static int read_some(struct nls *s, uint8_t *buf, size_t slot_size, size_t n, struct mmsghdr *msgs, struct iovec *iov, struct sockaddr_nl *from) {
  for (size_t i = 0; i < n; i++) {
    iov[i].iov_base = buf + i * slot_size;
    iov[i].iov_len = slot_size;
    memset(&msgs[i], 0, sizeof msgs[i]);
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &from[i];
    msgs[i].msg_hdr.msg_namelen = sizeof from[i];
  }
  return recvmmsg(s->fd, msgs, (unsigned)n, MSG_DONTWAIT, NULL);
}

/* Keeps the kernel's datagrams, packed as (offset, length) pairs; counts the rest. */
static int collect(struct nls *s, int got, size_t slot_size, struct mmsghdr *msgs, struct sockaddr_nl *from, int32_t *out) {
  int kept = 0;
  for (int i = 0; i < got; i++) {
    if (from[i].nl_pid != 0) {
      s->counters[NLS_FOREIGN]++;
      continue;
    }
    if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) s->counters[NLS_TRUNCATED]++;
    size_t len = msgs[i].msg_len < slot_size ? msgs[i].msg_len : slot_size;
    out[2 * kept] = (int32_t)(i * slot_size);
    out[2 * kept + 1] = (int32_t)len;
    kept++;
  }
  return kept;
}

int nls_recv_batch(struct nls *s, uint8_t *buf, size_t buf_len, size_t slot_size, int32_t *out, size_t max_msgs) {
  struct mmsghdr msgs[NLS_MAX_BATCH];
  struct iovec iov[NLS_MAX_BATCH];
  struct sockaddr_nl from[NLS_MAX_BATCH];
  size_t n = slot_size ? buf_len / slot_size : 0;
  if (n > max_msgs) n = max_msgs;
  if (n > NLS_MAX_BATCH) n = NLS_MAX_BATCH;
  if (n == 0) return -EINVAL;
  for (int tries = 0; tries < 8; tries++) {
    int got = read_some(s, buf, slot_size, n, msgs, iov, from);
    if (got > 0) {
      s->counters[NLS_RECV_CALLS]++;
      s->counters[NLS_DATAGRAMS] += (uint64_t)got;
      return collect(s, got, slot_size, msgs, from, out);
    }
    if (got == 0 || errno == EAGAIN || errno == EWOULDBLOCK) {
      s->counters[NLS_RECV_EAGAIN]++;
      return 0;
    }
    if (errno == EINTR) s->counters[NLS_RECV_EINTR]++;
    else if (errno == ENOBUFS) s->counters[NLS_RECV_ENOBUFS]++; /* reported once; the queue still holds data */
    else return -errno;
  }
  return 0;
}

long nls_send(struct nls *s, const uint8_t *buf, size_t len) {
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  for (;;) {
    ssize_t r = sendto(s->fd, buf, len, 0, (struct sockaddr *)&kernel, sizeof kernel);
    if (r >= 0) {
      s->counters[NLS_SEND_CALLS]++;
      s->counters[NLS_SEND_BYTES] += (uint64_t)r;
      return (long)r;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) s->counters[NLS_SEND_EAGAIN]++;
    else if (errno == ENOBUFS) s->counters[NLS_SEND_ENOBUFS]++;
    else s->counters[NLS_SEND_ERRORS]++;
    return -errno;
  }
}

int nls_enable_timestamps(struct nls *s) {
  int one = 1;
  return setsockopt(s->fd, SOL_SOCKET, SO_TIMESTAMP, &one, sizeof one) == 0 ? 0 : -errno;
}

void nls_close(struct nls *s) {
  if (s->fd >= 0) close(s->fd);
  s->fd = -1;
}
