// Sampling: every filter checked against an independent computation of the set it
// must keep, draws against the expected distribution (fixed seeds, so deterministic),
// and the text-stream filters against random splittings of their input.
#include "hearth/sampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

using namespace hearth::runtime;

namespace {

// Independent reference: softmax with long double, sorted by probability.
std::vector<std::pair<int32_t, long double>> referenceProbs(const std::vector<float> &logits, long double temperature = 1)
{
  long double maxL = *std::max_element(logits.begin(), logits.end()), sum = 0;
  std::vector<std::pair<int32_t, long double>> p;
  for (std::size_t i = 0; i < logits.size(); ++i) {
    long double w = std::exp((logits[i] - maxL) / temperature);
    p.emplace_back(int32_t(i), w);
    sum += w;
  }
  for (auto &[t, w] : p)
    w /= sum;
  std::sort(p.begin(), p.end(), [](auto &a, auto &b) { return a.second > b.second; });
  return p;
}

SamplerSettings plain(float temperature, uint64_t seed = 7)
{
  SamplerSettings s;
  s.temperature = temperature;
  s.topK = 0;
  s.topP = 1.0f;
  s.minP = 0.0f;
  s.seed = seed;
  return s;
}

std::set<int32_t> tokensOf(const std::vector<Candidate> &c)
{
  std::set<int32_t> out;
  for (auto &x : c)
    out.insert(x.token);
  return out;
}

// Draws n tokens; checks each lies in `expected` and its frequency is within 5 sigma.
void expectDrawsFollow(Sampler &sampler, const std::vector<float> &logits,
                       const std::map<int32_t, long double> &expected, int n = 40000)
{
  std::map<int32_t, int> counts;
  for (int i = 0; i < n; ++i) {
    int32_t t = sampler.sample(logits);
    ASSERT_TRUE(expected.count(t)) << "drew token " << t << " outside the allowed set";
    ++counts[t];
  }
  for (auto [token, p] : expected) {
    double sigma = std::sqrt(double(n * p * (1 - p)));
    EXPECT_NEAR(counts[token], double(n * p), 5 * sigma + 1) << "token " << token << " p=" << double(p);
  }
}

const std::vector<float> kLogits = {1.0f, 3.2f, -0.5f, 2.9f, 0.3f, 3.0f, -2.0f, 1.7f, 2.2f, 0.0f};

} // namespace

TEST(Sampler, GreedyTakesHighestLogitLowestIdOnTies)
{
  Sampler s(plain(0.0f));
  EXPECT_EQ(s.sample(kLogits), 1);
  std::vector<float> ties = {0.5f, 2.0f, 1.0f, 2.0f};
  EXPECT_EQ(s.sample(ties), 1);
  auto d = s.distribution(kLogits);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].token, 1);
  EXPECT_FLOAT_EQ(d[0].probability, 1.0f);
}

TEST(Sampler, TopKOfOneIsGreedyWhateverTheTemperatureAndSeed)
{
  std::mt19937 gen(1);
  std::normal_distribution<float> normal(0, 3);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<float> logits(100);
    for (auto &l : logits)
      l = normal(gen);
    SamplerSettings settings = plain(2.5f, uint64_t(trial));
    settings.topK = 1;
    Sampler s(settings);
    int32_t argmax = int32_t(std::max_element(logits.begin(), logits.end()) - logits.begin());
    EXPECT_EQ(s.sample(logits), argmax);
  }
}

TEST(Sampler, TopKKeepsTheKHighest)
{
  SamplerSettings settings = plain(1.0f);
  settings.topK = 3;
  Sampler s(settings);
  EXPECT_EQ(tokensOf(s.distribution(kLogits)), (std::set<int32_t>{1, 5, 3}));
}

TEST(Sampler, TopPKeepsSmallestPrefixReachingP)
{
  for (float p : {0.3f, 0.5f, 0.75f, 0.9f}) {
    auto ref = referenceProbs(kLogits);
    std::map<int32_t, long double> kept;
    long double cumulative = 0, mass = 0;
    for (auto [t, q] : ref) {
      kept[t] = q;
      mass += q;
      cumulative += q;
      if (cumulative >= p)
        break;
    }
    const float temperature = 0.8f;
    // Survivors are re-weighted at the temperature: p^(1/T), renormalized.
    long double norm = 0;
    for (auto &[t, q] : kept)
      norm += std::pow(q, 1 / (long double)temperature);
    for (auto &[t, q] : kept)
      q = std::pow(q, 1 / (long double)temperature) / norm;

    SamplerSettings settings = plain(temperature, 1234);
    settings.topP = p;
    Sampler s(settings);
    auto d = s.distribution(kLogits);
    std::set<int32_t> expectedSet;
    for (auto &[t, q] : kept)
      expectedSet.insert(t);
    EXPECT_EQ(tokensOf(d), expectedSet) << "top-p " << p;
    for (auto &c : d)
      EXPECT_NEAR(c.probability, double(kept[c.token]), 1e-5) << "top-p " << p << " token " << c.token;
    expectDrawsFollow(s, kLogits, kept);
  }
}

