// Matrix × matrix for prefill: y[t][r] = Σ_c W[r][c] · x[t][c]. Included by
// matmul_<type>.comp after a TYPE_* define.
//
// A workgroup computes a tile of WG tokens × R rows: invocation i owns token
// gl_WorkGroupID.x·WG + i and accumulates its R outputs in registers; each x unit it loads
// serves the R rows. The tile's weight blocks are the same for every invocation: a
// subgroup loads them once, row r by invocation r % SG, and broadcasts the raw words
// (subgroupBroadcast), so each invocation decodes every row from registers. No shared
// memory and no barriers: on lavapipe a shared-memory round trip costs what a buffer load
// costs, and a load costs one scalar access per invocation.
#include "mm_common.glsl"
#include "mm_types.glsl"

layout(local_size_x_id = 0) in;           // WG: tokens per tile
layout(constant_id = 1) const uint R = 8u; // rows per tile
const uint RL = (R + SG - 1u) / SG;        // rows each invocation loads

void main()
{
  const uint t = gl_GlobalInvocationID.x;
  const uint tt = min(t, pc.nTokens - 1u);
  const uint row0 = gl_WorkGroupID.y * R;
  const uint nb = pc.nCols / QK;
  const uint x0 = tt * (pc.nCols / 4u);
  const uint lane = gl_SubgroupInvocationID;
  // A device may run smaller subgroups than it reports: then every invocation loads
  // every row itself.
  const bool coop = gl_SubgroupSize == SG && gl_WorkGroupSize.x % SG == 0u;
  uint rowAt[R];
  [[unroll]] for (uint r = 0u; r < R; ++r)
    rowAt[r] = pc.wOffset + min(row0 + r, pc.nRows - 1u) * pc.rowBytes;
  uint myRowAt[RL]; // rows row0 + k·SG + lane
  [[unroll]] for (uint k = 0u; k < RL; ++k)
    myRowAt[k] = pc.wOffset + min(row0 + min(k * SG + lane, R - 1u), pc.nRows - 1u) * pc.rowBytes;

  float acc[R];
  [[unroll]] for (uint r = 0u; r < R; ++r)
    acc[r] = 0.0;
  for (uint b = 0u; b < nb; ++b) {
    Head head[R];
    if (coop) {
      uvec4 mine[RL][NH];
      [[unroll]] for (uint k = 0u; k < RL; ++k)
        headWords(myRowAt[k] + b * QB, mine[k]);
      [[unroll]] for (uint r = 0u; r < R; ++r) {
        uvec4 hw[NH];
        [[unroll]] for (uint j = 0u; j < NH; ++j)
          hw[j] = subgroupBroadcast(mine[r / SG][j], r % SG);
        head[r] = makeHead(hw);
      }
    } else {
      [[unroll]] for (uint r = 0u; r < R; ++r)
        head[r] = loadHead(rowAt[r] + b * QB);
    }
    [[unroll]] for (uint u = 0u; u < QU; ++u) {
      vec4 xv[UV];
      [[unroll]] for (uint i = 0u; i < UV; ++i)
        xv[i] = xData[x0 + b * (QK / 4u) + unitX(u, i)];
      if (coop) {
        uvec4 mine[RL][NW];
        [[unroll]] for (uint k = 0u; k < RL; ++k)
          unitWords(myRowAt[k] + b * QB, u, mine[k]);
        [[unroll]] for (uint r = 0u; r < R; ++r) {
          uvec4 w[NW];
          [[unroll]] for (uint j = 0u; j < NW; ++j)
            w[j] = subgroupBroadcast(mine[r / SG][j], r % SG);
          acc[r] += dotWords(head[r], w, u, xv);
        }
      } else {
        [[unroll]] for (uint r = 0u; r < R; ++r)
          acc[r] += dotUnit(head[r], rowAt[r] + b * QB, u, xv);
      }
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
