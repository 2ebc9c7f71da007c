// StopMatcher and ReasoningSplitter (declared in hearth/sampler.h): streaming text
// filters that hold back a suffix that could still become a stop string or a tag.
#include "hearth/sampler.h"

#include <algorithm>
#include <utility>

namespace hearth::runtime {

namespace {

// Length of the longest suffix of `text` that is a proper prefix of `pattern`.
std::size_t partialSuffix(std::string_view text, std::string_view pattern)
{
  for (std::size_t n = std::min(text.size(), pattern.size() - 1); n > 0; --n)
    if (text.substr(text.size() - n) == pattern.substr(0, n))
      return n;
  return 0;
}

bool isSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

} // namespace

StopMatcher::StopMatcher(std::vector<std::string> stopStrings)
{
  for (auto &s : stopStrings)
    if (!s.empty())
      m_stops.push_back(std::move(s));
}

std::string StopMatcher::push(std::string_view piece)
{
  if (m_stopped)
    return {};
  m_held += piece;
  std::size_t first = std::string::npos;
  for (const auto &stop : m_stops) {
    std::size_t at = m_held.find(stop);
    if (at < first) {
      first = at;
      m_matched = stop;
    }
  }
  if (first != std::string::npos) {
    m_stopped = true;
    std::string shown = m_held.substr(0, first);
    m_held.clear();
    return shown;
  }
  std::size_t hold = 0;
  for (const auto &stop : m_stops)
    hold = std::max(hold, partialSuffix(m_held, stop));
  std::string shown = m_held.substr(0, m_held.size() - hold);
  m_held.erase(0, m_held.size() - hold);
  return shown;
}

std::string StopMatcher::flush()
{
  if (m_stopped)
    return {};
  return std::exchange(m_held, std::string());
}

ReasoningSplitter::ReasoningSplitter(std::string openTag, std::string closeTag, bool startInside)
    : m_open(std::move(openTag)), m_close(std::move(closeTag)), m_inside(startInside), m_sawReasoning(startInside)
{
}

void ReasoningSplitter::route(std::string_view text, Pieces &out)
{
  if (m_inside) {
    out.reasoning += text;
    return;
  }
  if (!m_answerStarted && m_sawReasoning) { // drop the blank lines between </think> and the answer
    while (!text.empty() && isSpace(text.front()))
      text.remove_prefix(1);
  }
  if (!text.empty())
    m_answerStarted = true;
  out.answer += text;
}

ReasoningSplitter::Pieces ReasoningSplitter::push(std::string_view text)
{
  Pieces out;
  m_held += text;
  for (;;) {
    if (m_inside) {
      std::size_t at = m_held.find(m_close);
      if (at == std::string::npos) {
        std::size_t hold = partialSuffix(m_held, m_close);
        route(std::string_view(m_held).substr(0, m_held.size() - hold), out);
        m_held.erase(0, m_held.size() - hold);
        return out;
      }
      route(std::string_view(m_held).substr(0, at), out);
      m_held.erase(0, at + m_close.size());
      m_inside = false;
      continue;
    }
    if (m_answerStarted) { // once the answer has started, tags are just text
      route(m_held, out);
      m_held.clear();
      return out;
    }
    // Before the answer: leading whitespace, then either <think> or the answer.
    std::size_t first = m_held.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
      return out; // only whitespace so far: wait
    std::string_view rest = std::string_view(m_held).substr(first);
    if (rest.starts_with(m_open)) {
      m_held.erase(0, first + m_open.size());
      m_inside = true;
      m_sawReasoning = true;
      continue;
    }
    if (std::string_view(m_open).starts_with(rest))
      return out; // a partial "<thi": wait
    route(m_held, out);
    m_held.clear();
    return out;
  }
}

ReasoningSplitter::Pieces ReasoningSplitter::flush()
{
  Pieces out;
  route(m_held, out);
  m_held.clear();
  return out;
}

} // namespace hearth::runtime
