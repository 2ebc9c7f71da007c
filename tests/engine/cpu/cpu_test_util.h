// Helpers shared by the CPU backend's model tests: token sequences, logits of every
// position, per-position NMSE checks, synthetic model files.
#pragma once

#include "hearth/model.h"
#include "models/synthetic.h"
#include "op_test.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace hearth::test {

inline std::vector<int32_t> someTokens(size_t n, uint32_t vocab, uint32_t seed)
{
  std::vector<int32_t> t(n);
  uint32_t s = seed;
  for (auto &x : t) {
    s = s * 1664525u + 1013904223u;
    x = int32_t((s >> 8) % vocab);
  }
  return t;
}

// Logits of every position from an empty cache: in one eval, or token by token.
inline std::vector<float> allLogits(Model &m, std::span<const int32_t> tokens, bool oneByOne)
{
  EXPECT_TRUE(m.truncate(0));
  std::vector<float> out;
  if (!oneByOne) {
    auto l = m.eval(tokens, 0, true);
    EXPECT_TRUE(l.has_value()) << l.error().message;
    if (l)
      out.assign(l->begin(), l->end());
    return out;
  }
  for (size_t i = 0; i < tokens.size(); ++i) {
    auto l = m.eval(tokens.subspan(i, 1), uint32_t(i));
    EXPECT_TRUE(l.has_value()) << l.error().message;
    if (!l)
      return {};
    EXPECT_EQ(l->size(), m.config().nVocab);
    out.insert(out.end(), l->begin(), l->end());
  }
  return out;
}

// Every position's logits within maxNmse; prints and returns the worst NMSE.
inline double expectPerPosition(const std::vector<float> &ref, const std::vector<float> &got, size_t vocab,
                                double maxNmse, const std::string &what)
{
  EXPECT_EQ(ref.size(), got.size()) << what;
  if (ref.size() != got.size())
    return INFINITY;
  double worst = 0;
  for (size_t p = 0; p * vocab < ref.size(); ++p) {
    const std::span<const float> a(ref.data() + p * vocab, vocab), b(got.data() + p * vocab, vocab);
    worst = std::max(worst, nmse(a, b));
    EXPECT_TRUE(matches(a, b, maxNmse, what + " position " + std::to_string(p)));
  }
  std::printf("%s: worst NMSE over %zu positions %.3g\n", what.c_str(), ref.size() / vocab, worst);
  return worst;
}

inline std::filesystem::path dataDir()
{
  const char *dir = std::getenv("HEARTH_DATA_DIR");
  const auto path = std::filesystem::path(dir ? dir : "/tmp") / "cpu-tests";
  std::filesystem::create_directories(path);
  return path;
}

inline std::filesystem::path demoModel()
{
  const char *path = std::getenv("HEARTH_DEMO_MODEL");
  EXPECT_TRUE(path && std::filesystem::exists(path)) << "demo model missing (HEARTH_DEMO_MODEL)";
  return path ? path : "";
}

} // namespace hearth::test
