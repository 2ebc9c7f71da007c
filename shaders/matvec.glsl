// Matrix × vector for decode (and small batches): y[t][r] = Σ_c W[r][c] · x[t][c].
// Included by matvec_<type>.comp after a TYPE_* define.
//
// One invocation owns R rows (rows base, base + WG, ..., base + (R-1)·WG of its workgroup's
// WG·R rows) and walks their blocks in order: each x vec4 is used for R rows, no shared
// memory, no barriers, no reduction. That is what lavapipe runs fastest (every lane of its
// 8-wide SIMD decodes its own row); on a GPU neighbouring lanes read neighbouring rows.
// Every invocation needs the same x: the subgroup loads a unit of x once, one vec4 per
// invocation, and broadcasts it.
#include "mm_common.glsl"
#include "mm_types.glsl"

layout(local_size_x_id = 0) in;          // WG
layout(constant_id = 1) const uint R = 4u; // rows per invocation
const uint XL = (UV + SG - 1u) / SG;        // x vec4 each invocation loads per unit

void main()
{
  const uint wg = gl_WorkGroupSize.x;
  const uint base = gl_WorkGroupID.x * wg * R + gl_LocalInvocationID.x;
  const uint nb = pc.nCols / QK;
  const uint xRow = pc.nCols / 4u; // vec4 per token
  const uint lane = gl_SubgroupInvocationID;
  // A device may run smaller subgroups than it reports (varying subgroup sizes): then
  // every invocation loads x itself.
  const bool fullSubgroups = gl_SubgroupSize == SG && wg % SG == 0u;
  uint rowAt[R];
  [[unroll]] for (uint r = 0u; r < R; ++r)
    rowAt[r] = pc.wOffset + min(base + r * wg, pc.nRows - 1u) * pc.rowBytes;

  for (uint t = 0u; t < pc.nTokens; ++t) {
    float acc[R];
    [[unroll]] for (uint r = 0u; r < R; ++r)
      acc[r] = 0.0;
    for (uint b = 0u; b < nb; ++b) {
      Head head[R];
      [[unroll]] for (uint r = 0u; r < R; ++r)
        head[r] = loadHead(rowAt[r] + b * QB);
      [[unroll]] for (uint u = 0u; u < QU; ++u) {
        const uint x0 = t * xRow + b * (QK / 4u);
        vec4 xv[UV];
        if (fullSubgroups) {
          vec4 mine[XL];
          [[unroll]] for (uint k = 0u; k < XL; ++k)
            mine[k] = xData[x0 + unitX(u, min(k * SG + lane, UV - 1u))];
          [[unroll]] for (uint i = 0u; i < UV; ++i)
            xv[i] = subgroupBroadcast(mine[i / SG], i % SG);
        } else {
          [[unroll]] for (uint i = 0u; i < UV; ++i)
            xv[i] = xData[x0 + unitX(u, i)];
        }
        [[unroll]] for (uint r = 0u; r < R; ++r)
          acc[r] += dotUnit(head[r], rowAt[r] + b * QB, u, xv);
      }
    }
    [[unroll]] for (uint r = 0u; r < R; ++r) {
      const uint row = base + r * wg;
      if (row < pc.nRows) {
        const uint at = t * pc.yStride + pc.yOffset + row;
        if (pc.mode == MODE_ADD)
          yData[at] += acc[r];
        else if (pc.mode == MODE_BIAS)
          yData[at] = acc[r] + biasData[pc.yOffset + row];
        else
          yData[at] = acc[r];
      }
    }
  }
}