TEST(Sampler, MinPKeepsTokensAboveFractionOfTheBest)
{
  for (float minP : {0.05f, 0.3f, 0.8f}) {
    auto ref = referenceProbs(kLogits);
    std::map<int32_t, long double> kept;
    for (auto [t, q] : ref)
      if (q >= minP * ref.front().second)
        kept[t] = q;
    long double mass = 0;
    for (auto &[t, q] : kept)
      mass += q;
    for (auto &[t, q] : kept)
      q /= mass;
    SamplerSettings settings = plain(1.0f, 99);
    settings.minP = minP;
    Sampler s(settings);
    std::set<int32_t> expectedSet;
    for (auto &[t, q] : kept)
      expectedSet.insert(t);
    EXPECT_EQ(tokensOf(s.distribution(kLogits)), expectedSet) << "min-p " << minP;
    expectDrawsFollow(s, kLogits, kept);
  }
}

TEST(Sampler, TemperatureDrawsFollowSoftmax)
{
  for (float t : {0.5f, 1.0f, 2.0f}) {
    std::map<int32_t, long double> expected;
    for (auto [token, q] : referenceProbs(kLogits, t))
      expected[token] = q;
    Sampler s(plain(t, 2024));
    expectDrawsFollow(s, kLogits, expected);
  }
}

TEST(Sampler, PenaltiesApplyToTheWindowOnly)
{
  SamplerSettings settings = plain(1.0f);
  settings.repeatPenalty = 2.0f;
  settings.frequencyPenalty = 0.5f;
  settings.presencePenalty = 0.25f;
  settings.penaltyWindow = 4;
  Sampler s(settings);
  std::vector<int32_t> history = {3, 3, 5, 5, 2, 5};
  s.reset(history); // window: 5, 5, 2, 5
  std::vector<float> logits = {1.0f, 1.0f, -1.0f, 4.0f, 1.0f, 2.0f};
  auto out = s.penalized(logits);
  EXPECT_FLOAT_EQ(out[0], 1.0f);
  EXPECT_FLOAT_EQ(out[3], 4.0f);                         // 3 fell out of the window
  EXPECT_FLOAT_EQ(out[2], -1.0f * 2 - 0.5f * 1 - 0.25f); // negative: multiplied
  EXPECT_FLOAT_EQ(out[5], 2.0f / 2 - 0.5f * 3 - 0.25f);  // positive: divided; three occurrences
  s.accept(0);                                           // window: 5, 2, 5, 0
  EXPECT_FLOAT_EQ(s.penalized(logits)[5], 2.0f / 2 - 0.5f * 2 - 0.25f);
  EXPECT_LT(s.penalized(logits)[0], 1.0f);
  // A penalized greedy choice moves away from the repeated token.
  SamplerSettings greedy = settings;
  greedy.temperature = 0;
  Sampler g(greedy);
  EXPECT_EQ(g.sample(logits), 3); // nothing seen yet: 4 is the best
  g.reset(std::vector<int32_t>{3});
  EXPECT_EQ(g.sample(logits), 5); // 4/2 - 0.5 - 0.25 = 1.25 < 2
}

TEST(Sampler, SameSeedSameChoices)
{
  std::vector<float> logits(300);
  std::mt19937 gen(3);
  std::normal_distribution<float> normal(0, 1.5f);
  for (auto &l : logits)
    l = normal(gen);
  SamplerSettings settings;
  settings.seed = 42;
  settings.repeatPenalty = 1.1f;
  Sampler a(settings), b(settings);
  settings.seed = 43;
  Sampler c(settings);
  std::vector<int32_t> ra, rb, rc;
  for (int i = 0; i < 500; ++i) {
    ra.push_back(a.sample(logits));
    rb.push_back(b.sample(logits));
    rc.push_back(c.sample(logits));
  }
  EXPECT_EQ(ra, rb);
  EXPECT_NE(ra, rc);
  EXPECT_GT(std::set<int32_t>(ra.begin(), ra.end()).size(), 10u); // it really samples
  a.reset();
  std::vector<int32_t> again;
  for (int i = 0; i < 500; ++i)
    again.push_back(a.sample(logits));
  EXPECT_EQ(again, ra);
}

