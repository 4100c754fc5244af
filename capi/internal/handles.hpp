// capi/internal/handles.hpp - the opaque C handles and the C++ objects they wrap.
//
// Each handle holds its C++ object through `rep` (rocksdb's c.cc pattern).
// An engine is immutable (kfix::Engine shares its state), so one handle may
// be used from many threads at once; a queue is used by one thread at a time,
// so its handle serialises calls with `mu`.
#pragma once

#include <memory>
#include <mutex>

#include "kfix/engine.hpp"
#include "kfix/kfix.h"
#include "kfix/queue.hpp"

struct kfix_engine {
  kfix::Engine rep;
};

struct kfix_queue {
  std::unique_ptr<kfix::Queue> rep;
  std::mutex mu;
};
