// Spool and JsonDocumentWriter (core/json_stream_internal.hpp): documents
// written front to back while their parts are still being made.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "core/json_internal.hpp"
#include "core/json_stream_internal.hpp"

namespace kfix::internal {

// ---- Spool ------------------------------------------------------------------

Spool::Spool(std::size_t memory_limit) : memory_limit_(memory_limit) {}

Spool::~Spool() {
  if (file_ != nullptr) std::fclose(file_);
}

Status Spool::Add(std::uint64_t key, std::string_view text) {
  if (text.empty()) return Status::Ok();
  const bool limited = memory_limit_ != kUnlimited;
  if (limited && mem_.size() + text.size() > memory_limit_) {
    // Memory never holds more than the limit: what it holds goes to the file
    // first, and a text larger than the limit goes there directly.
    if (!mem_.empty()) {
      if (Status s = Spill(); !s.ok()) return s;
    }
    if (text.size() > memory_limit_) return AppendToFile(key, text);
  }
  if (limited && mem_.size() + text.size() > mem_.capacity()) {
    // Grow as a string would, but not past the limit (reserve() on a string
    // that has capacity may double it, a new string takes what it is asked).
    std::string grown;
    grown.reserve(std::min(memory_limit_, std::max(2 * mem_.capacity(), mem_.size() + text.size())));
    grown.append(mem_);
    mem_.swap(grown);
  }
  if (!chunks_.empty() && chunks_.back().key == key && !chunks_.back().on_disk) {
    chunks_.back().size += text.size();  // the same key as the last chunk: one chunk
  } else {
    chunks_.push_back(Chunk{key, mem_.size(), text.size(), false});
  }
  mem_.append(text);
  return Status::Ok();
}

Status Spool::OpenFile() {
  if (file_ == nullptr) {
    file_ = std::tmpfile();
    if (file_ == nullptr) return IoError(std::string("cannot create a temporary file: ") + std::strerror(errno));
  }
  return Status::Ok();
}

Status Spool::AppendToFile(std::uint64_t key, std::string_view text) {
  if (Status s = OpenFile(); !s.ok()) return s;
  if (std::fseek(file_, 0, SEEK_END) != 0 || std::fwrite(text.data(), 1, text.size(), file_) != text.size() ||
      std::fflush(file_) != 0) {
    return IoError(std::string("cannot write a temporary file: ") + std::strerror(errno));
  }
  if (!chunks_.empty() && chunks_.back().key == key && chunks_.back().on_disk &&
      chunks_.back().offset + chunks_.back().size == file_size_) {
    chunks_.back().size += text.size();
  } else {
    chunks_.push_back(Chunk{key, file_size_, text.size(), true});
  }
  file_size_ += text.size();
  return Status::Ok();
}

Status Spool::Spill() {
  if (Status s = OpenFile(); !s.ok()) return s;
  if (std::fseek(file_, 0, SEEK_END) != 0 || std::fwrite(mem_.data(), 1, mem_.size(), file_) != mem_.size() ||
      std::fflush(file_) != 0) {
    return IoError(std::string("cannot write a temporary file: ") + std::strerror(errno));
  }
  for (Chunk& c : chunks_) {
    if (c.on_disk) continue;
    c.offset += file_size_;
    c.on_disk = true;
  }
  file_size_ += mem_.size();
  mem_.clear();  // its capacity (at most the limit) serves the next texts
  return Status::Ok();
}

Status Spool::Drain(const TextSink& sink, std::size_t skip_first) {
  std::stable_sort(chunks_.begin(), chunks_.end(), [](const Chunk& a, const Chunk& b) { return a.key < b.key; });
  std::string buf;
  Status st;
  for (const Chunk& c : chunks_) {
    std::uint64_t offset = c.offset, size = c.size;
    const std::uint64_t skip = std::min<std::uint64_t>(skip_first, size);
    offset += skip;
    size -= skip;
    skip_first = 0;
    if (!c.on_disk) {
      if (!sink(std::string_view(mem_).substr(offset, size))) {
        st = IoError("cannot write the output");
        break;
      }
      continue;
    }
    // Read back in pieces of at most a megabyte.
    while (size > 0) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size, 1u << 20));
      buf.resize(n);
      if (std::fseek(file_, static_cast<long>(offset), SEEK_SET) != 0 || std::fread(buf.data(), 1, n, file_) != n) {
        st = IoError(std::string("cannot read a temporary file back: ") + std::strerror(errno));
        break;
      }
      if (!sink(buf)) {
        st = IoError("cannot write the output");
        break;
      }
      offset += n;
      size -= n;
    }
    if (!st.ok()) break;
  }
  chunks_.clear();
  std::string().swap(mem_);
  if (file_ != nullptr) {
    std::fclose(file_);
    file_ = nullptr;
    file_size_ = 0;
  }
  return st;
}

