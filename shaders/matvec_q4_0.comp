// Matrix × vector over Q4_0 weights: see matvec.glsl.
#version 450
#define TYPE_Q4_0
#include "matvec.glsl"
