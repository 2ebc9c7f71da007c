// AMX tiles for the CPU matmul's batched Q8_0/Q4_0/Q4_1 and Q4_K/Q5_K products (see
// kernels.h; the K-quants further down, with the AVX-512 row kernel's arithmetic). One
// tile instruction multiplies 16 tokens' 8-bit activation blocks with 16 weight rows' blocks
// into 16×16 exact integer sums, one 32-block at a time, so every output keeps
// Rounding::Ggml's arithmetic: per block the exact integer dot, then serially over the blocks
// c = fma(float(isum), dw·dx, c) (Q4_1: then c = fma(m, s, c)), the chains of one token's
// 16 outputs in the lanes of one AVX-512 vector. Bit for bit the row kernels' results.
//
// Layout: A tile = 16 tokens × 32 activation bytes, read in place from the Q8Blocks;
// B tile = 8 rows × 64 bytes, the 16 weight rows' levels of one block interleaved by 4 bytes
// (B[k][4r + j] = w_r[4k + j]), repacked per row group (the 16-row packed layout's Q8_0
// levels are this already); C tile = 16 tokens × 16 rows int32.
#include "cpu/kernels.h"

#include "ops/quant.h"

#include <cstddef>
#include <cstring>
#include <type_traits>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,amx-tile,amx-int8")

namespace hearth::cpu::kernels {
namespace {

using ops::BlockQ4_0;
using ops::BlockQ4_1;
using ops::BlockQ8_0;

struct TileConfig {
  uint8_t palette = 1;
  uint8_t startRow = 0;
  uint8_t reserved[14] = {};
  uint16_t colsb[16] = {};
  uint8_t rows[16] = {};
};

// Tiles: 0, 1 sums (C); 2, 3 activations (A); 4, 5 weights (B).
TileConfig tileConfig()
{
  TileConfig c;
  for (int t : {0, 1}) {
    c.rows[t] = 16;
    c.colsb[t] = 64;
  }
  for (int t : {2, 3}) {
    c.rows[t] = 16;
    c.colsb[t] = 32;
  }
  for (int t : {4, 5}) {
    c.rows[t] = 8;
    c.colsb[t] = 64;
  }
  return c;
}

// Dword k of 16 rows' 16 bytes: out[k] lane e = dword k of row e (rows rowStride apart).
inline void transpose16x4(const uint8_t *row0, size_t rowStride, __m512i out[4])
{
  // z[p] lane L holds row 4L + p, so that after the unpacks element 4L + p is row 4L + p.
  __m512i z[4];
  for (int p = 0; p < 4; ++p) {
    const auto *b = row0 + p * rowStride;
    z[p] = _mm512_inserti32x4(
        _mm512_inserti32x4(_mm512_inserti32x4(_mm512_castsi128_si512(_mm_loadu_si128((const __m128i *)b)),
                                              _mm_loadu_si128((const __m128i *)(b + 4 * rowStride)), 1),
                           _mm_loadu_si128((const __m128i *)(b + 8 * rowStride)), 2),
        _mm_loadu_si128((const __m128i *)(b + 12 * rowStride)), 3);
  }
  const __m512i t0 = _mm512_unpacklo_epi32(z[0], z[1]), t1 = _mm512_unpackhi_epi32(z[0], z[1]);
  const __m512i t2 = _mm512_unpacklo_epi32(z[2], z[3]), t3 = _mm512_unpackhi_epi32(z[2], z[3]);
  out[0] = _mm512_unpacklo_epi64(t0, t2);
  out[1] = _mm512_unpackhi_epi64(t0, t2);
  out[2] = _mm512_unpacklo_epi64(t1, t3);
  out[3] = _mm512_unpackhi_epi64(t1, t3);
}

// One 64-byte word of 16 rows' Q4 nibble bytes (word k of their levels) as two B-tile rows:
// row k the low nibbles (levels 4k..) and row k + 4 the high ones (16 + 4k..), minus offset.
inline void storeNibbleRows(__m512i v, __m512i offset, int k, uint8_t *tile)
{
  const __m512i low = _mm512_set1_epi8(0x0F);
  _mm512_storeu_si512(tile + 64 * k, _mm512_sub_epi8(_mm512_and_si512(v, low), offset));
  _mm512_storeu_si512(tile + 64 * (k + 4), _mm512_sub_epi8(_mm512_and_si512(_mm512_srli_epi16(v, 4), low), offset));
}

// One block of 16 rows rowStride apart: levels as bytes (s8 for Q8_0/Q4_0, u8 0..15 for
// Q4_1), interleaved by 4 into the B layout (tile row k = dword k of every row); the rows'
// scales (and Q4_1 mins) widened.
template <typename Block>
void repackBlock(const std::byte *row0, size_t rowStride, size_t i, uint8_t *tile, float *d, float *m)
{
  const auto *first = reinterpret_cast<const uint8_t *>(&reinterpret_cast<const Block *>(row0)[i]);
  const uint8_t *qs = first + offsetof(Block, qs);
  __m512i v[4];
  if constexpr (std::is_same_v<Block, BlockQ8_0>) {
    transpose16x4(qs, rowStride, v);
    for (int k = 0; k < 4; ++k)
      _mm512_storeu_si512(tile + 64 * k, v[k]);
    transpose16x4(qs + 16, rowStride, v);
    for (int k = 0; k < 4; ++k)
      _mm512_storeu_si512(tile + 64 * (k + 4), v[k]);
  } else {
    const __m512i offset = _mm512_set1_epi8(std::is_same_v<Block, BlockQ4_0> ? 8 : 0);
    transpose16x4(qs, rowStride, v); // levels 0..15: low nibbles, 16..31: high nibbles
    for (int k = 0; k < 4; ++k)
      storeNibbleRows(v[k], offset, k, tile);
  }
  alignas(32) uint16_t h[16], hm[16];
  for (int r = 0; r < 16; ++r) {
    const Block &b = *reinterpret_cast<const Block *>(first + r * rowStride);
    h[r] = b.d;
    if constexpr (std::is_same_v<Block, BlockQ4_1>)
      hm[r] = b.m;
  }
  _mm512_storeu_ps(d, _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i *>(h))));
  if constexpr (std::is_same_v<Block, BlockQ4_1>)
    _mm512_storeu_ps(m, _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i *>(hm))));
}

