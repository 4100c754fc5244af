// capi/internal/handles.hpp - the opaque C handles and the C++ objects they wrap.
//
// Each handle holds its C++ object through `rep` (rocksdb's c.cc pattern).
// Engines are immutable once built, so `rep` is a shared_ptr to const and a
// handle may be used from many threads at once.
#pragma once

#include <memory>

#include "internal/engine_config.hpp"
#include "internal/queue_ops.hpp"
#include "kfix/kfix.h"

struct kfix_engine {
  std::shared_ptr<const kfix::capi::EngineSpec> rep;
};

struct kfix_queue {
  std::unique_ptr<kfix::capi::QueueHandle> rep;
};
