/*
 * The NFQUEUE socket without any JavaScript: a non-blocking NETLINK_NETFILTER socket that
 * reads many datagrams per call into a caller-owned buffer and sends one buffer of many
 * netlink messages per call. Errors the data plane must live with (EAGAIN, ENOBUFS, EINTR)
 * are counted, never raised. Layout of the messages: include/uapi/linux/netlink.h.
 */
#ifndef IOAMKIT_NLSOCK_H
#define IOAMKIT_NLSOCK_H

#include <stddef.h>
#include <stdint.h>

/* Counters, in the order addon.c exports them (NLS_COUNTER_NAMES). */
enum nls_counter {
  NLS_RECV_CALLS,    /* recvmmsg(2) calls that returned at least one datagram */
  NLS_DATAGRAMS,     /* datagrams received */
  NLS_RECV_EAGAIN,   /* reads that found nothing ready */
  NLS_RECV_ENOBUFS,  /* receive-queue overruns reported despite NETLINK_NO_ENOBUFS */
  NLS_RECV_EINTR,    /* reads interrupted by a signal (retried) */
  NLS_TRUNCATED,     /* datagrams longer than their slot (cut; the caller sees a short message) */
  NLS_FOREIGN,       /* datagrams not from the kernel (port id != 0), discarded */
  NLS_SEND_CALLS,    /* sendto(2) calls that succeeded */
  NLS_SEND_BYTES,    /* bytes those calls sent */
  NLS_SEND_EAGAIN,   /* sends refused with EAGAIN */
  NLS_SEND_ENOBUFS,  /* sends refused with ENOBUFS */
  NLS_SEND_ERRORS,   /* sends refused with any other error */
  NLS_COUNTERS
};

struct nls {
  int fd;
  uint32_t port_id;
  int rcvbuf, sndbuf;  /* what the kernel granted (getsockopt), bytes */
  int no_enobufs;      /* NETLINK_NO_ENOBUFS accepted */
  uint64_t counters[NLS_COUNTERS];
};

/* Opens and binds the socket; returns 0 or -errno (the socket is then closed). */
int nls_open(struct nls *s, int protocol, int rcvbuf, int sndbuf);

/*
 * Reads up to max_msgs datagrams, one per slot of slot_size bytes in buf. Writes
 * (offset, length) pairs into out and returns how many, 0 when nothing was ready, or
 * -errno for errors other than EAGAIN/ENOBUFS/EINTR.
 */
int nls_recv_batch(struct nls *s, uint8_t *buf, size_t buf_len, size_t slot_size, int32_t *out, size_t max_msgs);

/* Sends len bytes (one or more netlink messages) to the kernel; returns len or -errno. */
long nls_send(struct nls *s, const uint8_t *buf, size_t len);

/*
 * Sets SO_TIMESTAMP on the socket: the kernel then stamps every received skb (a host-wide
 * switch, net_enable_timestamp), so NFQUEUE messages carry NFQA_TIMESTAMP. Returns 0 or -errno.
 */
int nls_enable_timestamps(struct nls *s);

void nls_close(struct nls *s);

#endif