TEST(StopMatcher, StopStringSplitAcrossPiecesIsNeverShown)
{
  StopMatcher m({"</s>", "<|im_end|>"});
  std::string shown;
  for (std::string_view piece : {"Hel", "lo<", "|im", "_e", "nd|> more", " text"})
    shown += m.push(piece);
  EXPECT_TRUE(m.stopped());
  EXPECT_EQ(m.matched(), "<|im_end|>");
  EXPECT_EQ(shown, "Hello");
  EXPECT_EQ(m.flush(), "");
}

TEST(StopMatcher, HeldTextIsReleasedWhenItDiverges)
{
  StopMatcher m({"</s>"});
  EXPECT_EQ(m.push("a<"), "a");
  EXPECT_EQ(m.push("/"), "");
  EXPECT_EQ(m.push("b>"), "</b>");
  EXPECT_EQ(m.push("</"), "");
  EXPECT_EQ(m.flush(), "</");
  EXPECT_FALSE(m.stopped());
}

TEST(StopMatcher, AnySplittingGivesTheTextUpToTheFirstStop)
{
  std::mt19937 gen(11);
  const std::string alphabet = "ab</s>|";
  const std::vector<std::string> stops = {"</s>", "ab|", "|||"};
  for (int trial = 0; trial < 2000; ++trial) {
    std::string text;
    for (int i = 0, n = int(gen() % 30); i < n; ++i)
      text += alphabet[gen() % alphabet.size()];
    std::size_t first = std::string::npos;
    for (const auto &s : stops)
      first = std::min(first, text.find(s));
    std::string expected = text.substr(0, first);
    StopMatcher m(stops);
    std::string shown;
    for (std::size_t pos = 0; pos < text.size();) {
      std::size_t len = 1 + gen() % 4;
      shown += m.push(std::string_view(text).substr(pos, len));
      pos += len;
      ASSERT_EQ(expected.compare(0, shown.size(), shown), 0) << "showed more than allowed of " << text;
    }
    shown += m.flush();
    EXPECT_EQ(shown, expected) << text;
    EXPECT_EQ(m.stopped(), first != std::string::npos) << text;
  }
}

namespace {
ReasoningSplitter::Pieces splitAll(std::string_view text, std::size_t chunk, bool startInside = false)
{
  ReasoningSplitter r("<think>", "</think>", startInside);
  ReasoningSplitter::Pieces all;
  for (std::size_t pos = 0; pos < text.size(); pos += chunk) {
    auto p = r.push(text.substr(pos, chunk));
    all.reasoning += p.reasoning;
    all.answer += p.answer;
  }
  auto p = r.flush();
  all.reasoning += p.reasoning;
  all.answer += p.answer;
  return all;
}
} // namespace

TEST(ReasoningSplitter, RoutesThinkBlockWhateverTheSplitting)
{
  for (std::size_t chunk = 1; chunk <= 12; ++chunk) {
    auto p = splitAll("<think>\nLet me think: 2+2.\n</think>\n\nThe answer is 4.", chunk);
    EXPECT_EQ(p.reasoning, "\nLet me think: 2+2.\n") << chunk;
    EXPECT_EQ(p.answer, "The answer is 4.") << chunk;
    auto q = splitAll("\n <think>x</think>y", chunk);
    EXPECT_EQ(q.reasoning, "x") << chunk;
    EXPECT_EQ(q.answer, "y") << chunk;
  }
}

TEST(ReasoningSplitter, UnclosedReasoningEndsCleanly)
{
  for (std::size_t chunk = 1; chunk <= 5; ++chunk) {
    auto p = splitAll("<think>still thinking </thi", chunk);
    EXPECT_EQ(p.reasoning, "still thinking </thi") << chunk;
    EXPECT_EQ(p.answer, "");
  }
  ReasoningSplitter r;
  r.push("<think>abc");
  EXPECT_TRUE(r.inReasoning());
  EXPECT_EQ(r.flush().reasoning, "");
}

TEST(ReasoningSplitter, PlainAnswersAndLateTagsStayAnswer)
{
  for (std::size_t chunk = 1; chunk <= 5; ++chunk) {
    auto p = splitAll("Hello <think>not reasoning</think>", chunk);
    EXPECT_EQ(p.reasoning, "");
    EXPECT_EQ(p.answer, "Hello <think>not reasoning</think>") << chunk;
    auto q = splitAll("<thi", chunk);
    EXPECT_EQ(q.answer, "<thi") << chunk;
    auto inside = splitAll("thought</think>answer", chunk, true);
    EXPECT_EQ(inside.reasoning, "thought") << chunk;
    EXPECT_EQ(inside.answer, "answer") << chunk;
  }
}