// The fp32 chains of 16 tokens × 16 rows over two blocks' integer sums (in order).
template <bool kMin>
inline void chain(const int32_t *isum, const Q8Block *const *a, size_t i, const float *d, const float *m, __m512 *c)
{
  const __m512 dw = _mm512_loadu_ps(d);
  for (int t = 0; t < 16; ++t) {
    const __m512 sum = _mm512_cvtepi32_ps(_mm512_loadu_si512(isum + 16 * t));
    c[t] = _mm512_fmadd_ps(sum, _mm512_mul_ps(dw, _mm512_set1_ps(a[t][i].d)), c[t]);
    if constexpr (kMin)
      c[t] = _mm512_fmadd_ps(_mm512_loadu_ps(m), _mm512_set1_ps(a[t][i].s), c[t]);
  }
}

// The same from one group of the 16-row packed layout (kernels.h): Q8_0's levels are B
// tiles already (tile i is returned in place); Q4's nibbles are split into bytes.
template <typename Block>
const uint8_t *unpackBlock(const uint8_t *group, size_t i, uint8_t *tile, float *d, float *m)
{
  constexpr bool kMin = std::is_same_v<Block, BlockQ4_1>;
  const uint8_t *p = group + i * 16 * sizeof(Block), *levels = p + (kMin ? 64 : 32);
  _mm512_storeu_ps(d, _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(p))));
  if constexpr (kMin)
    _mm512_storeu_ps(m, _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(p + 32))));
  if constexpr (std::is_same_v<Block, BlockQ8_0>) {
    return levels;
  } else {
    const __m512i offset = _mm512_set1_epi8(std::is_same_v<Block, BlockQ4_0> ? 8 : 0);
    for (int k = 0; k < 4; ++k)
      storeNibbleRows(_mm512_loadu_si512(levels + 64 * k), offset, k, tile);
    return tile;
  }
}

