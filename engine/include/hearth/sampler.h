// Choosing the next token, and shaping the text stream that comes back.
//
// Sampler turns a logits vector into a token: penalties over a window of recent
// tokens, then top-k, top-p and min-p filtering, then temperature, then a draw from
// a seeded generator (std::mt19937_64 with Hearth's own uniform conversion, so the
// same seed, settings and logits give the same token on every platform).
// Temperature <= 0 is greedy (the highest logit after penalties, lowest id on ties).
//
//   Sampler sampler({.temperature = 0.7f, .topP = 0.9f, .seed = 42});
//   sampler.reset(promptTokens);              // penalties see the prompt too
//   int32_t next = sampler.sample(logits);    // also adds `next` to the window
//
// StopMatcher holds back text that could be the start of a stop string, so a stop
// string split across tokens is caught and never shown. ReasoningSplitter routes
// text inside <think>...</think> to reasoning and the rest to the answer.
#pragma once

#include <cstdint>
#include <deque>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::runtime {

struct SamplerSettings {
  float temperature = 0.8f;      // <= 0: greedy
  int32_t topK = 40;             // <= 0: off
  float topP = 0.95f;            // >= 1: off
  float minP = 0.05f;            // <= 0: off; keeps p >= minP * p(most likely)
  float repeatPenalty = 1.0f;    // 1: off; a seen token's logit is divided (if > 0) or multiplied by it
  float presencePenalty = 0.0f;  // subtracted once from a seen token's logit
  float frequencyPenalty = 0.0f; // subtracted per occurrence in the window
  int32_t penaltyWindow = 64;    // how many recent tokens the penalties look at
  uint64_t seed = 0;
};

struct Candidate {
  int32_t token;
  float probability;
};

class Sampler {
public:
  explicit Sampler(SamplerSettings settings = {});

  // Picks a token from logits [n_vocab] and adds it to the penalty window.
  int32_t sample(std::span<const float> logits);
  // The distribution sample() draws from: the tokens that survive every filter with
  // their probabilities (summing to 1), most likely first. Greedy: one candidate.
  std::vector<Candidate> distribution(std::span<const float> logits) const;
  // Logits after the penalties (what the filters start from).
  std::vector<float> penalized(std::span<const float> logits) const;

  // Adds a token to the penalty window (for tokens chosen elsewhere).
  void accept(int32_t token);
  // Clears the window (then fills it with `history`, e.g. the prompt) and restarts the
  // generator from the seed.
  void reset(std::span<const int32_t> history = {});

  const SamplerSettings &settings() const { return m_settings; }

private:
  SamplerSettings m_settings;
  std::mt19937_64 m_rng;
  std::deque<int32_t> m_window;
};

// Streams generated text while watching for stop strings.
class StopMatcher {
public:
  explicit StopMatcher(std::vector<std::string> stopStrings);

  // Feeds the next piece of text; returns the text that is now safe to show. Text that
  // might begin a stop string is held back until it is clearly not one. After a stop
  // string completes, stopped() is true, the text before it has been returned, and
  // the stop string and everything after it are dropped.
  std::string push(std::string_view piece);
  // End of generation: returns whatever was held back (it was not a stop string).
  std::string flush();
  bool stopped() const { return m_stopped; }
  // Which stop string matched (empty when none did).
  const std::string &matched() const { return m_matched; }

private:
  std::vector<std::string> m_stops;
  std::string m_held;
  std::string m_matched;
  bool m_stopped = false;
};

// Splits a reply into reasoning (inside <think>...</think>) and answer text as it streams.
class ReasoningSplitter {
public:
  // `startInside`: the prompt already opened the reasoning block (templates that end
  // the generation prompt with "<think>\n").
  explicit ReasoningSplitter(std::string openTag = "<think>", std::string closeTag = "</think>",
                             bool startInside = false);

  struct Pieces {
    std::string reasoning;
    std::string answer;
  };
  // Feeds generated text; tags are removed, partial tags held back until complete.
  // Whitespace right after the closing tag (before the answer starts) is dropped.
  Pieces push(std::string_view text);
  // End of the reply: releases held-back text. A reply whose reasoning never closed
  // ends cleanly with everything after <think> as reasoning.
  Pieces flush();
  bool inReasoning() const { return m_inside; }
  bool sawReasoning() const { return m_sawReasoning; }

private:
  void route(std::string_view text, Pieces &out);

  std::string m_open, m_close;
  std::string m_held;
  bool m_inside = false;
  bool m_sawReasoning = false;
  bool m_answerStarted = false;
};

} // namespace hearth::runtime
