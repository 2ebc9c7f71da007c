#include "agreement.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace hearth::test {

LlamaCppFixture loadLlamaCppFixture(const std::filesystem::path &path)
{
  LlamaCppFixture f;
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "missing fixture " << path;
    return f;
  }
  const auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) {
    ADD_FAILURE() << "malformed fixture " << path;
    return f;
  }
  f.model = j.at("model").get<std::string>();
  for (const auto &p : j.at("prompts")) {
    LlamaCppPrompt prompt;
    prompt.name = p.at("name").get<std::string>();
    prompt.tokens = p.at("tokens").get<std::vector<int32_t>>();
    prompt.topIds = p.at("topIds").get<std::vector<std::vector<int32_t>>>();
    prompt.topLogits = p.at("topLogits").get<std::vector<std::vector<float>>>();
    prompt.greedy = p.at("greedy").get<std::vector<int32_t>>();
    f.prompts.push_back(std::move(prompt));
  }
  return f;
}

namespace {

int32_t argmax(std::span<const float> logits)
{
  return int32_t(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

} // namespace

PromptAgreement checkPrompt(Model &model, const LlamaCppPrompt &prompt, bool decodeContinuation)
{
  PromptAgreement a;
  a.name = prompt.name;
  std::vector<int32_t> seq = prompt.tokens;
  // The last continuation token is never fed back.
  if (!decodeContinuation)
    seq.insert(seq.end(), prompt.greedy.begin(), prompt.greedy.end() - (prompt.greedy.empty() ? 0 : 1));
  if (auto s = model.truncate(0); !s) {
    ADD_FAILURE() << s.error().message;
    return a;
  }
  auto logits = model.eval(seq, 0, /*allLogits=*/true);
  if (!logits) {
    ADD_FAILURE() << prompt.name << ": " << logits.error().message;
    return a;
  }
  const size_t nVocab = model.config().nVocab;
  auto at = [&](size_t pos) { return logits->subspan(pos * nVocab, nVocab); };

  a.positions = prompt.tokens.size();
  const bool verbose = std::getenv("HEARTH_AGREEMENT_VERBOSE") != nullptr;
  for (size_t p = 0; p < a.positions; ++p) {
    const auto row = at(p);
    if (verbose)
      std::printf("%s pos %zu: ours %d (%.4f) llama.cpp %d (%.4f) ours at theirs %.4f\n",
                  prompt.name.c_str(), p, argmax(row), row[argmax(row)], prompt.topIds[p][0],
                  prompt.topLogits[p][0], row[prompt.topIds[p][0]]);
    if (argmax(row) == prompt.topIds[p][0])
      ++a.top1Agree;
    for (size_t k = 0; k < prompt.topIds[p].size(); ++k)
      a.maxLogitDiff = std::max(a.maxLogitDiff, std::abs(row[prompt.topIds[p][k]] - prompt.topLogits[p][k]));
  }
  a.greedyLength = prompt.greedy.size();
  const size_t last = prompt.tokens.size() - 1;
  if (!decodeContinuation) {
    while (a.greedyMatched < a.greedyLength &&
           argmax(at(last + a.greedyMatched)) == prompt.greedy[a.greedyMatched])
      ++a.greedyMatched;
    return a;
  }
  int32_t next = argmax(at(last));
  while (a.greedyMatched < a.greedyLength && next == prompt.greedy[a.greedyMatched]) {
    if (++a.greedyMatched == a.greedyLength)
      break;
    const uint32_t position = uint32_t(prompt.tokens.size() + a.greedyMatched - 1);
    auto step = model.eval(std::span<const int32_t>(&next, 1), position, /*allLogits=*/false);
    if (!step) {
      ADD_FAILURE() << prompt.name << ": " << step.error().message;
      return a;
    }
    next = argmax(*step);
  }
  return a;
}

size_t AgreementReport::positions() const
{
  size_t n = 0;
  for (const auto &p : prompts)
    n += p.positions;
  return n;
}

double AgreementReport::top1Rate() const
{
  size_t agree = 0;
  for (const auto &p : prompts)
    agree += p.top1Agree;
  return positions() ? double(agree) / double(positions()) : 0.0;
}

float AgreementReport::maxLogitDiff() const
{
  float m = 0.0f;
  for (const auto &p : prompts)
    m = std::max(m, p.maxLogitDiff);
  return m;
}

size_t AgreementReport::greedyIdentical() const
{
  return size_t(std::count_if(prompts.begin(), prompts.end(),
                              [](const PromptAgreement &p) { return p.greedyIdentical(); }));
}

void AgreementReport::print(const std::string &title) const
{
  for (const auto &p : prompts)
    std::printf("  %-16s top-1 %zu/%zu  max|dlogit| %.4f  greedy %zu/%zu%s\n", p.name.c_str(),
                p.top1Agree, p.positions, p.maxLogitDiff, p.greedyMatched, p.greedyLength,
                p.greedyIdentical() ? "" : "  (differs)");
  std::printf("%s: top-1 agreement %.2f%% of %zu positions, max |logit diff| %.4f on llama.cpp's "
              "top-10, greedy continuations identical %zu/%zu\n",
              title.c_str(), 100.0 * top1Rate(), positions(), maxLogitDiff(), greedyIdentical(),
              prompts.size());
  std::fflush(stdout);
}

} // namespace hearth::test
