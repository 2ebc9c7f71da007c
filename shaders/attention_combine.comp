#version 450
// Merges attention.comp's per-split partials: out = Σ e^(m_s−M) o_s / Σ e^(m_s−M) l_s.
// part: [nSplits][rows][headDim + 2]; out: [rows][headDim] (rows = n · nHead).
layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer Part { float part[]; };
layout(std430, binding = 1) writeonly buffer Out { float outv[]; };

layout(push_constant) uniform Push {
  uint rows;
  uint headDim;
  uint nSplits;
} pc;

void main()
{
  const uint d = gl_GlobalInvocationID.x;
  const uint row = gl_GlobalInvocationID.y;
  if (d >= pc.headDim || row >= pc.rows)
    return;
  const uint stride = pc.headDim + 2u;
  float M = -1.0 / 0.0;
  for (uint s = 0u; s < pc.nSplits; ++s) {
    const uint b = (s * pc.rows + row) * stride;
    if (part[b + pc.headDim + 1u] > 0.0)
      M = max(M, part[b + pc.headDim]);
  }
  float num = 0.0;
  float den = 0.0;
  for (uint s = 0u; s < pc.nSplits; ++s) {
    const uint b = (s * pc.rows + row) * stride;
    const float l = part[b + pc.headDim + 1u];
    if (l > 0.0) {
      const float w = exp(part[b + pc.headDim] - M);
      num += w * part[b + d];
      den += w * l;
    }
  }
  outv[row * pc.headDim + d] = num / den;
}
