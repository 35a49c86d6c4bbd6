/*
 * bench/dataplane's baseline: the least any NFQUEUE consumer pays. One queue, whole packets
 * copied, fail-open, every packet returned with its payload rewritten (hop limit set to
 * argv[2], so that the receiver can tell a rewritten packet from one the queue let pass),
 * through libnetfilter_queue's plain API: one recv and one verdict sendmsg per packet.
 * Built by the bench from Debian's libnetfilter-queue-dev; not part of ioamkit.
 * Usage: nfq-minimal QUEUE HOPLIMIT MAXLEN RCVBUF   (runs until SIGTERM/SIGINT)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <linux/netlink.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static volatile sig_atomic_t stop;
static unsigned long long handled;
static unsigned char hop_limit;

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa, void *data) {
  (void)msg;
  (void)data;
  struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
  unsigned char *payload;
  int len = nfq_get_payload(nfa, &payload);
  if (!ph || len < 40) return nfq_set_verdict(qh, ph ? ntohl(ph->packet_id) : 0, NF_ACCEPT, 0, NULL);
  payload[7] = hop_limit; /* IPv6 Hop Limit (RFC 8200 §3) */
  handled++;
  return nfq_set_verdict(qh, ntohl(ph->packet_id), NF_ACCEPT, (uint32_t)len, payload);
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: nfq-minimal QUEUE HOPLIMIT MAXLEN RCVBUF\n");
    return 2;
  }
  hop_limit = (unsigned char)atoi(argv[2]);
  struct nfq_handle *h = nfq_open();
  struct nfq_q_handle *qh = h ? nfq_create_queue(h, (uint16_t)atoi(argv[1]), on_packet, NULL) : NULL;
  if (!qh || nfq_set_mode(qh, NFQNL_COPY_PACKET, 0xffff) < 0 || nfq_set_queue_maxlen(qh, (uint32_t)atoi(argv[3])) < 0 ||
      nfq_set_queue_flags(qh, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN) < 0) {
    perror("nfq-minimal: cannot bind the queue");
    return 1;
  }
  nfnl_rcvbufsiz(nfq_nfnlh(h), (unsigned)atoi(argv[4]));
  int fd = nfq_fd(h), one = 1;
  setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof one);
  struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: recv returns EINTR */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  fprintf(stderr, "nfq-minimal: ready\n");
  static char buf[0x10000 + 4096] __attribute__((aligned));
  while (!stop) {
    int rv = (int)recv(fd, buf, sizeof buf, 0);
    if (rv >= 0) nfq_handle_packet(h, buf, rv);
    else if (errno != ENOBUFS && errno != EINTR) break;
  }
  printf("{\"handled\":%llu}\n", handled);
  nfq_destroy_queue(qh);
  nfq_close(h);
  return 0;
}
