#include "hearth/tensor_type.h"

#include <gtest/gtest.h>

using namespace hearth;

TEST(TensorType, BlockLayoutsMatchGguf)
{
  EXPECT_EQ(tensorTypeInfo(TensorType::Q4_0).blockBytes, 18u);
  EXPECT_EQ(tensorTypeInfo(TensorType::Q4_1).blockBytes, 20u);
  EXPECT_EQ(tensorTypeInfo(TensorType::Q8_0).blockBytes, 34u);
  EXPECT_EQ(tensorTypeInfo(TensorType::Q4_K).blockBytes, 144u);
  EXPECT_EQ(tensorTypeInfo(TensorType::Q5_K).blockBytes, 176u);
  EXPECT_EQ(tensorTypeInfo(TensorType::Q6_K).blockBytes, 210u);
  EXPECT_EQ(tensorTypeInfo(TensorType::Q6_K).blockElements, 256u);
}

TEST(TensorType, UnknownAndRetiredIdsAreRejected)
{
  EXPECT_FALSE(tensorTypeInfo(4u).has_value()); // retired Q4_2
  EXPECT_FALSE(tensorTypeInfo(31u).has_value());
  EXPECT_FALSE(tensorTypeInfo(1000u).has_value());
}

TEST(TensorType, BytesCheckBlockMultipleAndOverflow)
{
  EXPECT_EQ(tensorBytes(TensorType::Q4_K, 512), 288u);
  EXPECT_FALSE(tensorBytes(TensorType::Q4_K, 100).has_value());
  EXPECT_FALSE(tensorBytes(TensorType::F32, UINT64_MAX / 2).has_value());
  EXPECT_EQ(tensorTypeFromName("q6_k"), TensorType::Q6_K);
  EXPECT_FALSE(tensorTypeFromName("q7_k").has_value());
}