// ---- JsonDocumentWriter -------------------------------------------------------

namespace {
constexpr std::string_view kSlotMark = "\x01kfix-slot:";
constexpr std::size_t kFlushBytes = 64u << 10;  // bytes buffered before they go to the sink
}  // namespace

struct JsonDocumentWriter::SlotState {
  std::string name;
  bool array = false;
  int depth = 0;           // of the array (or value) itself
  std::string prefix;      // element prefix
  bool any = false;        // elements added
  std::unique_ptr<Spool> spool;
  Value value;             // late values
};

std::string JsonDocumentWriter::Slot(std::string_view name) { return std::string(kSlotMark) + std::string(name); }

JsonDocumentWriter::JsonDocumentWriter(const Value& shell, JsonStyle style, const std::vector<std::string>& arrays,
                                       const std::vector<std::string>& late, TextSink sink,
                                       std::size_t spool_memory)
    : style_(style), sink_(std::move(sink)) {
  std::string text;
  AppendJsonAt(text, shell, style, 0);
  auto add = [&](const std::string& name, bool array) {
    auto s = std::make_unique<SlotState>();
    s->name = name;
    s->array = array;
    if (array) s->spool = std::make_unique<Spool>(spool_memory);
    slots_.push_back(std::move(s));
  };
  for (const std::string& a : arrays) add(a, true);
  for (const std::string& l : late) add(l, false);
  // Split the shell's text at the placeholders, in document order.
  std::vector<std::pair<std::size_t, int>> at;  // (position, slot)
  std::vector<std::string> marks(slots_.size());
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    AppendJsonString(marks[i], Slot(slots_[i]->name));
    const std::size_t p = text.find(marks[i]);
    if (p != std::string::npos) at.emplace_back(p, static_cast<int>(i));
  }
  std::sort(at.begin(), at.end());
  std::size_t from = 0;
  for (const auto& [p, i] : at) {
    segments_.push_back(text.substr(from, p - from));
    order_.push_back(i);
    SlotState& s = *slots_[static_cast<std::size_t>(i)];
    if (style == JsonStyle::kPretty) {
      const std::size_t nl = text.rfind('\n', p);
      const std::size_t line = nl == std::string::npos ? 0 : nl + 1;
      std::size_t spaces = 0;
      while (line + spaces < p && text[line + spaces] == ' ') ++spaces;
      s.depth = static_cast<int>(spaces / 2);
    }
    s.prefix.assign(1, ',');  // not = ",": GCC 12 warns wrongly (-Wrestrict) on that assignment here
    if (style == JsonStyle::kPretty) {
      s.prefix.push_back('\n');
      s.prefix.append(static_cast<std::size_t>(s.depth + 1) * 2, ' ');
    }
    from = p + marks[static_cast<std::size_t>(i)].size();
  }
  segments_.push_back(text.substr(from));
  // The bytes up to the first slot go out now; a first slot that is an
  // array is written as it comes.
  out_ = std::move(segments_[0]);
  segments_[0].clear();
  if (!order_.empty() && slots_[static_cast<std::size_t>(order_[0])]->array) live_ = order_[0];
}

JsonDocumentWriter::~JsonDocumentWriter() = default;

int JsonDocumentWriter::SlotIndex(std::string_view name) const {
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i]->name == name) return static_cast<int>(i);
  }
  return -1;
}

const std::string& JsonDocumentWriter::ElementPrefix(int slot) const {
  return slots_[static_cast<std::size_t>(slot)]->prefix;
}

