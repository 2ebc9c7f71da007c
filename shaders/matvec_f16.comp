// Matrix × vector over F16 weights: see matvec.glsl.
#version 450
#define TYPE_F16
#include "matvec.glsl"
