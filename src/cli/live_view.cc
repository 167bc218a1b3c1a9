#include "cli/live_view.h"

#include <algorithm>
#include <cstdio>

#include "cli/timeline_render.h"
#include "core/phase.h"

namespace ordo::cli {
namespace {

constexpr int kBarWidth = 24;

std::string Bar(double percent) {
  int filled = static_cast<int>(std::clamp(percent, 0.0, 100.0) / 100.0 * kBarWidth + 0.5);
  return "[" + std::string(filled, '#') + std::string(kBarWidth - filled, '.') + "]";
}

std::string Clip(std::string s, size_t width) {
  if (s.size() > width) s = s.substr(0, width - 3) + "...";
  return s;
}

// A completed deployment reads 100%, whatever its tables last reported.
app::CopyFigures Figures(const app::OperationView& ov) {
  app::CopyFigures f = app::FiguresOf(ov);
  if (ov.operation.state == OperationState::kCompleted) f.percent = 100;
  return f;
}

// What a paused apply needs from the user.
std::string PausedHint(const app::ApplyView& view) {
  return "paused after a failure: `ordo release " + view.apply.external_id +
         "` lets the rollout go on without the failed deployment, `ordo cancel " +
         view.apply.external_id + "` ends it";
}

}  // namespace

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string ClockTime(Micros t) {
  std::string s = FormatRfc3339(t);  // 2026-11-27T10:00:00.123456Z
  return s.size() >= 19 ? s.substr(11, 8) + "Z" : s;
}

std::string HumanCount(double n) {
  char buf[32];
  if (n >= 1e6)
    std::snprintf(buf, sizeof buf, "%.1fM", n / 1e6);
  else if (n >= 1e3)
    std::snprintf(buf, sizeof buf, "%.1fk", n / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f", n);
  return buf;
}

std::string HumanDuration(int64_t s) {
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  else
    std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  return buf;
}

void LiveView::Measure(const app::ApplyView& view, Micros now) {
  for (const auto& ov : view.operations) {
    int64_t rows = Figures(ov).copied;
    Rate& r = rates_[ov.operation.id];
    // The engine reports about once a second and the view refreshes faster: measure
    // between reports (a changed count), not between refreshes.
    if (rows == r.rows && r.at != 0 && now - r.at < 5'000'000 &&
        ov.operation.state == OperationState::kRunning)
      continue;
    if (r.at != 0 && now > r.at && rows >= r.rows) {
      double sample = static_cast<double>(rows - r.rows) * 1e6 / static_cast<double>(now - r.at);
      // Smooth over a few samples; a fresh copy starts from its first sample.
      r.per_second = r.per_second == 0 ? sample : 0.7 * r.per_second + 0.3 * sample;
    }
    if (ov.operation.state != OperationState::kRunning) r.per_second = 0;
    r.rows = rows;
    r.at = now;
  }
}

std::string FitWidth(const std::string& line, int columns) {
  // Count characters, not bytes: a UTF-8 continuation byte (10xxxxxx) starts none.
  int chars = 0;
  size_t cut = std::string::npos;
  for (size_t i = 0; i < line.size(); ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;
    if (chars == columns - 1) cut = i;
    if (++chars > columns) return line.substr(0, cut) + "\u2026";
  }
  return line;
}

std::vector<std::string> LiveView::Render(const app::ApplyView& view, Micros now) {
  std::vector<std::string> lines;
  std::string policy =
      view.operations.empty() ? "" : view.operations.front().operation.cutover_policy;
  std::string on_failure =
      view.operations.empty() ? "" : view.operations.front().operation.on_failure;
  lines.push_back(view.apply.external_id + "  " + view.apply.database + "/" +
                  view.apply.environment + "  " + std::string(ToString(view.apply.state)) + "  (" +
                  policy + ", on_failure " + on_failure +
                  (view.apply.options.defer_cutover ? ", manual cutover" : "") + ")");
  for (const auto& ov : view.operations) {
    const OperationRecord& op = ov.operation;
    app::CopyFigures f = Figures(ov);
    char pct[16];
    std::snprintf(pct, sizeof pct, "%5.1f%%", f.percent);
    std::string line = "  " + Pad(op.deployment, 12) + " " +
                       Pad(HumanPhase(OperationPhase(op, ov.changes)), 20) + " " + Bar(f.percent) +
                       " " + pct;
    double rate = rates_.count(op.id) ? rates_[op.id].per_second : 0;
    if (op.state == OperationState::kRunning && rate > 0)
      line += "  " + HumanCount(rate) + " rows/s";
    if (op.state == OperationState::kRunning) {
      std::optional<int64_t> eta = f.eta_seconds;
      if (rate > 0 && f.total > f.copied)
        eta = static_cast<int64_t>(static_cast<double>(f.total - f.copied) / rate);
      if (eta) line += "  ETA " + HumanDuration(*eta);
    }
    if (op.cutover_completed_at) {
      line += "  cut over " + ClockTime(*op.cutover_completed_at);
      if (f.lock_ms) line += ", writes blocked " + std::to_string(*f.lock_ms) + " ms";
      if (op.state == OperationState::kRevertWindow && revert_window_ > 0 && now > 0) {
        int64_t left =
            std::max<int64_t>(0, (*op.cutover_completed_at + revert_window_ - now) / 1'000'000);
        line += "; window " + HumanDuration(left) + " left";
      }
    }
    if (op.error) line += "  error: " + Clip(*op.error, 100);
    if (ov.swap_waiting) line += "  " + Clip(*ov.swap_waiting, 160);
    lines.push_back(line);
    for (const auto& c : ov.changes) {
      std::string change =
          "  " + Pad("", 12) + "  " + Pad(c.table_name, 20) + " " + Clip(c.ddl, 70);
      if (ov.changes.size() > 1) {
        char p[16];
        std::snprintf(p, sizeof p, "  %.0f%%", c.progress);
        change += p;
      }
      lines.push_back(change);
    }
  }
  if (view.apply.error) lines.push_back("  " + *view.apply.error);
  if (view.apply.state == ApplyState::kPaused) lines.push_back("  " + PausedHint(view));
  return lines;
}

void LiveView::Redraw(const std::vector<std::string>& lines) {
  if (drawn_ > 0) out_ << "\x1b[" << drawn_ << "A\r";
  // The timeline's lines fit already (and their colour escapes take no columns).
  for (const auto& l : lines) out_ << "\x1b[2K" << (timeline_ ? l : FitWidth(l, columns_)) << "\n";
  // Lines left from a longer previous frame.
  for (int i = static_cast<int>(lines.size()); i < drawn_; ++i) out_ << "\x1b[2K\n";
  if (drawn_ > static_cast<int>(lines.size()))
    out_ << "\x1b[" << (drawn_ - static_cast<int>(lines.size())) << "A";
  drawn_ = static_cast<int>(lines.size());
  out_.flush();
}

void LiveView::PrintChanges(const app::ApplyView& view, Micros now) {
  std::string apply_state(ToString(view.apply.state));
  if (apply_state != last_apply_state_) {
    out_ << view.apply.external_id << ": " << apply_state << "\n";
    if (view.apply.state == ApplyState::kPaused) out_ << "  " << PausedHint(view) << "\n";
    last_apply_state_ = apply_state;
  }
  bool progress_due = now - last_progress_line_ >= 10'000'000;
  for (const auto& ov : view.operations) {
    const OperationRecord& op = ov.operation;
    std::string state = HumanPhase(OperationPhase(op, ov.changes));
    app::CopyFigures f = Figures(ov);
    std::string& last = last_state_[op.id];
    if (state != last) {
      out_ << "  " << op.deployment << ": " << (last.empty() ? "" : last + " -> ") << state;
      if (op.cutover_completed_at &&
          (op.state == OperationState::kRevertWindow || op.state == OperationState::kCompleted)) {
        out_ << " (cut over " << FormatRfc3339(*op.cutover_completed_at);
        if (f.lock_ms) out_ << ", writes blocked " << *f.lock_ms << " ms";
        if (op.state == OperationState::kRevertWindow && revert_window_ > 0)
          out_ << "; window until " << FormatRfc3339(*op.cutover_completed_at + revert_window_);
        out_ << ")";
      }
      if (op.error) out_ << ": " << *op.error;
      out_ << "\n";
      last = state;
    } else if (ov.swap_waiting && *ov.swap_waiting != last_waiting_[op.id]) {
      out_ << "  " << op.deployment << ": " << *ov.swap_waiting << "\n";
      last_waiting_[op.id] = *ov.swap_waiting;
    } else if (progress_due && op.state == OperationState::kRunning) {
      char pct[16];
      std::snprintf(pct, sizeof pct, "%.1f%%", f.percent);
      out_ << "  " << op.deployment << ": " << pct << " (" << f.copied << "/" << f.total << " rows";
      double rate = rates_[op.id].per_second;
      if (rate > 0) out_ << ", " << HumanCount(rate) << " rows/s";
      out_ << ")\n";
    }
  }
  if (progress_due) last_progress_line_ = now;
  out_.flush();
}

void LiveView::Update(const app::ApplyView& view, Micros now) {
  Measure(view, now);
  if (tty_)
    Redraw(Render(view, now));
  else
    PrintChanges(view, now);
}

void LiveView::Update(const app::ApplyView& view, const std::vector<EventRecord>& events,
                      Micros now) {
  if (!timeline_) return Update(view, now);
  Measure(view, now);
  app::Timeline t = app::BuildTimeline(view, events, now, revert_window_);
  if (tty_) return Redraw(RenderTimeline(t, {columns_, color_}));
  PrintChanges(view, now);
  if (!IsSettled(view.apply.state) || timeline_printed_) return;
  for (const std::string& line : RenderTimeline(t, {columns_, false})) out_ << line << "\n";
  out_.flush();
  timeline_printed_ = true;
}

void LiveView::Note(const std::string& line) {
  if (tty_ && drawn_ > 0) {
    // Print above the view: move to its top, write the note, and let the next
    // Update redraw below it.
    out_ << "\x1b[" << drawn_ << "A\r\x1b[J";
    drawn_ = 0;
  }
  out_ << line << "\n";
  out_.flush();
}

}  // namespace ordo::cli
