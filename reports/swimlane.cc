// The picture: a self-contained HTML page with one SVG swimlane per thread.
// Rows are the model events in step order; a box per event in its thread's
// lane, a connector where control passes to another thread, a dashed rule
// across all lanes at each preemption, the fatal events in red. Every box has
// a hover title with the whole event.
#include <algorithm>
#include <sstream>

#include "core/scenario.h"
#include "reports/describe.h"
#include "reports/report.h"
#include "schedules/model_enums.h"
#include "schedules/schedule_io.h"

namespace dcfuzz {
namespace {

constexpr int kStepColumn = 64;
constexpr int kLaneWidth = 370;
constexpr int kBoxWidth = 350;
constexpr int kRowHeight = 22;
constexpr int kHeaderHeight = 64;
constexpr size_t kLabelChars = 51;
constexpr int kNotesWidth = 170;  // right of the lanes: what each preemption does

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string shorten(const std::string& s, size_t n) {
  return s.size() <= n ? s : s.substr(0, n - 3) + "...";
}

// The colour class of an event, by what it does to whom.
const char* event_class(EventKind kind) {
  switch (kind) {
    case EventKind::wake:
      return "wake";
    case EventKind::sleep:
      return "wait";
    case EventKind::unlock:
      return "unlock";
    case EventKind::lock:
      return "lock";
    case EventKind::state:
    case EventKind::lookup_end:
      return "state";
    case EventKind::other:
      break;
  }
  return "other";
}

int lane_x(int thread) { return kStepColumn + thread * kLaneWidth; }
int row_y(size_t row) { return kHeaderHeight + int(row) * kRowHeight; }

void write_style(std::ostream& out) {
  out << "<style>\n"
         "body{font-family:sans-serif;margin:16px;color:#222}\n"
         "h1{font-size:18px;font-family:monospace;color:#b00}\n"
         "h1.clean{color:#060}\n"
         "pre{background:#f4f4f4;padding:8px;font-size:12px;white-space:pre-wrap}\n"
         ".legend span{display:inline-block;padding:2px 8px;margin-right:6px;border:1px solid "
         "#999;font-size:12px}\n"
         "svg text{font-family:monospace;font-size:11px}\n"
         ".lock{fill:#dbe8ff}.unlock{fill:#eef4ff}.wait{fill:#ffe3b8}.wake{fill:#d4f5d4}\n"
         ".state{fill:#f0e0ff}.other{fill:#f2f2f2}\n"
         ".fatal{fill:#ff6b6b;stroke:#900;stroke-width:2}\n"
         ".box{stroke:#888}.lane{fill:none;stroke:#ccc}\n"
         ".preempt{stroke:#c60;stroke-dasharray:6 4}\n"
         ".handoff{stroke:#999;fill:none}\n"
         ".preempt-label{fill:#c60;font-size:10px}\n"
         "</style>\n";
}

void write_header(std::ostream& out, const pb::Schedule& schedule, const Execution& execution) {
  const auto& sc = schedule.scenario();
  out << "<h1" << (execution.found ? "" : " class=\"clean\"") << ">"
      << escape(execution.found ? execution.title : "no finding") << "</h1>\n"
      << "<p>kernel " << escape(describe_kernel(sc.kernel())) << ", filesystem "
      << fs_name(to_model(sc.fs())) << "; " << execution.steps << " scheduling steps, "
      << schedule.preemptions_size() << " preemption(s), " << schedule.faults_size()
      << " injected fault(s)</p>\n<ul>\n";
  for (int t = 0; t < sc.threads_size(); ++t) {
    out << "<li>T" << t + 1 << ": " << escape(describe_thread(sc.threads(t))) << "</li>\n";
  }
  out << "</ul>\n<p class=\"legend\"><span style=\"background:#dbe8ff\">lock</span>"
         "<span style=\"background:#eef4ff\">unlock</span>"
         "<span style=\"background:#ffe3b8\">wait</span>"
         "<span style=\"background:#d4f5d4\">wake</span>"
         "<span style=\"background:#f0e0ff\">dentry state</span>"
         "<span style=\"background:#ff6b6b\">fatal</span>"
         "<span style=\"border-style:dashed;border-color:#c60\">preemption</span></p>\n";
}

void write_lanes(std::ostream& out, const pb::Scenario& sc, int height) {
  for (int t = 0; t < sc.threads_size(); ++t) {
    const int x = lane_x(t);
    out << "<rect class=\"lane\" x=\"" << x << "\" y=\"8\" width=\"" << kLaneWidth - 4
        << "\" height=\"" << height - 12 << "\"/>\n"
        << "<text x=\"" << x + 8 << "\" y=\"28\" font-weight=\"bold\">T" << t + 1 << "</text>\n"
        << "<text x=\"" << x + 36 << "\" y=\"28\">"
        << escape(shorten(describe_thread(sc.threads(t)), 40)) << "<title>"
        << escape(describe_thread(sc.threads(t))) << "</title></text>\n";
  }
  out << "<text x=\"8\" y=\"28\" font-weight=\"bold\">step</text>\n";
}

void write_preemption(std::ostream& out, const pb::Preemption& p, size_t row, int lanes) {
  const int y = row_y(row) - 2;
  const int end = lane_x(lanes);
  out << "<line class=\"preempt\" x1=\"4\" x2=\"" << end + 4 << "\" y1=\"" << y << "\" y2=\"" << y
      << "\"><title>preemption at step " << p.step() << ": T" << p.thread()
      << " runs</title></line>\n<text class=\"preempt-label\" x=\"" << end + 8 << "\" y=\"" << y + 4
      << "\">preemption: T" << p.thread() << " runs</text>\n";
}

void write_event(std::ostream& out, const TraceEvent& e, size_t row, bool fatal) {
  const int x = lane_x(e.thread) + 8;
  const int y = row_y(row);
  const std::string label = e.function + ": " + e.what + (e.object.empty() ? "" : " " + e.object);
  out << "<g><title>step " << e.step << "  T" << e.thread + 1 << "  " << escape(label)
      << (fatal ? "  (fatal)" : "") << "</title>"
      << "<rect class=\"box " << (fatal ? "fatal" : event_class(e.kind)) << "\" x=\"" << x
      << "\" y=\"" << y + 2 << "\" width=\"" << kBoxWidth << "\" height=\"" << kRowHeight - 4
      << "\" rx=\"4\"/>"
      << "<text x=\"" << x + 6 << "\" y=\"" << y + 15 << "\""
      << (fatal ? " font-weight=\"bold\"" : "") << ">" << escape(shorten(label, kLabelChars))
      << "</text></g>\n"
      << "<text x=\"8\" y=\"" << y + 15 << "\">" << e.step << "</text>\n";
}

// A line from the previous event's box to this one's when the thread changes.
void write_handoff(std::ostream& out, const TraceEvent& from, const TraceEvent& to, size_t row) {
  const bool right = to.thread > from.thread;
  const int x1 = lane_x(from.thread) + 8 + (right ? kBoxWidth : 0);
  const int x2 = lane_x(to.thread) + 8 + (right ? 0 : kBoxWidth);
  out << "<path class=\"handoff\" d=\"M" << x1 << " " << row_y(row - 1) + kRowHeight / 2 << " L"
      << x2 << " " << row_y(row) + kRowHeight / 2 << "\"/>\n";
}

void write_svg(std::ostream& out, const pb::Schedule& schedule, const Execution& execution) {
  const auto& trace = execution.trace;
  const int lanes = std::max(1, schedule.scenario().threads_size());
  const int width = lane_x(lanes) + kNotesWidth;
  const int height = row_y(trace.size()) + 16;
  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << width << " " << height << "\">\n";
  write_lanes(out, schedule.scenario(), height);
  const std::vector<bool> fatal = fatal_events(execution);
  const std::vector<size_t> turns = preemption_positions(schedule, execution);
  for (int p = 0; p < schedule.preemptions_size(); ++p) {
    write_preemption(out, schedule.preemptions(p), turns[size_t(p)], lanes);
  }
  for (size_t i = 0; i < trace.size(); ++i) {
    if (i > 0 && trace[i].thread != trace[i - 1].thread)
      write_handoff(out, trace[i - 1], trace[i], i);
    write_event(out, trace[i], i, fatal[i]);
  }
  out << "</svg>\n";
}

}  // namespace

std::string format_swimlane_html(const pb::Schedule& schedule, const Execution& execution) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n<title>dcfuzz: "
      << escape(execution.found ? execution.title : "no finding") << "</title>\n";
  write_style(out);
  out << "</head><body>\n";
  write_header(out, schedule, execution);
  if (execution.trace.empty()) {
    out << "<p>No model events were recorded (run with tracing).</p>\n";
  } else {
    write_svg(out, schedule, execution);
  }
  if (!execution.details.empty()) {
    out << "<h2>state when it fired</h2>\n<pre>" << escape(execution.details) << "</pre>\n";
  }
  out << "<h2>schedule</h2>\n<pre>" << escape(to_text(schedule)) << "</pre>\n"
      << "<p>replay: <code>dcfuzz replay " << kReproducerFile << "</code></p>\n</body></html>\n";
  return out.str();
}

}  // namespace dcfuzz
