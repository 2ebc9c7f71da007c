#include "hearth/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

namespace hearth::runtime {

namespace {

struct Scored {
  int32_t token;
  float logit;
};

// Softmax over the candidates' logits divided by `temperature`, most likely first.
std::vector<Candidate> softmax(const std::vector<Scored> &scored, float temperature)
{
  std::vector<Candidate> out;
  if (scored.empty())
    return out;
  float maxLogit = scored.front().logit;
  for (const auto &s : scored)
    maxLogit = std::max(maxLogit, s.logit);
  double sum = 0;
  std::vector<double> weights;
  weights.reserve(scored.size());
  for (const auto &s : scored) {
    double w = std::exp(double(s.logit - maxLogit) / double(temperature));
    weights.push_back(w);
    sum += w;
  }
  for (std::size_t i = 0; i < scored.size(); ++i)
    out.push_back({scored[i].token, float(weights[i] / sum)});
  std::stable_sort(out.begin(), out.end(), [](const Candidate &a, const Candidate &b) {
    return a.probability > b.probability || (a.probability == b.probability && a.token < b.token);
  });
  return out;
}

// Uniform double in [0, 1) from 53 random bits (the same on every platform).
double uniform(std::mt19937_64 &rng) { return double(rng() >> 11) * 0x1.0p-53; }

} // namespace

Sampler::Sampler(SamplerSettings settings) : m_settings(settings), m_rng(settings.seed) {}

void Sampler::accept(int32_t token)
{
  if (m_settings.penaltyWindow <= 0)
    return;
  m_window.push_back(token);
  while (m_window.size() > std::size_t(m_settings.penaltyWindow))
    m_window.pop_front();
}

void Sampler::reset(std::span<const int32_t> history)
{
  m_window.clear();
  m_rng.seed(m_settings.seed);
  for (int32_t t : history)
    accept(t);
}

std::vector<float> Sampler::penalized(std::span<const float> logits) const
{
  std::vector<float> out(logits.begin(), logits.end());
  const auto &s = m_settings;
  if (m_window.empty() || (s.repeatPenalty == 1.0f && s.presencePenalty == 0.0f && s.frequencyPenalty == 0.0f))
    return out;
  std::unordered_map<int32_t, int> counts;
  for (int32_t t : m_window)
    ++counts[t];
  for (auto [token, count] : counts) {
    if (token < 0 || std::size_t(token) >= out.size())
      continue;
    float &l = out[std::size_t(token)];
    if (s.repeatPenalty != 1.0f && s.repeatPenalty > 0.0f)
      l = l > 0 ? l / s.repeatPenalty : l * s.repeatPenalty;
    l -= float(count) * s.frequencyPenalty + s.presencePenalty;
  }
  return out;
}

std::vector<Candidate> Sampler::distribution(std::span<const float> logits) const
{
  std::vector<float> l = penalized(logits);
  if (l.empty())
    return {};
  const auto &s = m_settings;
  if (s.temperature <= 0.0f) {
    auto best = std::max_element(l.begin(), l.end()); // first maximum: lowest id on ties
    return {{int32_t(best - l.begin()), 1.0f}};
  }
  std::vector<Scored> scored;
  scored.reserve(l.size());
  for (std::size_t i = 0; i < l.size(); ++i)
    if (!std::isnan(l[i]) && l[i] != -INFINITY)
      scored.push_back({int32_t(i), l[i]});
  auto byLogit = [](const Scored &a, const Scored &b) { return a.logit > b.logit || (a.logit == b.logit && a.token < b.token); };
  // top-k
  if (s.topK > 0 && std::size_t(s.topK) < scored.size()) {
    std::partial_sort(scored.begin(), scored.begin() + s.topK, scored.end(), byLogit);
    scored.resize(std::size_t(s.topK));
  } else {
    std::sort(scored.begin(), scored.end(), byLogit);
  }
  // top-p: the smallest most-likely prefix whose probability reaches topP (at temperature 1).
  if (s.topP < 1.0f && !scored.empty()) {
    auto probs = softmax(scored, 1.0f);
    double cumulative = 0;
    std::size_t keep = probs.size();
    for (std::size_t i = 0; i < probs.size(); ++i) {
      cumulative += probs[i].probability;
      if (cumulative >= double(s.topP)) {
        keep = i + 1;
        break;
      }
    }
    scored.resize(keep); // scored and probs share the same order
  }
  // min-p: p >= minP * p(max)  <=>  logit >= maxLogit + log(minP)
  if (s.minP > 0.0f && !scored.empty()) {
    float threshold = scored.front().logit + std::log(s.minP);
    scored.erase(std::remove_if(scored.begin() + 1, scored.end(), [&](const Scored &c) { return c.logit < threshold; }),
                 scored.end());
  }
  return softmax(scored, s.temperature);
}

int32_t Sampler::sample(std::span<const float> logits)
{
  auto candidates = distribution(logits);
  int32_t chosen = 0;
  if (candidates.size() == 1) {
    chosen = candidates.front().token;
  } else if (!candidates.empty()) {
    double r = uniform(m_rng), cumulative = 0;
    chosen = candidates.back().token;
    for (const auto &c : candidates) {
      cumulative += c.probability;
      if (r < cumulative) {
        chosen = c.token;
        break;
      }
    }
  }
  accept(chosen);
  return chosen;
}

} // namespace hearth::runtime
