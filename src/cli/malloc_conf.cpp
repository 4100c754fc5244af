// jemalloc's options for the kfix tool, read by jemalloc when the process
// starts (the MALLOC_CONF environment variable still overrides them).
//
// thp:always asks for transparent huge pages on jemalloc's heap: a run builds
// millions of small tree nodes, and with 4 KiB pages most of the time beyond
// parsing went to page faults and TLB misses (docs/performance.md).
// metadata_thp:auto does the same for jemalloc's own metadata once it grows.
// With the kernel's THP mode "never" this changes nothing.
#ifdef KFIX_CLI_JEMALLOC
extern "C" {
// NOLINTNEXTLINE: the symbol name and type are jemalloc's interface.
extern const char* malloc_conf;
__attribute__((visibility("default"))) const char* malloc_conf = "thp:always,metadata_thp:auto";
}
#endif
