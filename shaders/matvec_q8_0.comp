// Matrix × vector over Q8_0 weights: see matvec.glsl.
#version 450
#define TYPE_Q8_0
#include "matvec.glsl"