template <typename Block>
void rowGroup(const void *w, size_t rowStride, size_t nb, const std::byte *xq, size_t xStride, size_t n, float *y,
              size_t yStride, AmxScratch &s, bool packed)
{
  constexpr bool kMin = std::is_same_v<Block, BlockQ4_1>;
  s.tiles.resize(nb * 512);
  s.d.resize(nb * 16);
  s.m.resize(kMin ? nb * 16 : 0);
  s.tile.resize(nb);
  const auto *row0 = static_cast<const std::byte *>(w);
  for (size_t i = 0; i < nb; ++i) {
    uint8_t *tile = s.tiles.data() + 512 * i;
    float *d = s.d.data() + 16 * i, *m = kMin ? s.m.data() + 16 * i : nullptr;
    if (packed) {
      s.tile[i] = unpackBlock<Block>(static_cast<const uint8_t *>(w), i, tile, d, m);
    } else {
      repackBlock<Block>(row0, rowStride, i, tile, d, m);
      s.tile[i] = tile;
    }
  }
  alignas(64) int32_t sums[2][256];
  for (size_t t0 = 0; t0 < n; t0 += 16) {
    const Q8Block *a[16];
    for (int t = 0; t < 16; ++t)
      a[t] = reinterpret_cast<const Q8Block *>(xq + (t0 + t) * xStride); // past n: padding
    __m512 c[16];
    for (auto &v : c)
      v = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 2 <= nb; i += 2) {
      _tile_zero(0);
      _tile_zero(1);
      _tile_loadd(2, a[0][i].q, xStride);
      _tile_loadd(3, a[0][i + 1].q, xStride);
      _tile_loadd(4, s.tile[i], 64);
      _tile_loadd(5, s.tile[i + 1], 64);
      if constexpr (kMin) {
        _tile_dpbsud(0, 2, 4);
        _tile_dpbsud(1, 3, 5);
      } else {
        _tile_dpbssd(0, 2, 4);
        _tile_dpbssd(1, 3, 5);
      }
      _tile_stored(0, sums[0], 64);
      _tile_stored(1, sums[1], 64);
      chain<kMin>(sums[0], a, i, s.d.data() + 16 * i, kMin ? s.m.data() + 16 * i : nullptr, c);
      chain<kMin>(sums[1], a, i + 1, s.d.data() + 16 * (i + 1), kMin ? s.m.data() + 16 * (i + 1) : nullptr, c);
    }
    if (i < nb) {
      _tile_zero(0);
      _tile_loadd(2, a[0][i].q, xStride);
      _tile_loadd(4, s.tile[i], 64);
      if constexpr (kMin)
        _tile_dpbsud(0, 2, 4);
      else
        _tile_dpbssd(0, 2, 4);
      _tile_stored(0, sums[0], 64);
      chain<kMin>(sums[0], a, i, s.d.data() + 16 * i, kMin ? s.m.data() + 16 * i : nullptr, c);
    }
    for (size_t t = t0; t < std::min(n, t0 + 16); ++t)
      _mm512_storeu_ps(y + t * yStride, c[t - t0]);
  }
}

// ---- Q4_K/Q5_K: sub-blocks of 32 with a 6-bit scale and min each -------------------------
// Per sub-block one tile product (16 tokens × 16 rows, u8 levels × s8 activations); per
// token and super-block the exact integers I = Σ_j scale_j·isum_j and B = Σ_j min_j·bsum_j,
// then c = fma(float(I), d·dx, c), c = fma(float(−B), dmin·dx, c): the AVX-512 row kernel's
// arithmetic (kernels_avx512_k.cpp), the same bits.

// Level word q of chunk c (its 64 bytes: bytes 4q..4q+3 of the 32 at qs + 32c, of 16 rows)
// as tile row q of sub-blocks 2c (low nibbles) and 2c + 1 (high); Q5_K adds the fifth bits
// from qh word q (bit j of each byte: sub-block j's).
template <bool kQ5>
inline void storeSubBlockRows(__m512i v, __m512i qh, int c, int q, uint8_t *tiles)
{
  const __m512i low = _mm512_set1_epi8(0x0F), one = _mm512_set1_epi8(1);
  __m512i lo = _mm512_and_si512(v, low), hi = _mm512_and_si512(_mm512_srli_epi16(v, 4), low);
  if constexpr (kQ5) {
    lo = _mm512_or_si512(lo, _mm512_slli_epi16(_mm512_and_si512(_mm512_srli_epi16(qh, 2 * c), one), 4));
    hi = _mm512_or_si512(hi, _mm512_slli_epi16(_mm512_and_si512(_mm512_srli_epi16(qh, 2 * c + 1), one), 4));
  }
  _mm512_storeu_si512(tiles + 512 * (2 * c) + 64 * q, lo);
  _mm512_storeu_si512(tiles + 512 * (2 * c + 1) + 64 * q, hi);
}

// Row r's 12 packed scale bytes and f16 d, dmin: k[j][r] (scales, then mins), dd[r], dd[16 + r].
inline void setRowScales(const uint8_t *scales, uint16_t d, uint16_t dmin, int r, int32_t *k, float *dd)
{
  uint8_t sm[16];
  unpackScalesK4(scales, sm);
  for (int j = 0; j < 16; ++j)
    k[16 * j + r] = sm[j];
  dd[r] = _cvtsh_ss(d);
  dd[16 + r] = _cvtsh_ss(dmin);
}

