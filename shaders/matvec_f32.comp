// Matrix × vector over F32 weights: see matvec.glsl.
#version 450
#define TYPE_F32
#include "matvec.glsl"
