{
  "targets": [
    {
      "target_name": "ioamkit_nfqueue",
      "sources": ["native/nfqueue/nlsock.c", "native/nfqueue/lifecycle.c", "native/nfqueue/addon.c"],
      "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror=implicit-function-declaration"]
    }
  ]
}
