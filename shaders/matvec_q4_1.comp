// Matrix × vector over Q4_1 weights: see matvec.glsl.
#version 450
#define TYPE_Q4_1
#include "matvec.glsl"
