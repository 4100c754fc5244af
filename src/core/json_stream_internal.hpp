// Internal: writing documents front to back while they are still being made
// (per-file streaming of scan and fix reports, docs/performance.md).
//
//  - Spool: chunks of text kept until the end of a run, in memory up to a
//    limit and then in an unnamed temporary file, handed back in key order.
//  - JsonDocumentWriter: one JSON document written as its parts arrive. The
//    document is given as a shell whose streamed arrays and late values are
//    placeholders (Slot()); the first streamed array is written as its
//    elements come, the others are spooled and written, with the late
//    values, by Finish(). The bytes are exactly AppendJson()'s for the whole
//    document, so a report's one serialiser can use it for the whole report
//    and for a stream of parts alike.
//
// Thread safety: one object per thread (no internal locking).
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/core.hpp"

namespace kfix::internal {

/// AppendJson(out, v, style) for `v` nested at `depth` of an enclosing
/// document (pretty: its inner lines are indented for that depth).
void AppendJsonAt(std::string& out, const Value& v, JsonStyle style, int depth);

/// Where a writer's bytes go; false stops the writer (the sink's error).
using TextSink = std::function<bool(std::string_view)>;

class Spool {
 public:
  static constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max();
  /// Text beyond `memory_limit` bytes moves to an unnamed temporary file
  /// (tmpfile(3): $TMPDIR is not consulted; the file disappears with the
  /// process). Memory never holds more than the limit: a text that would
  /// pass it sends what is held to the file first, and a text larger than
  /// the limit goes there directly.
  explicit Spool(std::size_t memory_limit = kUnlimited);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  /// Appends `text` under `key`; equal keys keep the order they came in.
  Status Add(std::uint64_t key, std::string_view text);
  /// Hands every chunk to `sink` in key order (the first chunk's first
  /// `skip_first` bytes left out) and empties the spool. kIoError when the
  /// temporary file cannot be read back, or `sink` refuses a chunk.
  Status Drain(const TextSink& sink, std::size_t skip_first = 0);
  bool empty() const noexcept { return chunks_.empty(); }
  /// Bytes of memory the spool holds for its text (at most the limit).
  std::size_t memory_held() const noexcept { return mem_.capacity() > 15 ? mem_.capacity() : 0; }

 private:
  struct Chunk {
    std::uint64_t key;
    std::uint64_t offset;  // into mem_ or the file
    std::uint64_t size;
    bool on_disk;
  };
  Status Spill();
  Status OpenFile();
  Status AppendToFile(std::uint64_t key, std::string_view text);
  std::size_t memory_limit_;
  std::string mem_;
  std::vector<Chunk> chunks_;
  std::FILE* file_ = nullptr;
  std::uint64_t file_size_ = 0;
};

class JsonDocumentWriter {
 public:
  /// The placeholder of slot `name` in a shell (a string member value).
  static std::string Slot(std::string_view name);

  /// `shell`: the document with a Slot(name) string wherever a streamed
  /// array (`arrays`) or a value known only at the end (`late`) goes. The
  /// bytes before the first slot are written at once. Spooled arrays keep
  /// up to `spool_memory` bytes each in memory.
  JsonDocumentWriter(const Value& shell, JsonStyle style, const std::vector<std::string>& arrays,
                     const std::vector<std::string>& late, TextSink sink,
                     std::size_t spool_memory = Spool::kUnlimited);
  ~JsonDocumentWriter();

  /// The slot number of `name` (arrays and late values; -1 when unknown).
  int SlotIndex(std::string_view name) const;
  /// What every element text of array `slot` starts with: a comma, then (pretty) a newline and the indentation.
  const std::string& ElementPrefix(int slot) const;
  /// The depth elements of array `slot` are written at (AppendJsonAt).
  int ElementDepth(int slot) const;
  JsonStyle style() const noexcept { return style_; }

  /// Appends elements to array `slot`: `elements` is one or more element
  /// texts, each starting with ElementPrefix(slot). The first array of the
  /// document is written as they come (in the order they are added; `key`
  /// is ignored there); the others are written by Finish() in key order
  /// (equal keys in the order added).
  bool Add(int slot, std::uint64_t key, std::string_view elements);
  /// Add() of one element given as a value.
  bool AddValue(int slot, std::uint64_t key, const Value& element);
  /// Sets the late value `slot`.
  void Set(int slot, Value value);
  /// Declares the array written as it comes complete: it is closed, the
  /// document's text up to the next slot is written, and when that slot is
  /// an array it becomes the one written as it comes (what was spooled for
  /// it first, in key order). A writer that knows it has every element of
  /// an array (a whole report) advances instead of spooling what follows.
  /// False when there is no such array or the sink refused bytes.
  bool Advance();
  /// Writes everything not written yet. False when the sink refused bytes
  /// or a spool could not be read back (status()).
  bool Finish();
  const Status& status() const noexcept { return status_; }

 private:
  struct SlotState;
  bool Write(std::string_view text);
  bool FlushIfLarge();
  void CloseArray(const SlotState& s);
  JsonStyle style_;
  TextSink sink_;
  std::vector<std::string> segments_;  // text before slot i, after the last slot
  std::vector<int> order_;             // slot index at each position of the document
  std::vector<std::unique_ptr<SlotState>> slots_;
  std::string out_;
  int live_ = -1;                      // the array written as it comes
  bool live_any_ = false;
  std::size_t next_ = 0;               // position in order_ of the first slot Finish() writes
  Status status_;
};

}  // namespace kfix::internal