// 16 rows' super-block i: 8 sub-block tiles, the rows' integer scales and mins
// (k[j][r], k[8 + j][r]) and their d, dmin (dd[r], dd[16 + r]).
template <typename Block>
void repackSuperBlock(const std::byte *row0, size_t rowStride, size_t i, uint8_t *tiles, int32_t *k, float *dd)
{
  const auto *first = reinterpret_cast<const uint8_t *>(&reinterpret_cast<const Block *>(row0)[i]);
  constexpr bool kQ5 = std::is_same_v<Block, ops::BlockQ5_K>;
  __m512i high[8] = {}; // Q5_K: qh dword k of each row (bit j: sub-block j's fifth bit)
  if constexpr (kQ5) {
    transpose16x4(first + offsetof(Block, qh), rowStride, high);
    transpose16x4(first + offsetof(Block, qh) + 16, rowStride, high + 4);
  }
  for (int c = 0; c < 4; ++c) { // qs[32c..32c+31]: sub-block 2c low nibbles, 2c+1 high
    __m512i v[8];
    transpose16x4(first + offsetof(Block, qs) + 32 * c, rowStride, v);
    transpose16x4(first + offsetof(Block, qs) + 32 * c + 16, rowStride, v + 4);
    for (int q = 0; q < 8; ++q)
      storeSubBlockRows<kQ5>(v[q], high[q], c, q, tiles);
  }
  for (int r = 0; r < 16; ++r) {
    const Block &b = *reinterpret_cast<const Block *>(first + r * rowStride);
    setRowScales(b.scales, b.d, b.dmin, r, k, dd);
  }
}

// The same from one group of Q4_K's or Q5_K's 16-row packed layout (kernels_avx512_k.cpp): level
// word 8c + q is transpose16x4's v[q] of the 32 bytes at qs + 32c already.
template <typename Block>
void unpackSuperBlock(const uint8_t *group, size_t i, uint8_t *tiles, int32_t *k, float *dd)
{
  constexpr bool kQ5 = std::is_same_v<Block, ops::BlockQ5_K>;
  const uint8_t *p = group + i * 16 * sizeof(Block);
  for (int c = 0; c < 4; ++c)
    for (int q = 0; q < 8; ++q) // Q5_K's qh word q at 2304 + 64q
      storeSubBlockRows<kQ5>(_mm512_loadu_si512(p + 256 + 64 * (8 * c + q)),
                             kQ5 ? _mm512_loadu_si512(p + 2304 + 64 * q) : _mm512_setzero_si512(), c, q, tiles);
  for (int r = 0; r < 16; ++r) {
    uint8_t scales[12];
    for (int w = 0; w < 3; ++w)
      std::memcpy(scales + 4 * w, p + 64 + 64 * w + 4 * r, 4);
    uint16_t h[2];
    std::memcpy(&h[0], p + 2 * r, 2);
    std::memcpy(&h[1], p + 32 + 2 * r, 2);
    setRowScales(scales, h[0], h[1], r, k, dd);
  }
}