int JsonDocumentWriter::ElementDepth(int slot) const { return slots_[static_cast<std::size_t>(slot)]->depth + 1; }

bool JsonDocumentWriter::Write(std::string_view text) {
  if (!status_.ok()) return false;
  if (text.size() >= kFlushBytes) {
    // A large piece (a drained spool) goes to the sink as it is, not
    // through a copy in out_.
    if (!out_.empty() && !sink_(out_)) status_ = IoError("cannot write the output");
    out_.clear();
    if (status_.ok() && !sink_(text)) status_ = IoError("cannot write the output");
    return status_.ok();
  }
  out_.append(text);
  return FlushIfLarge();
}

bool JsonDocumentWriter::FlushIfLarge() {
  if (out_.size() < kFlushBytes) return status_.ok();
  if (!sink_(out_)) status_ = IoError("cannot write the output");
  out_.clear();
  return status_.ok();
}

bool JsonDocumentWriter::Add(int slot, std::uint64_t key, std::string_view elements) {
  if (!status_.ok() || elements.empty()) return status_.ok();
  SlotState& s = *slots_[static_cast<std::size_t>(slot)];
  if (slot == live_) {
    if (!live_any_) {
      out_.push_back('[');
      elements.remove_prefix(1);  // the first element has no comma
      live_any_ = true;
    }
    return Write(elements);
  }
  s.any = true;
  if (Status st = s.spool->Add(key, elements); !st.ok()) status_ = std::move(st);
  return status_.ok();
}

bool JsonDocumentWriter::AddValue(int slot, std::uint64_t key, const Value& element) {
  const SlotState& s = *slots_[static_cast<std::size_t>(slot)];
  std::string text = s.prefix;
  AppendJsonAt(text, element, style_, s.depth + 1);
  return Add(slot, key, text);
}

void JsonDocumentWriter::Set(int slot, Value value) { slots_[static_cast<std::size_t>(slot)]->value = std::move(value); }

void JsonDocumentWriter::CloseArray(const SlotState& s) {
  if (style_ == JsonStyle::kPretty) {
    out_.push_back('\n');
    out_.append(static_cast<std::size_t>(s.depth) * 2, ' ');
  }
  out_.push_back(']');
}

bool JsonDocumentWriter::Advance() {
  if (!status_.ok() || live_ < 0 || next_ >= order_.size() || order_[next_] != live_) return false;
  if (live_any_) {
    CloseArray(*slots_[static_cast<std::size_t>(live_)]);
  } else {
    out_ += "[]";
  }
  live_ = -1;
  live_any_ = false;
  ++next_;
  if (next_ >= order_.size() || !Write(segments_[next_])) return status_.ok();
  SlotState& s = *slots_[static_cast<std::size_t>(order_[next_])];
  if (!s.array) return true;
  live_ = order_[next_];
  if (s.any) {
    out_.push_back('[');
    live_any_ = true;
    Status st = s.spool->Drain([&](std::string_view piece) { return Write(piece); }, 1);
    if (!st.ok() && status_.ok()) status_ = std::move(st);
    s.any = false;
  }
  return status_.ok();
}

bool JsonDocumentWriter::Finish() {
  for (std::size_t k = next_; k < order_.size() && status_.ok(); ++k) {
    const int i = order_[k];
    SlotState& s = *slots_[static_cast<std::size_t>(i)];
    if (k > next_) Write(segments_[k]);  // the text before next_'s slot is out already
    if (i == live_) {
      if (live_any_) {
        CloseArray(s);
      } else {
        out_ += "[]";
      }
    } else if (s.array) {
      if (!s.any) {
        out_ += "[]";
      } else {
        out_.push_back('[');
        Status st = s.spool->Drain([&](std::string_view piece) { return Write(piece); }, 1);
        if (!st.ok() && status_.ok()) status_ = std::move(st);
        CloseArray(s);
      }
    } else {
      AppendJsonAt(out_, s.value, style_, s.depth);
    }
    FlushIfLarge();
  }
  if (status_.ok()) {
    out_ += segments_.back();
    if (!out_.empty() && !sink_(out_)) status_ = IoError("cannot write the output");
    out_.clear();
  }
  return status_.ok();
}

}  // namespace kfix::internal
