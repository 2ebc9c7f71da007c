// Matrix × matrix for prefill: y[t][r] = Σ_c W[r][c] · x[t][c]. Included by
// matmul_<type>.comp after a TYPE_* define.
//
// A workgroup computes a tile of WG tokens × R rows: invocation i owns token
// gl_WorkGroupID.x·WG + i and accumulates its R outputs in registers. The weight blocks of
// the tile's rows are the same for every invocation (uniform loads, decoded once per
// step and reused by every token of the tile); each invocation's x unit is loaded once
// per block and reused for the R rows. No shared memory and no barriers: on lavapipe a
// shared-memory round trip costs what a buffer load costs.
#include "mm_common.glsl"
#include "mm_types.glsl"

layout(local_size_x_id = 0) in;           // WG: tokens per tile
layout(constant_id = 1) const uint R = 8u; // rows per tile

void main()
{
  const uint t = gl_GlobalInvocationID.x;
  const uint tt = min(t, pc.nTokens - 1u);
  const uint row0 = gl_WorkGroupID.y * R;
  const uint nb = pc.nCols / QK;
  const uint x0 = tt * (pc.nCols / 4u);
  uint rowAt[R];
  [[unroll]] for (uint r = 0u; r < R; ++r)
    rowAt[r] = pc.wOffset + min(row0 + r, pc.nRows - 1u) * pc.rowBytes;

  float acc[R];
  [[unroll]] for (uint r = 0u; r < R; ++r)
    acc[r] = 0.0;
  for (uint b = 0u; b < nb; ++b) {
    Head head[R];
    [[unroll]] for (uint r = 0u; r < R; ++r)
      head[r] = loadHead(rowAt[r] + b * QB);
    [[unroll]] for (uint u = 0u; u < QU; ++u) {
      vec4 xv[UV];
      [[unroll]] for (uint i = 0u; i < UV; ++i)
        xv[i] = xData[x0 + b * (QK / 4u) + unitX(u, i)];
      [[unroll]] for (uint r = 0u; r < R; ++r)
        acc[r] += dotUnit(head[r], rowAt[r] + b * QB, u, xv);
    }
  }
  if (t >= pc.nTokens)
    return;
  [[unroll]] for (uint r = 0u; r < R; ++r) {
    const uint row = row0 + r;
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