template <typename Block>
void rowGroupK(const void *w, size_t rowStride, size_t nb, const std::byte *xq, size_t xStride, size_t n, float *y,
               size_t yStride, AmxScratch &s, bool packed)
{
  s.tiles.resize(nb * 8 * 512);
  s.k.resize(nb * 256);
  s.d.resize(nb * 32);
  const auto *row0 = static_cast<const std::byte *>(w);
  for (size_t i = 0; i < nb; ++i)
    if (packed)
      unpackSuperBlock<Block>(static_cast<const uint8_t *>(w), i, s.tiles.data() + 4096 * i, s.k.data() + 256 * i,
                       s.d.data() + 32 * i);
    else
      repackSuperBlock<Block>(row0, rowStride, i, s.tiles.data() + 4096 * i, s.k.data() + 256 * i,
                              s.d.data() + 32 * i);
  alignas(64) int32_t sums[8][256];
  for (size_t t0 = 0; t0 < n; t0 += 16) {
    const Q8KBlock *a[16];
    for (int t = 0; t < 16; ++t)
      a[t] = reinterpret_cast<const Q8KBlock *>(xq + (t0 + t) * xStride); // past n: padding
    __m512 c[16];
    for (auto &v : c)
      v = _mm512_setzero_ps();
    for (size_t i = 0; i < nb; ++i) {
      const uint8_t *tiles = s.tiles.data() + 4096 * i;
      for (int j = 0; j < 8; j += 2) {
        _tile_zero(0);
        _tile_zero(1);
        _tile_loadd(2, a[0][i].q + 32 * j, xStride);
        _tile_loadd(3, a[0][i].q + 32 * (j + 1), xStride);
        _tile_loadd(4, tiles + 512 * j, 64);
        _tile_loadd(5, tiles + 512 * (j + 1), 64);
        _tile_dpbsud(0, 2, 4);
        _tile_dpbsud(1, 3, 5);
        _tile_stored(0, sums[j], 64);
        _tile_stored(1, sums[j + 1], 64);
      }
      const int32_t *k = s.k.data() + 256 * i;
      const __m512 d = _mm512_loadu_ps(s.d.data() + 32 * i), dmin = _mm512_loadu_ps(s.d.data() + 32 * i + 16);
      // The rows' mins as int16 pairs (j, j + 1) for dpwssd: B = Σ_j min_j · bsum_j exactly.
      __m512i minPair[4];
      for (int j = 0; j < 8; j += 2)
        minPair[j / 2] = _mm512_or_si512(_mm512_loadu_si512(k + 16 * (8 + j)),
                                         _mm512_slli_epi32(_mm512_loadu_si512(k + 16 * (9 + j)), 16));
      for (int t = 0; t < 16; ++t) {
        const int16_t *bs = a[t][i].bsums;
        __m512i isum = _mm512_setzero_si512(), bias = _mm512_setzero_si512();
        for (int j = 0; j < 8; ++j)
          isum = _mm512_add_epi32(isum, _mm512_mullo_epi32(_mm512_load_si512(sums[j] + 16 * t),
                                                           _mm512_loadu_si512(k + 16 * j)));
        for (int j = 0; j < 8; j += 2) { // the sub-block sums fit int16 (at most 32 · 128)
          const uint32_t lo = uint16_t(bs[2 * j] + bs[2 * j + 1]), hi = uint16_t(bs[2 * j + 2] + bs[2 * j + 3]);
          bias = _mm512_dpwssd_epi32(bias, minPair[j / 2], _mm512_set1_epi32(int32_t(lo | hi << 16)));
        }
        const __m512 dx = _mm512_set1_ps(a[t][i].d);
        c[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_mul_ps(d, dx), c[t]);
        c[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_setzero_si512(), bias)),
                               _mm512_mul_ps(dmin, dx), c[t]);
      }
    }
    for (size_t t = t0; t < std::min(n, t0 + 16); ++t)
      _mm512_storeu_ps(y + t * yStride, c[t - t0]);
  }
}

bool requestAmx()
{
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
    return false;
  const bool tile = d & (1u << 24), int8 = d & (1u << 25);
  if (!tile || !int8)
    return false;
  constexpr long kReqXcompPerm = 0x1023, kXtileData = 18;
  return syscall(SYS_arch_prctl, kReqXcompPerm, kXtileData) == 0;
}

} // namespace

bool amxUsable()
{
  static const bool usable = requestAmx();
  return usable;
}

bool amxHandles(TensorType type)
{
  return type == TensorType::Q8_0 || type == TensorType::Q4_0 || type == TensorType::Q4_1 ||
         type == TensorType::Q4_K || type == TensorType::Q5_K;
}

void amxBegin()
{
  static const TileConfig config = tileConfig();
  _tile_loadconfig(&config);
}

void amxEnd() { _tile_release(); }

void amxRowGroup(TensorType type, const void *w, size_t rowStride, size_t nb, const std::byte *xq, size_t xStride,
                 size_t n, float *y, size_t yStride, AmxScratch &s, bool packed)
{
  switch (type) {
  case TensorType::Q8_0: return rowGroup<BlockQ8_0>(w, rowStride, nb, xq, xStride, n, y, yStride, s, packed);
  case TensorType::Q4_0: return rowGroup<BlockQ4_0>(w, rowStride, nb, xq, xStride, n, y, yStride, s, packed);
  case TensorType::Q4_1: return rowGroup<BlockQ4_1>(w, rowStride, nb, xq, xStride, n, y, yStride, s, packed);
  case TensorType::Q4_K: return rowGroupK<ops::BlockQ4_K>(w, rowStride, nb, xq, xStride, n, y, yStride, s, packed);
  case TensorType::Q5_K: return rowGroupK<ops::BlockQ5_K>(w, rowStride, nb, xq, xStride, n, y, yStride, s, packed);
  default: break;
  }
}

} // namespace hearth::cpu::kernels

#pragma GCC pop_options

#else // no AMX off x86-64

namespace hearth::cpu::kernels {
bool amxUsable() { return false; }
bool amxHandles(TensorType) { return false; }
void amxBegin() {}
void amxEnd() {}
void amxRowGroup(TensorType, const void *, size_t, size_t, const std::byte *, size_t, size_t, float *, size_t,
                 AmxScratch &, bool)
{
}
} // namespace hearth::cpu::kernels

#endif
