#version 450
// Embedding lookup: out[t][c] = table[tokens[t]][c], decoding one row of any weight type.
// One dispatch per chunk of the table (rows [firstRow, firstRow + rows)); a token outside
// the chunk is left to the dispatch of its chunk.
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint TYPE = 0;

layout(std430, binding = 0) readonly buffer Tokens { int tokens[]; };
layout(std430, binding = 1) readonly buffer Table { uint table[]; };
layout(std430, binding = 2) writeonly buffer Out { float outv[]; };

layout(push_constant) uniform Push {
  uint n;        // tokens
  uint dim;      // elements per row
  uint firstRow; // of this chunk
  uint rows;     // in this chunk
  uint rowBytes;
} pc;

#define DQ_BUF table
#include "dequant.glsl"

void main()
{
  const uint c = gl_GlobalInvocationID.x;
  const uint t = gl_GlobalInvocationID.y;
  if (c >= pc.dim || t >= pc.n)
    return;
  const int tok = tokens[t];
  if (tok < int(pc.firstRow) || tok >= int(pc.firstRow + pc.rows))
    return;
  outv[t * pc.dim + c] = dq_element(TYPE, uint(tok - int(pc.firstRow)) * pc.rowBytes, c);
}
